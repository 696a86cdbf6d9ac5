-- +goose Up
-- A reporter's name is personal data (等保 2.0 level 3: important personal information encrypted
-- at rest): sealed here with the cases data key (package pii), while reporter_name keeps only the
-- masked form (王**) that lists and case pages show. Rows written before hold the name plain in
-- reporter_name until the application seals them at start (cases.Service.SealNames).
ALTER TABLE cases ADD COLUMN reporter_name_enc TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cases DROP COLUMN reporter_name_enc;
