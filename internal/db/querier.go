package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
)

// Querier is what reads need of either a pool or a transaction (*sql.DB, *sql.Tx), so one
// lookup serves a request's read and a change's transaction alike.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Sequential runs fn with one read connection of its own, for a long sequential read (an
// export of every case). On SQLite the connection reads without the memory map and with a small
// page cache for that time: through the map, every page of the table read would stay resident
// in the process (a 5 GB file, a 5 GB RSS), and a page read once in a sequential pass is not
// read again, so a big cache only fills memory; the kernel's page cache still serves the reads.
// Both are set back before the connection returns to the pool. On PostgreSQL it is a pooled
// connection as any other.
func (d *DB) Sequential(ctx context.Context, fn func(q Querier) error) error {
	conn, err := d.Read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sequential read: %w", err)
	}
	defer conn.Close()
	if d.Engine == SQLite {
		if _, err := conn.ExecContext(ctx, `PRAGMA mmap_size = 0; PRAGMA cache_size = -2048`); err != nil {
			return fmt.Errorf("sequential read: %w", err)
		}
		defer func() {
			// A fresh context: the caller's may be done, and the pool must get its settings back.
			restore := `PRAGMA mmap_size = ` + strconv.Itoa(sqliteMmapSize) + `; PRAGMA cache_size = ` + strconv.Itoa(sqliteCacheSize)
			if _, err := conn.ExecContext(context.Background(), restore); err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn }) // drop the connection rather than keep it altered
			}
		}()
	}
	return fn(conn)
}
