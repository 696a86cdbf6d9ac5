-- +goose Up
-- Territory, organisation, people, sessions and the audit chain (issue 2).
-- Times are UTC instants (timestamptz).
CREATE TABLE org_nodes (
    code        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('district','subdistrict','community','department')),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    parent_code TEXT REFERENCES org_nodes(code),
    path        TEXT NOT NULL UNIQUE,
    slug        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX org_nodes_parent ON org_nodes(parent_code);

CREATE TABLE zones (
    code              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    name_en           TEXT NOT NULL DEFAULT '',
    subdistrict_code  TEXT NOT NULL REFERENCES org_nodes(code),
    path              TEXT NOT NULL,
    lead_organisation TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE grids (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('basic','dedicated')),
    community_code TEXT NOT NULL REFERENCES org_nodes(code),
    zone_code      TEXT REFERENCES zones(code),
    path           TEXT NOT NULL,
    households     INTEGER NOT NULL DEFAULT 0,
    area_m2        DOUBLE PRECISION NOT NULL DEFAULT 0,
    geometry       TEXT NOT NULL,
    min_lng        DOUBLE PRECISION NOT NULL,
    min_lat        DOUBLE PRECISION NOT NULL,
    max_lng        DOUBLE PRECISION NOT NULL,
    max_lat        DOUBLE PRECISION NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX grids_community ON grids(community_code);
CREATE INDEX grids_path ON grids(path);

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    phone_enc            TEXT NOT NULL DEFAULT '',
    phone_hash           TEXT UNIQUE,
    phone_masked         TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    disabled             BOOLEAN NOT NULL DEFAULT false,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TIMESTAMPTZ,
    must_change_password BOOLEAN NOT NULL DEFAULT false,
    password_changed_at  TIMESTAMPTZ NOT NULL,
    last_login_at        TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE role_grants (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL,
    org_code   TEXT NOT NULL REFERENCES org_nodes(code),
    org_path   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, role, org_code)
);
CREATE INDEX role_grants_path ON role_grants(org_path);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL CHECK (kind IN ('cookie','bearer')),
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE verification_codes (
    phone_hash TEXT PRIMARY KEY,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL,
    actor_id       TEXT NOT NULL DEFAULT '',
    actor_name     TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL DEFAULT '',
    org_code       TEXT NOT NULL DEFAULT '',
    org_path       TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    object_type    TEXT NOT NULL DEFAULT '',
    object_id      TEXT NOT NULL DEFAULT '',
    before_summary TEXT NOT NULL DEFAULT '',
    after_summary  TEXT NOT NULL DEFAULT '',
    ip             TEXT NOT NULL DEFAULT '',
    result         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_path ON audit_log(org_path);

-- The append-only rule is enforced by the database too, not only by the code.
-- Records older than the 6-month retention (plus margin) may be purged; nothing may be edited.
-- +goose StatementBegin
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '190 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_guard();

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE audit_log;
DROP FUNCTION audit_log_guard();
DROP TABLE verification_codes;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE users;
DROP TABLE grids;
DROP TABLE zones;
DROP TABLE org_nodes;
