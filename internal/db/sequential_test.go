package db_test

import (
	"context"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// TestSequential: a sequential read sees the data as any read does; on SQLite its connection
// reads without the memory map and with a small page cache, and every connection of the pool
// has both back afterwards.
func TestSequential(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dbtest.MustExec(t, d, `INSERT INTO settings (key, value) VALUES ('seq', 'v')`)
		pragmas := func(q db.Querier) (mmap, cache int64) {
			t.Helper()
			if err := q.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&mmap); err != nil {
				t.Fatal(err)
			}
			if err := q.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
				t.Fatal(err)
			}
			return mmap, cache
		}
		err := d.Sequential(ctx, func(q db.Querier) error {
			var v string
			if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, "seq").Scan(&v); err != nil || v != "v" {
				t.Errorf("read %q, %v", v, err)
			}
			if d.Engine == db.SQLite {
				if mmap, cache := pragmas(q); mmap != 0 || cache != -2048 {
					t.Errorf("inside: mmap_size %d, cache_size %d; want 0 and -2048", mmap, cache)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if d.Engine != db.SQLite {
			return
		}
		// Every pooled reader (the one used above among them) has its settings back.
		conns := make([]db.Querier, 0, 8)
		for range 8 {
			c, err := d.Read.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			conns = append(conns, c)
		}
		for i, c := range conns {
			if mmap, cache := pragmas(c); mmap != 1<<30 || cache != -16384 {
				t.Errorf("reader %d after: mmap_size %d, cache_size %d", i, mmap, cache)
			}
		}
	})
}
