package basemap

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, as package db uses it
)

// errNoTile is a tile the file does not hold.
var errNoTile = errors.New("no such tile")

// mbtiles is an open MBTiles file (an SQLite database with a tiles table whose rows count from
// the south, as TMS does: row = 2^z − 1 − y).
type mbtiles struct {
	db *sql.DB
	// contentType comes from the metadata's format; empty: sniffed per tile.
	contentType string
	maxZoom     int // the metadata's maxzoom; 0 when it has none
}

// sqliteMagic opens every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// readHead reads the first n bytes of a regular file.
func readHead(path string, n int) ([]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file", path)
	}
	head := make([]byte, n)
	read, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	return head[:read], info, nil
}

// openMBTiles opens path read-only and checks that it is a raster MBTiles file.
func openMBTiles(ctx context.Context, path string) (*mbtiles, error) {
	head, _, err := readHead(path, len(sqliteMagic))
	if err != nil {
		return nil, fmt.Errorf("tiles file: %w", err)
	}
	if !bytes.Equal(head, sqliteMagic) {
		return nil, fmt.Errorf("tiles file %s is not an MBTiles file (not an SQLite database)", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("tiles file %s: %w", path, err)
	}
	uri := "file:" + strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(abs) + "?mode=ro&_pragma=query_only(1)"
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("open tiles file %s: %w", path, err)
	}
	m := &mbtiles{db: db}
	if err := m.inspect(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("tiles file %s is not a raster MBTiles file: %w", path, err)
	}
	return m, nil
}

// inspect checks the tiles table and reads the metadata's format and maxzoom.
func (m *mbtiles) inspect(ctx context.Context) error {
	var n int
	if err := m.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'tiles' AND type IN ('table', 'view')`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errors.New("it has no tiles table")
	}
	rows, err := m.db.QueryContext(ctx, `SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 0`)
	if err != nil {
		return fmt.Errorf("its tiles table lacks the MBTiles columns: %w", err)
	}
	rows.Close()
	if err := m.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'metadata' AND type IN ('table', 'view')`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return nil // no metadata: tiles are sniffed
	}
	var format, maxZoom sql.NullString
	_ = m.db.QueryRowContext(ctx, `SELECT value FROM metadata WHERE name = 'format'`).Scan(&format)
	_ = m.db.QueryRowContext(ctx, `SELECT value FROM metadata WHERE name = 'maxzoom'`).Scan(&maxZoom)
	switch strings.ToLower(strings.TrimSpace(format.String)) {
	case "png":
		m.contentType = "image/png"
	case "jpg", "jpeg":
		m.contentType = "image/jpeg"
	case "webp":
		m.contentType = "image/webp"
	case "":
	case "pbf", "mvt":
		return errors.New("it holds vector tiles (format pbf); use raster tiles (png, jpg or webp)")
	default:
		return fmt.Errorf("its tile format %q is not png, jpg or webp", format.String)
	}
	if z, err := strconv.Atoi(strings.TrimSpace(maxZoom.String)); err == nil && z >= 0 && z <= MaxZoomLimit {
		m.maxZoom = z
	}
	return nil
}

// tile reads the tile at z/x/y (XYZ numbering: y counts from the north).
func (m *mbtiles) tile(ctx context.Context, c Coord) ([]byte, error) {
	row := (1<<c.Z - 1) - c.Y
	var data []byte
	err := m.db.QueryRowContext(ctx, `SELECT tile_data FROM tiles WHERE zoom_level = $1 AND tile_column = $2 AND tile_row = $3`,
		c.Z, c.X, row).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && len(data) == 0) {
		return nil, errNoTile
	}
	if err != nil {
		return nil, fmt.Errorf("read tile %d/%d/%d: %w", c.Z, c.X, c.Y, err)
	}
	return data, nil
}

// pmtilesFile is a PMTiles (version 3) archive of raster tiles; the page reads it with range
// requests.
type pmtilesFile struct {
	path    string
	maxZoom int
}

// openPMTiles checks the archive's header (PMTiles spec v3: magic "PMTiles", version byte 7,
// tile type byte 99, max zoom byte 101).
func openPMTiles(path string) (*pmtilesFile, error) {
	head, _, err := readHead(path, 127)
	if err != nil {
		return nil, fmt.Errorf("tiles file: %w", err)
	}
	if len(head) < 127 || string(head[:7]) != "PMTiles" {
		return nil, fmt.Errorf("tiles file %s is not a PMTiles archive", path)
	}
	if head[7] != 3 {
		return nil, fmt.Errorf("tiles file %s is PMTiles version %d; want version 3", path, head[7])
	}
	switch head[99] {
	case 2, 3, 4, 5: // png, jpeg, webp, avif
	case 1, 6:
		return nil, fmt.Errorf("tiles file %s holds vector tiles; use a raster PMTiles archive (png, jpg or webp)", path)
	default:
		return nil, fmt.Errorf("tiles file %s holds tiles of unknown type %d", path, head[99])
	}
	return &pmtilesFile{path: path, maxZoom: int(head[101])}, nil
}

// open opens the archive for one request.
func (p *pmtilesFile) open() (*os.File, time.Time, error) {
	f, err := os.Open(p.path)
	if err != nil {
		return nil, time.Time{}, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, time.Time{}, err
	}
	return f, info.ModTime(), nil
}
