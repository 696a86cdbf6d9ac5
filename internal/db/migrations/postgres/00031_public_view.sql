-- +goose Up
-- The public view of cases (issue 14), decided once in package cases (publicview.go):
-- - cases.private: the reporter chose "do not publish" (不公开) on the report form;
-- - cases.public_text: the text staff set for the public before publishing (NULL: the
--   description, passed through the one redaction function);
-- - cases.public_reply: the handling unit's reply to the public (答复), never an internal note;
-- - case_photos.public: a photo staff marked public (every photo is stored re-encoded, without
--   metadata; none is public until someone says so);
-- - categories.sensitive: a category whose cases are never public (a person's situation, security).
ALTER TABLE cases ADD COLUMN private BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE cases ADD COLUMN public_text TEXT;
ALTER TABLE cases ADD COLUMN public_reply TEXT NOT NULL DEFAULT '';
ALTER TABLE case_photos ADD COLUMN public BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE categories ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE categories DROP COLUMN sensitive;
ALTER TABLE case_photos DROP COLUMN public;
ALTER TABLE cases DROP COLUMN public_reply;
ALTER TABLE cases DROP COLUMN public_text;
ALTER TABLE cases DROP COLUMN private;
