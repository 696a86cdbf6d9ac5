-- +goose Up
-- Two-factor sign-in (等保 2.0 level 3, 8.1.4.1 身份鉴别: 两种或两种以上组合的鉴别技术).
-- An account's TOTP secret (RFC 6238), sealed with the personal-data key like phone numbers;
-- last_step is the newest time step whose code was accepted, so a code is accepted once.
CREATE TABLE user_mfa (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    secret_enc TEXT NOT NULL,
    enabled_at TIMESTAMPTZ NOT NULL,
    last_step  BIGINT NOT NULL DEFAULT 0
);

-- One-time recovery codes: only their SHA-256 is kept, used_at marks a spent one.
CREATE TABLE mfa_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- A password that was right opens no session by itself: it gives a short-lived challenge (only
-- its SHA-256 is kept) that a code turns into a session. 'enrol' challenges carry the secret
-- being set up (sealed) until its first code confirms it.
CREATE TABLE mfa_challenges (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL CHECK (kind IN ('verify','enrol')),
    secret_enc   TEXT NOT NULL DEFAULT '',
    session_kind TEXT NOT NULL CHECK (session_kind IN ('cookie','bearer')),
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX mfa_challenges_user ON mfa_challenges(user_id);

-- +goose Down
DROP TABLE mfa_challenges;
DROP TABLE mfa_recovery_codes;
DROP TABLE user_mfa;
