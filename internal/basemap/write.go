package basemap

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// WriteMBTiles writes a raster MBTiles file at path (it must not exist) holding tiles, keyed by
// their XYZ place; format is the metadata's format (png, jpg, webp). Tests use it, and it makes
// a small offline map from tiles at hand.
func WriteMBTiles(ctx context.Context, path, format string, tiles map[Coord][]byte) error {
	db, err := openWritable(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer db.Close()
	maxZoom := 0
	for c := range tiles {
		maxZoom = max(maxZoom, c.Z)
	}
	stmts := []string{
		`CREATE TABLE metadata (name TEXT PRIMARY KEY, value TEXT)`,
		`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
		`CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
	}
	for name, value := range map[string]string{"name": "yiwang", "format": format, "minzoom": "0", "maxzoom": strconv.Itoa(maxZoom)} {
		if _, err := db.ExecContext(ctx, `INSERT INTO metadata (name, value) VALUES ($1, $2)`, name, value); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	for c, data := range tiles {
		// MBTiles rows count from the south (TMS).
		if _, err := db.ExecContext(ctx, `INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES ($1, $2, $3, $4)`,
			c.Z, c.X, (1<<c.Z-1)-c.Y, data); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// openWritable opens an SQLite file for writing (WriteMBTiles and tests).
func openWritable(path string) (*sql.DB, error) { return sql.Open("sqlite", "file:"+path) }
