-- +goose Up
-- A keyword search lists the newest matches first. With the report time beside each case's
-- tokens and an index in that order, PostgreSQL can walk matches from the newest and stop after a
-- page instead of gathering every match of a common word from the GIN index and sorting them.
ALTER TABLE case_search ADD COLUMN reported_at TIMESTAMPTZ;
UPDATE case_search s SET reported_at = c.reported_at FROM cases c WHERE c.id = s.case_id;
ALTER TABLE case_search ALTER COLUMN reported_at SET NOT NULL;
CREATE INDEX case_search_newest ON case_search(reported_at DESC, case_id DESC);
-- Scope is a path prefix compared with substr (access.PathCondition). Without statistics on those
-- expressions the planner guesses that a subdistrict's cases are 0.5 % of all and starts from them;
-- with them it knows their share and walks the newest matches instead. Prefix lengths: district,
-- subdistrict, community and grid paths of GB/T 2260 codes (/350503/, +350503001/, +…001/, +…001/).
CREATE STATISTICS cases_scope_district ON (substr(path, 1, 8)) FROM cases;
CREATE STATISTICS cases_scope_subdistrict ON (substr(path, 1, 18)) FROM cases;
CREATE STATISTICS cases_scope_community ON (substr(path, 1, 31)) FROM cases;
CREATE STATISTICS cases_scope_grid ON (substr(path, 1, 47)) FROM cases;

-- +goose Down
DROP STATISTICS cases_scope_grid;
DROP STATISTICS cases_scope_community;
DROP STATISTICS cases_scope_subdistrict;
DROP STATISTICS cases_scope_district;
DROP INDEX case_search_newest;
ALTER TABLE case_search DROP COLUMN reported_at;
