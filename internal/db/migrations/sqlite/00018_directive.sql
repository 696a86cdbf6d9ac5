-- +goose Up
-- Directives (指令穿透, package directive): a top-down instruction shaped like a CAP 1.2 alert,
-- and one row per grid it was resolved to when issued (directive_targets), which carries that
-- grid's acknowledgement, its action report and how far its missing acknowledgement has been
-- escalated. A directive's place is its issuer's node (path); its targets' paths are where else
-- it is in reach (access.Kind Places), so a community's staff see the directives that target
-- any of its grids and nothing else.
CREATE TABLE directives (
    id               TEXT PRIMARY KEY,
    msg_type         TEXT NOT NULL CHECK (msg_type IN ('Alert','Update','Cancel')),
    status           TEXT NOT NULL CHECK (status IN ('active','superseded','cancelled')),
    title            TEXT NOT NULL,
    instruction      TEXT NOT NULL,
    category         TEXT NOT NULL,
    urgency          TEXT NOT NULL,
    severity         TEXT NOT NULL,
    certainty        TEXT NOT NULL,
    effective        DATETIME,
    expires          DATETIME,
    ack_due          DATETIME NOT NULL,
    escalation_hours INTEGER NOT NULL,
    escalate_at      DATETIME NOT NULL,
    action_required  BOOLEAN NOT NULL DEFAULT false,
    references_id    TEXT NOT NULL DEFAULT '',
    superseded_by    TEXT NOT NULL DEFAULT '',
    ended_at         DATETIME,
    target           TEXT NOT NULL,
    area_desc        TEXT NOT NULL,
    path             TEXT NOT NULL,
    issuer_code      TEXT NOT NULL,
    issuer_name      TEXT NOT NULL,
    issued_by        TEXT NOT NULL,
    issued_by_name   TEXT NOT NULL,
    issued_at        DATETIME NOT NULL,
    targeted         INTEGER NOT NULL
);
CREATE INDEX directives_issued ON directives(issued_at, id);
CREATE INDEX directives_due ON directives(status, ack_due);

CREATE TABLE directive_targets (
    directive_id     TEXT NOT NULL REFERENCES directives(id),
    grid_code        TEXT NOT NULL,
    path             TEXT NOT NULL,
    community_code   TEXT NOT NULL,
    subdistrict_code TEXT NOT NULL,
    zone_code        TEXT NOT NULL DEFAULT '',
    acknowledged_at  DATETIME,
    acknowledged_by  TEXT NOT NULL DEFAULT '',
    done_at          DATETIME,
    note             TEXT NOT NULL DEFAULT '',
    lat              REAL,
    lng              REAL,
    escalated_level  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (directive_id, grid_code)
);
-- Coverage is one GROUP BY over a directive's rows: this index covers it (no table visits).
CREATE INDEX directive_targets_coverage ON directive_targets(directive_id, subdistrict_code, community_code, acknowledged_at, done_at);
CREATE INDEX directive_targets_path ON directive_targets(path);

-- +goose Down
DROP TABLE directive_targets;
DROP TABLE directives;
