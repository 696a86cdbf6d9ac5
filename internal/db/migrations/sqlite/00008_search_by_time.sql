-- +goose Up
-- The keyword index is keyed by report time (see internal/cases/searchkey.go): milliseconds since
-- 1970 × 10⁶ plus the case's row number modulo 10⁶. FTS5 reads a word's matches in key order,
-- so the newest matches of even a very common word come first without sorting them all.
CREATE VIRTUAL TABLE case_search_by_time USING fts5(case_id UNINDEXED, tokens, tokenize = 'unicode61');
INSERT INTO case_search_by_time (rowid, case_id, tokens)
    SELECT CAST(round(unixepoch(c.reported_at, 'subsec') * 1000) AS INTEGER) * 1000000 + c.rowid % 1000000, s.case_id, s.tokens
    FROM case_search s JOIN cases c ON c.id = s.case_id;
DROP TABLE case_search;
ALTER TABLE case_search_by_time RENAME TO case_search;

-- +goose Down
CREATE VIRTUAL TABLE case_search_by_insert USING fts5(case_id UNINDEXED, tokens, tokenize = 'unicode61');
INSERT INTO case_search_by_insert (case_id, tokens) SELECT case_id, tokens FROM case_search ORDER BY rowid;
DROP TABLE case_search;
ALTER TABLE case_search_by_insert RENAME TO case_search;
