-- +goose Up
-- The category catalogue (GB/T 47678.5-2026 部件/事项, 大类/小类), its time limits, and the routing
-- rules that pick a department for a case (category × area × time).
-- Times are UTC instants (timestamptz).
CREATE TABLE category_majors (
    class   TEXT NOT NULL CHECK (class IN ('component','event')),
    code    TEXT NOT NULL,
    name    TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (class, code)
);

CREATE TABLE categories (
    class                  TEXT NOT NULL CHECK (class IN ('component','event')),
    code                   TEXT NOT NULL,
    major_code             TEXT NOT NULL,
    name                   TEXT NOT NULL,
    name_en                TEXT NOT NULL DEFAULT '',
    standard_ref           TEXT NOT NULL,
    old_code               TEXT NOT NULL DEFAULT '',
    old_standard_ref       TEXT NOT NULL DEFAULT '',
    keywords               TEXT NOT NULL DEFAULT '',
    confirm_required       BOOLEAN NOT NULL DEFAULT true,
    duplicate_radius_m     INTEGER NOT NULL DEFAULT 50,
    duplicate_window_hours INTEGER NOT NULL DEFAULT 72,
    active                 BOOLEAN NOT NULL DEFAULT true,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (class, code),
    FOREIGN KEY (class, major_code) REFERENCES category_majors (class, code)
);
CREATE INDEX categories_code ON categories(code);

-- One row per category × urgency × stage; class '*' and code '*' hold the catalogue-wide defaults.
CREATE TABLE category_limits (
    class      TEXT NOT NULL,
    code       TEXT NOT NULL,
    urgency    TEXT NOT NULL CHECK (urgency IN ('normal','urgent','emergency')),
    stage      TEXT NOT NULL CHECK (stage IN ('confirm','register','dispatch','sign','handle','verify')),
    value      INTEGER NOT NULL CHECK (value > 0),
    unit       TEXT NOT NULL CHECK (unit IN ('hours','days')),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (class, code, urgency, stage)
);

CREATE TABLE routing_rules (
    id              TEXT PRIMARY KEY,
    priority        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    category_class  TEXT NOT NULL DEFAULT '',
    category_code   TEXT NOT NULL DEFAULT '',
    org_code        TEXT NOT NULL DEFAULT '',
    urgency         TEXT NOT NULL DEFAULT '',
    time_window     TEXT NOT NULL DEFAULT 'any' CHECK (time_window IN ('any','working','off_hours')),
    department_code TEXT NOT NULL REFERENCES org_nodes(code),
    assisting       TEXT NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX routing_rules_order ON routing_rules(priority, id);

-- +goose Down
DROP TABLE routing_rules;
DROP TABLE category_limits;
DROP TABLE categories;
DROP TABLE category_majors;
