-- +goose Up
-- Hotline callers (issue 13): a named caller's case is linked to a keyed hash of the caller's
-- normalised phone number (pii.Vault.Hash), never the clear number, so the desk can list the
-- caller's earlier cases when the number calls again. The phone itself stays sealed on the case.
CREATE TABLE case_callers (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id),
    phone_hash  TEXT NOT NULL,
    reported_at DATETIME NOT NULL
);
CREATE INDEX case_callers_phone ON case_callers(phone_hash, reported_at);

-- +goose Down
DROP TABLE case_callers;
