-- +goose Up
-- Versions of settings edited on the configuration pages other than the calendar (package
-- configver): notification templates (area notify.template, key "<text key>|<language>") and the
-- SMS and WeChat gateways (area notify.gateway, key the channel). Every change is kept with the
-- instant it takes effect from, so a change may be planned ahead and what was in force at any
-- instant can be told. data is the area's JSON (a gateway's is sealed: its URL carries a token).
CREATE TABLE config_versions (
    id             TEXT PRIMARY KEY,
    area           TEXT NOT NULL,
    key            TEXT NOT NULL,
    data           TEXT NOT NULL,
    effective_from DATETIME NOT NULL,
    created_at     DATETIME NOT NULL,
    created_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX config_versions_key ON config_versions(area, key, effective_from);

-- +goose Down
DROP TABLE config_versions;
