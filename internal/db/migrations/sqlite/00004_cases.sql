-- +goose Up
-- The case desk (issue 3): cases, their departments, events, photos, reporters, counters,
-- notifications and the keyword index.
CREATE TABLE cases (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    external_id       TEXT UNIQUE,
    status            TEXT NOT NULL,
    previous_status   TEXT NOT NULL DEFAULT '',
    channel           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    category_class    TEXT NOT NULL DEFAULT '',
    category_code     TEXT NOT NULL DEFAULT '',
    urgency           TEXT NOT NULL,
    lat               REAL NOT NULL,
    lng               REAL NOT NULL,
    address           TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL,
    grid_code         TEXT NOT NULL,
    community_code    TEXT NOT NULL,
    subdistrict_code  TEXT NOT NULL,
    zone_code         TEXT NOT NULL DEFAULT '',
    path              TEXT NOT NULL,
    reporter_id       TEXT NOT NULL DEFAULT '',
    reporter_name     TEXT NOT NULL DEFAULT '',
    reporter_phone_enc    TEXT NOT NULL DEFAULT '',
    reporter_phone_masked TEXT NOT NULL DEFAULT '',
    anonymous         BOOLEAN NOT NULL DEFAULT false,
    follow_token_hash TEXT NOT NULL UNIQUE,
    lead_department   TEXT NOT NULL DEFAULT '',
    suggested_department TEXT NOT NULL DEFAULT '',
    returned_department TEXT NOT NULL DEFAULT '',
    confirm_result    TEXT NOT NULL DEFAULT '',
    rework_count      INTEGER NOT NULL DEFAULT 0,
    reopen_count      INTEGER NOT NULL DEFAULT 0,
    reopened          BOOLEAN NOT NULL DEFAULT false,
    supervise_count   INTEGER NOT NULL DEFAULT 0,
    extension_pending BOOLEAN NOT NULL DEFAULT false,
    merged_into       TEXT NOT NULL DEFAULT '',
    rating            TEXT NOT NULL DEFAULT '',
    rated             BOOLEAN NOT NULL DEFAULT false,
    stage             TEXT NOT NULL,
    stage_started_at  DATETIME NOT NULL,
    stage_due         DATETIME,
    handle_due        DATETIME,
    deadline_imported BOOLEAN NOT NULL DEFAULT false,
    warned_stage      TEXT NOT NULL DEFAULT '',
    overdue_stage     TEXT NOT NULL DEFAULT '',
    reported_at       DATETIME NOT NULL,
    registered_at     DATETIME,
    dispatched_at     DATETIME,
    closed_at         DATETIME,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX cases_queue ON cases(subdistrict_code, status, stage_due);
CREATE INDEX cases_path_due ON cases(path, stage_due);
-- The desk's default view: open cases by the running stage's deadline. Cases without a clock
-- carry a far-future stage_due (9999-01-01), so the same plain ORDER BY works on both engines.
CREATE INDEX cases_open_due ON cases(stage_due, id) WHERE status NOT IN ('closed','voided','merged');
CREATE INDEX cases_reporter ON cases(reporter_id, reported_at);
CREATE INDEX cases_lead ON cases(lead_department, status, stage_due);
CREATE INDEX cases_dup ON cases(category_code, lat);
CREATE INDEX cases_grid ON cases(grid_code, status);

CREATE TABLE case_departments (
    case_id         TEXT NOT NULL REFERENCES cases(id),
    department_code TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('lead','assisting')),
    since           DATETIME NOT NULL,
    PRIMARY KEY (case_id, department_code)
);
CREATE INDEX case_departments_dept ON case_departments(department_code);

CREATE TABLE case_events (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    seq        INTEGER NOT NULL,
    action     TEXT NOT NULL,
    status     TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '',
    org_code   TEXT NOT NULL DEFAULT '',
    at         DATETIME NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '{}',
    public     BOOLEAN NOT NULL DEFAULT true,
    UNIQUE (case_id, seq)
);
CREATE INDEX case_events_action_at ON case_events(action, at);

CREATE TABLE case_reporters (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    reporter_id  TEXT NOT NULL DEFAULT '',
    follow_token_hash TEXT NOT NULL DEFAULT '',
    reported_at  DATETIME NOT NULL,
    original_case TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_reporters_case ON case_reporters(case_id);

CREATE TABLE case_photos (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    event_id     TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('report','evidence')),
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    thumbnail    BLOB NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX case_photos_case ON case_photos(case_id);

CREATE TABLE case_counters (
    district_code TEXT NOT NULL,
    day           TEXT NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (district_code, day)
);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    case_id    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    read_at    DATETIME
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

-- Keyword search: Go-side bigram tokens (package textsearch) in an FTS5 table.
CREATE VIRTUAL TABLE case_search USING fts5(case_id UNINDEXED, tokens, tokenize = 'unicode61');

-- +goose Down
DROP TABLE case_search;
DROP TABLE notifications;
DROP TABLE case_counters;
DROP TABLE case_photos;
DROP TABLE case_reporters;
DROP TABLE case_events;
DROP TABLE case_departments;
DROP TABLE cases;
