-- +goose Up
-- The audit chain is keyed (HMAC-SHA256; GB/T 22239-2019 第三级 安全审计: records protected
-- against deletion, modification and overwriting). Each record names the version of the key that
-- sealed it, so keys can be rotated and old records still verified with the old key. Records
-- written before the chain was keyed are version 0 (plain SHA-256).
ALTER TABLE audit_log ADD COLUMN key_version INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE audit_log DROP COLUMN key_version;
