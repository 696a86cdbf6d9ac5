-- +goose Up
-- 一网速查, the district's daily-services directory (package directory, issue 15).
-- - service_places: where a service is given (offices, 便民服务中心, community stations, 15-minute
--   life-circle points, clinics), with opening hours (JSON, directory/hours) and the org codes of
--   the residents each serves ("which office serves my address");
-- - services: the published entries, each owned by a unit (org node) whose path puts it in an
--   editor's scope; aliases, materials and place ids are JSON arrays;
-- - service_changes: an editor's proposed creation, change or withdrawal, published only once a
--   second editor approves it;
-- - service_synonyms: the editors' groups of words residents use alike (居住证 ~ 暂住证);
-- - service_queries: what residents searched per day, and how often nothing was found.
CREATE TABLE service_places (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    unit_code  TEXT NOT NULL REFERENCES org_nodes(code),
    path       TEXT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    lat        REAL NOT NULL,
    lng        REAL NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    hours      TEXT NOT NULL,
    serves     TEXT NOT NULL DEFAULT '[]',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX service_places_path ON service_places(path);

CREATE TABLE services (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    aliases          TEXT NOT NULL DEFAULT '[]',
    category         TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    materials        TEXT NOT NULL DEFAULT '[]',
    fees             TEXT NOT NULL DEFAULT '',
    processing_time  TEXT NOT NULL DEFAULT '',
    legal_basis      TEXT NOT NULL DEFAULT '',
    online           BOOLEAN NOT NULL DEFAULT false,
    online_url       TEXT NOT NULL DEFAULT '',
    unit_code        TEXT NOT NULL REFERENCES org_nodes(code),
    path             TEXT NOT NULL,
    place_ids        TEXT NOT NULL DEFAULT '[]',
    version          INTEGER NOT NULL DEFAULT 1,
    reviewed_at      DATETIME NOT NULL,
    reviewed_by_name TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    UNIQUE (unit_code, name)
);
CREATE INDEX services_path ON services(path);

CREATE TABLE service_changes (
    id               TEXT PRIMARY KEY,
    service_id       TEXT,
    op               TEXT NOT NULL CHECK (op IN ('create','update','delete')),
    unit_code        TEXT NOT NULL,
    path             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    before_payload   TEXT,
    base_version     INTEGER NOT NULL DEFAULT 0,
    proposed_by      TEXT NOT NULL,
    proposed_by_name TEXT NOT NULL DEFAULT '',
    proposed_at      DATETIME NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
    reviewed_by      TEXT,
    reviewed_by_name TEXT NOT NULL DEFAULT '',
    reviewed_at      DATETIME,
    note             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_changes_status ON service_changes(status, proposed_at);
CREATE INDEX service_changes_service ON service_changes(service_id, status);

CREATE TABLE service_synonyms (
    seq   INTEGER PRIMARY KEY,
    words TEXT NOT NULL
);

CREATE TABLE service_queries (
    day        TEXT NOT NULL,
    q          TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 0,
    zero_count INTEGER NOT NULL DEFAULT 0,
    last_at    DATETIME NOT NULL,
    PRIMARY KEY (day, q)
);

-- +goose Down
DROP TABLE service_queries;
DROP TABLE service_synonyms;
DROP TABLE service_changes;
DROP TABLE services;
DROP TABLE service_places;
