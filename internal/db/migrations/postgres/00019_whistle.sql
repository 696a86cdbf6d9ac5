-- +goose Up
-- 网格吹哨、部门报到 (package whistle; standards-cn.md §3.3): a whistle on a case summons handling
-- units to its place; each summoned unit acknowledges, checks in on site (time and position from
-- the phone), reports its task done, and is rated by the whistler once the whistle is closed. A
-- whistle's place in the org tree is its case's path (scope is a prefix test on it); the units it
-- summons are rows of whistle_summons (scope's "summoned" relation for department staff).
CREATE TABLE whistles (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL,
    case_number      TEXT NOT NULL DEFAULT '',
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    ask              TEXT NOT NULL,
    lat              DOUBLE PRECISION NOT NULL,
    lng              DOUBLE PRECISION NOT NULL,
    grid_code        TEXT NOT NULL,
    community_code   TEXT NOT NULL,
    subdistrict_code TEXT NOT NULL,
    path             TEXT NOT NULL,
    check_in_minutes INTEGER,
    blown_by         TEXT NOT NULL,
    blown_by_name    TEXT NOT NULL,
    blown_role       TEXT NOT NULL,
    blown_org_code   TEXT NOT NULL,
    blown_at         TIMESTAMPTZ NOT NULL,
    closed_at        TIMESTAMPTZ,
    closed_by        TEXT NOT NULL DEFAULT '',
    cancelled_at     TIMESTAMPTZ,
    note             TEXT NOT NULL DEFAULT '',
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX whistles_path ON whistles(path, blown_at);
CREATE INDEX whistles_case ON whistles(case_id);
CREATE INDEX whistles_blown ON whistles(blown_at, id);

-- One row per summoned unit: its task and its answer (报到). due_at is the check-in deadline,
-- computed once when the whistle is blown (wall clock for emergencies, the work calendar for the
-- others); escalated_at is set once, by the claim of the escalation job.
CREATE TABLE whistle_summons (
    whistle_id      TEXT NOT NULL,
    department_code TEXT NOT NULL,
    department_name TEXT NOT NULL DEFAULT '',
    task            TEXT NOT NULL,
    status          TEXT NOT NULL,
    due_at          TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    checked_in_at   TIMESTAMPTZ,
    checked_in_by   TEXT NOT NULL DEFAULT '',
    check_in_lat    DOUBLE PRECISION,
    check_in_lng    DOUBLE PRECISION,
    distance_m      INTEGER,
    late            BOOLEAN NOT NULL DEFAULT false,
    flagged         BOOLEAN NOT NULL DEFAULT false,
    task_done_at    TIMESTAMPTZ,
    task_note       TEXT NOT NULL DEFAULT '',
    escalated_at    TIMESTAMPTZ,
    stars           INTEGER,
    rating_note     TEXT NOT NULL DEFAULT '',
    rated_at        TIMESTAMPTZ,
    rated_by        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (whistle_id, department_code)
);
CREATE INDEX whistle_summons_department ON whistle_summons(department_code, whistle_id);
-- The escalation job's scan: summons still waiting for their check-in and not yet escalated.
CREATE INDEX whistle_summons_waiting ON whistle_summons(due_at) WHERE checked_in_at IS NULL AND escalated_at IS NULL;

-- The shared thread of a whistle (联动联治: the whistler and every summoned unit).
CREATE TABLE whistle_messages (
    id          TEXT PRIMARY KEY,
    whistle_id  TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    author_name TEXT NOT NULL,
    role        TEXT NOT NULL,
    org_code    TEXT NOT NULL,
    body        TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX whistle_messages_whistle ON whistle_messages(whistle_id, at);

-- +goose Down
DROP TABLE whistle_messages;
DROP TABLE whistle_summons;
DROP TABLE whistles;
