-- +goose Up
-- Residents' account (issue 14): consent to the 用户协议 and 隐私政策, sign-in with an SMS code,
-- and deleting one's own account.

-- Each acceptance of a document's version by an account (个人信息保护法 第十四条: consent given
-- freely and explicitly, on full information; kept to show it was given). A new version of a
-- text asks again; earlier rows stay as the record of what was accepted when.
CREATE TABLE consents (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    document    TEXT NOT NULL CHECK (document IN ('terms','privacy')),
    version     TEXT NOT NULL,
    accepted_at DATETIME NOT NULL,
    UNIQUE (user_id, document, version)
);

-- One-time sign-in codes sent by SMS, one live code per phone: only keyed hashes of the phone
-- and of the code are kept; attempts counts every check, right or wrong, so a code is tried at
-- most a few times. A row is written for any well-formed number, with or without an account, so
-- that the answers (and their rate limits) do not tell which numbers have one.
CREATE TABLE login_codes (
    phone_hash TEXT PRIMARY KEY,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);

-- When a resident deleted their own account: the row stays (the audit log and cases point to
-- it) but holds nothing personal any more.
ALTER TABLE users ADD COLUMN deleted_at DATETIME;

-- +goose Down
ALTER TABLE users DROP COLUMN deleted_at;
DROP TABLE login_codes;
DROP TABLE consents;
