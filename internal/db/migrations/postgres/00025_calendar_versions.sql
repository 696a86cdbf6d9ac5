-- +goose Up
-- Versions of the work calendar (package calendar, store.go): every change of a year is kept as a
-- whole year (the import file's JSON) with the instant it takes effect from, so an edit may be
-- planned ahead and the calendar in force at any instant can be rebuilt. A year stored before
-- this migration (calendar_years) applies until its first version.
CREATE TABLE calendar_versions (
    id             TEXT PRIMARY KEY,
    year           INTEGER NOT NULL,
    effective_from TIMESTAMPTZ NOT NULL,
    data           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    created_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX calendar_versions_year ON calendar_versions(year, effective_from);

-- +goose Down
DROP TABLE calendar_versions;
