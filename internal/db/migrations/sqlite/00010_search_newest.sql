-- +goose Up
-- PostgreSQL keeps the report time beside each case's keyword tokens in this version; SQLite's
-- keyword index is keyed by report time already (00008). The empty step keeps both engines at
-- the same schema version.
SELECT 1;

-- +goose Down
SELECT 1;
