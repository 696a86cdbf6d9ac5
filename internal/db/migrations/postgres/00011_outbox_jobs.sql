-- +goose Up
-- The outbox (package notify): every event is written in the transaction of the change it
-- describes, with its in-app notifications and the deliveries still to make (SMS, WeChat). seq
-- is given under the same advisory lock as the audit chain (PostgreSQL), so seq order is commit
-- order: each node's live feed reads events after the last seq it saw and misses none.
CREATE TABLE outbox_events (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    type        TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL DEFAULT '',
    object      TEXT NOT NULL,
    message     TEXT NOT NULL,
    recipients  TEXT NOT NULL DEFAULT '[]'
);

-- One row per message to send through an outside channel; a worker sends them with retries
-- and backoff, and keeps the failures for the sys_admin.
CREATE TABLE outbox_deliveries (
    id           TEXT PRIMARY KEY,
    event_seq    BIGINT NOT NULL,
    channel      TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    template     TEXT NOT NULL,
    params       TEXT NOT NULL DEFAULT '[]',
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TIMESTAMPTZ NOT NULL,
    lease_until  TIMESTAMPTZ,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    sent_at      TIMESTAMPTZ
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries(status, next_at);

-- In-app notifications keep their text as a template and parameters, shown in the reader's
-- language; text stays for rows written before.
ALTER TABLE notifications ADD COLUMN template TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN params TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notifications ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;

-- Periodic jobs (package jobs): one row per job and period; the primary key makes a period's
-- run happen once in the cluster, whichever node claims it first.
CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    slot        TIMESTAMPTZ NOT NULL,
    node        TEXT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, slot)
);

-- +goose Down
DROP TABLE job_runs;
ALTER TABLE notifications DROP COLUMN event_seq;
ALTER TABLE notifications DROP COLUMN params;
ALTER TABLE notifications DROP COLUMN template;
DROP TABLE outbox_deliveries;
DROP TABLE outbox_events;
