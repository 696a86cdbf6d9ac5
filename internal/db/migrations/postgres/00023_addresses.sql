-- +goose Up
-- 地址库 (package address): door-plate addresses (kind door) and points of interest (kind poi),
-- each with its WGS-84 point and the unit grid holding it, derived at import. The address text is
-- unique: importing it again updates the row. Search runs on an in-memory index of every node,
-- rebuilt when an import bumps the settings key addresses_version.
CREATE TABLE addresses (
    id             TEXT PRIMARY KEY,
    address        TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL,
    lat            DOUBLE PRECISION NOT NULL,
    lng            DOUBLE PRECISION NOT NULL,
    grid_code      TEXT NOT NULL,
    community_code TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX addresses_grid ON addresses(grid_code);

-- +goose Down
DROP TABLE addresses;
