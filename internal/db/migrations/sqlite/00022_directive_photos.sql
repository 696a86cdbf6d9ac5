-- +goose Up
-- Photos of a grid's done report on a directive (指令穿透: "report it done: note, photos,
-- position"), re-encoded by package photo like a case's, kept beside the directive's targets.
CREATE TABLE directive_photos (
    id           TEXT PRIMARY KEY,
    directive_id TEXT NOT NULL REFERENCES directives(id),
    grid_code    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    thumbnail    BLOB NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX directive_photos_target ON directive_photos(directive_id, grid_code);

-- +goose Down
DROP TABLE directive_photos;
