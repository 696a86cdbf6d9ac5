-- +goose Up
-- Envelope encryption of personal data (package pii; 等保 2.0 level 3, GB/T 22239-2019 8.1.4.8
-- 数据保密性): one data key per table (purpose) and version, stored only wrapped by a
-- key-encryption key (KEK) that lives outside the database (the key file or YIWANG_SECRET_KEY).
-- kek_id names the KEK that wraps the key; a sealed value names its purpose and version, so a
-- value sealed before a rotation still opens. state: active (seals new values; one per purpose),
-- retiring (a rotation is re-sealing its values), retired (no value used it when the rotation
-- ended; kept wrapped so a value a node sealed with a stale cache still opens).
CREATE TABLE pii_data_keys (
    purpose    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    kek_id     TEXT NOT NULL,
    wrapped    TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    retired_at DATETIME,
    PRIMARY KEY (purpose, version)
);

-- +goose Down
DROP TABLE pii_data_keys;
