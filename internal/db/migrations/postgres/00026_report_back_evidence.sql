-- +goose Up
-- 反馈 with evidence (issue 13): a category may require a photo taken after the fix before a
-- handling unit reports back (package category, evidence.go), and a case's photos say which side
-- of the fix they show (处置前/处置后), so verification (核查) puts them side by side. '' is a
-- photo without a side: the reporter's, a grid worker's, or one taken before this column.
ALTER TABLE categories ADD COLUMN requires_photo BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE case_photos ADD COLUMN stage TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE case_photos DROP COLUMN stage;
ALTER TABLE categories DROP COLUMN requires_photo;
