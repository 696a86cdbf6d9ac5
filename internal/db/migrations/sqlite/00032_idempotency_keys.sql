-- +goose Up
-- Idempotent writes (issue 14): a phone that reports offline sends its queued report again until
-- the server answers, each time with the same Idempotency-Key header. The first request's answer
-- is kept here per (signed-in user, key, route); a repeat gets it back and changes nothing. The
-- primary key is what decides between two identical requests arriving at once: the one whose
-- insert wins runs, the other waits for its answer. status is 0 while the first one runs.
-- Rows older than 48 hours are purged by the job httpx.idempotency.purge.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    route        TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         BLOB,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (user_id, key, route)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- +goose Down
DROP TABLE idempotency_keys;
