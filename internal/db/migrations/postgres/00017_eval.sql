-- +goose Up
-- Indicators (package eval). What each case adds to the figures is kept beside it (eval_cases:
-- its day and its contributions), and the sums per unit and day (eval_daily) and per unit and
-- month (eval_monthly) are kept up to date by adding the difference whenever a case changes, so
-- a period's figures are a sum over a few hundred rows, never a scan of the cases. The columns
-- are the counts of eval/counts.go, in its order; `yiwang eval rebuild` recomputes everything
-- from the cases and their events. They are INTEGER, not BIGINT: PostgreSQL sums integers into a
-- bigint but bigints into numeric, several times slower, and no unit's day or month nears 2^31.
CREATE TABLE eval_cases (
    case_id       TEXT PRIMARY KEY,
    day           TEXT NOT NULL,
    contributions TEXT NOT NULL
);

CREATE TABLE eval_daily (
    level TEXT NOT NULL,
    unit  TEXT NOT NULL,
    day   TEXT NOT NULL,
    reports                    INTEGER NOT NULL DEFAULT 0,
    valid_reports              INTEGER NOT NULL DEFAULT 0,
    registered                 INTEGER NOT NULL DEFAULT 0,
    voided                     INTEGER NOT NULL DEFAULT 0,
    voided_after_registration  INTEGER NOT NULL DEFAULT 0,
    should_confirm             INTEGER NOT NULL DEFAULT 0,
    confirmed_on_time          INTEGER NOT NULL DEFAULT 0,
    should_dispatch            INTEGER NOT NULL DEFAULT 0,
    dispatched_on_time         INTEGER NOT NULL DEFAULT 0,
    returned                   INTEGER NOT NULL DEFAULT 0,
    should_handle              INTEGER NOT NULL DEFAULT 0,
    responded_on_time          INTEGER NOT NULL DEFAULT 0,
    handled                    INTEGER NOT NULL DEFAULT 0,
    handled_on_time            INTEGER NOT NULL DEFAULT 0,
    reworked                   INTEGER NOT NULL DEFAULT 0,
    reworks                    INTEGER NOT NULL DEFAULT 0,
    should_verify              INTEGER NOT NULL DEFAULT 0,
    verified_on_time           INTEGER NOT NULL DEFAULT 0,
    should_close               INTEGER NOT NULL DEFAULT 0,
    closed                     INTEGER NOT NULL DEFAULT 0,
    closed_on_time             INTEGER NOT NULL DEFAULT 0,
    resolved                   INTEGER NOT NULL DEFAULT 0,
    extended                   INTEGER NOT NULL DEFAULT 0,
    deferred                   INTEGER NOT NULL DEFAULT 0,
    shelved                    INTEGER NOT NULL DEFAULT 0,
    supervised                 INTEGER NOT NULL DEFAULT 0,
    overdue                    INTEGER NOT NULL DEFAULT 0,
    rated                      INTEGER NOT NULL DEFAULT 0,
    rated_satisfied            INTEGER NOT NULL DEFAULT 0,
    rated_mostly               INTEGER NOT NULL DEFAULT 0,
    rated_unsatisfied          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (level, day, unit)
);

CREATE TABLE eval_monthly (
    level TEXT NOT NULL,
    unit  TEXT NOT NULL,
    month TEXT NOT NULL,
    reports                    INTEGER NOT NULL DEFAULT 0,
    valid_reports              INTEGER NOT NULL DEFAULT 0,
    registered                 INTEGER NOT NULL DEFAULT 0,
    voided                     INTEGER NOT NULL DEFAULT 0,
    voided_after_registration  INTEGER NOT NULL DEFAULT 0,
    should_confirm             INTEGER NOT NULL DEFAULT 0,
    confirmed_on_time          INTEGER NOT NULL DEFAULT 0,
    should_dispatch            INTEGER NOT NULL DEFAULT 0,
    dispatched_on_time         INTEGER NOT NULL DEFAULT 0,
    returned                   INTEGER NOT NULL DEFAULT 0,
    should_handle              INTEGER NOT NULL DEFAULT 0,
    responded_on_time          INTEGER NOT NULL DEFAULT 0,
    handled                    INTEGER NOT NULL DEFAULT 0,
    handled_on_time            INTEGER NOT NULL DEFAULT 0,
    reworked                   INTEGER NOT NULL DEFAULT 0,
    reworks                    INTEGER NOT NULL DEFAULT 0,
    should_verify              INTEGER NOT NULL DEFAULT 0,
    verified_on_time           INTEGER NOT NULL DEFAULT 0,
    should_close               INTEGER NOT NULL DEFAULT 0,
    closed                     INTEGER NOT NULL DEFAULT 0,
    closed_on_time             INTEGER NOT NULL DEFAULT 0,
    resolved                   INTEGER NOT NULL DEFAULT 0,
    extended                   INTEGER NOT NULL DEFAULT 0,
    deferred                   INTEGER NOT NULL DEFAULT 0,
    shelved                    INTEGER NOT NULL DEFAULT 0,
    supervised                 INTEGER NOT NULL DEFAULT 0,
    overdue                    INTEGER NOT NULL DEFAULT 0,
    rated                      INTEGER NOT NULL DEFAULT 0,
    rated_satisfied            INTEGER NOT NULL DEFAULT 0,
    rated_mostly               INTEGER NOT NULL DEFAULT 0,
    rated_unsatisfied          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (level, month, unit)
);

-- The members of staff the person tables show: the name they acted under last, and where.
CREATE TABLE eval_people (
    user_id  TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    org_code TEXT NOT NULL
);

-- Scoring schemes as versioned data: a new version applies from valid_from (a date), and a period
-- is scored with the version in force on its first day, so old periods keep their scores.
CREATE TABLE eval_schemes (
    code         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    valid_from   TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (code, version)
);

-- 赛马场: a leader's pick of a 担当者 candidate, with the reason and the period it rests on.
CREATE TABLE eval_picks (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    picked_by   TEXT NOT NULL,
    picked_by_name TEXT NOT NULL,
    picked_path TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX eval_picks_user ON eval_picks(user_id, created_at);

-- A person's evidence (the steps they took in a period) is read by actor.
CREATE INDEX case_events_actor ON case_events(actor_id, at);

-- Figures by category and place for a period (dashboard, briefing) read cases by report time.
CREATE INDEX cases_reported ON cases(reported_at);

-- Durable readers of the outbox (package notify): each named reader's last applied event. The
-- row is locked while a batch is applied, so one node at a time applies it, in seq order.
CREATE TABLE outbox_cursors (
    name TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE outbox_cursors;
DROP INDEX case_events_actor;
DROP INDEX cases_reported;
DROP TABLE eval_picks;
DROP TABLE eval_schemes;
DROP TABLE eval_people;
DROP TABLE eval_monthly;
DROP TABLE eval_daily;
DROP TABLE eval_cases;
