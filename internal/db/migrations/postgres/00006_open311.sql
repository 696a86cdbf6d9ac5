-- +goose Up
-- Open311 GeoReport v2 (issue 4): API keys of client applications, what each catalogue category
-- says as an Open311 service (type, attributes), and what a client sent with each request.
-- Times are UTC instants.

-- One key per client application. Only the SHA-256 of the key is stored; the key is shown once.
CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    key_hash        TEXT NOT NULL UNIQUE,
    rate_per_minute INTEGER NOT NULL DEFAULT 0 CHECK (rate_per_minute >= 0), -- 0: the server default
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    revoked_at      TIMESTAMPTZ
);
-- A name is taken while its key is active; a revoked name may be issued again.
CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;

-- The Open311 service type of a category (realtime unless a row says otherwise).
CREATE TABLE open311_services (
    class      TEXT NOT NULL,
    code       TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('realtime','batch','blackbox')),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (class, code)
);

-- Extra questions a category asks (GeoReport v2 service definition). value_list is a JSON array
-- of {key, name, name_en} for the two list datatypes.
CREATE TABLE open311_attributes (
    class                   TEXT NOT NULL,
    code                    TEXT NOT NULL,
    attribute               TEXT NOT NULL,
    variable                BOOLEAN NOT NULL DEFAULT true,
    datatype                TEXT NOT NULL CHECK (datatype IN ('string','number','datetime','text','singlevaluelist','multivaluelist')),
    required                BOOLEAN NOT NULL DEFAULT false,
    datatype_description    TEXT NOT NULL DEFAULT '',
    datatype_description_en TEXT NOT NULL DEFAULT '',
    position                INTEGER NOT NULL CHECK (position > 0),
    description             TEXT NOT NULL,
    description_en          TEXT NOT NULL DEFAULT '',
    value_list              TEXT NOT NULL DEFAULT '[]',
    updated_at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (class, code, attribute),
    UNIQUE (class, code, position)
);

-- What an API client sent with a request besides the case itself: which client, the batch token,
-- the contact fields other than the phone (sealed by the vault, never shown) and its media_url.
CREATE TABLE open311_requests (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id),
    api_key_id  TEXT NOT NULL REFERENCES api_keys(id),
    token       TEXT UNIQUE,
    contact_enc TEXT NOT NULL DEFAULT '',
    media_url   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);

-- GET requests selects by report time (newest first) within at most 90 days.
CREATE INDEX cases_reported_at ON cases(reported_at, id);

-- +goose Down
DROP INDEX cases_reported_at;
DROP TABLE open311_requests;
DROP TABLE open311_attributes;
DROP TABLE open311_services;
DROP TABLE api_keys;
