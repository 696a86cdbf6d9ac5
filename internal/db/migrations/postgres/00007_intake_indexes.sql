-- +goose Up
-- Every index on a table written at intake costs each new case a page write; these two served no
-- query (scope conditions compare path prefixes with substr, which no index answers).
DROP INDEX cases_path_due;
DROP INDEX audit_log_path;
-- The duplicate check looks at open cases of one category near a point within a time window. An
-- index of every case by (category, lat) grew with the whole history and sent each candidate to
-- the table; this one holds only open cases and answers the place and window from the index.
DROP INDEX cases_dup;
CREATE INDEX cases_dup_open ON cases(category_code, lat, lng, reported_at, status) WHERE status NOT IN ('closed','voided','merged');

-- +goose Down
DROP INDEX cases_dup_open;
CREATE INDEX cases_dup ON cases(category_code, lat);
CREATE INDEX audit_log_path ON audit_log(org_path);
CREATE INDEX cases_path_due ON cases(path, stage_due);
