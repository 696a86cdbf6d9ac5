-- +goose Up
-- SQLite keys its keyword index by report time in this version; PostgreSQL's GIN index of
-- tsvectors needs no change. The empty step keeps both engines at the same schema version.
SELECT 1;

-- +goose Down
SELECT 1;
