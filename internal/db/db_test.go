package db_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// The same SQL text must mean the same on both engines: $N placeholders bind by number, times
// round-trip as UTC instants, and migrations are fully applied.
func TestEnginesBehaveAlike(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var s string
		if err := d.Read.QueryRowContext(ctx, `SELECT CAST($2 AS TEXT) || CAST($1 AS TEXT)`, "A", "B").Scan(&s); err != nil || s != "BA" {
			t.Fatalf("placeholders bind by position: %q %v", s, err)
		}
		at := time.Date(2026, 10, 8, 9, 0, 0, 123456000, time.FixedZone("CST", 8*3600))
		dbtest.MustExec(t, d, `INSERT INTO settings (key, value) VALUES ('k', 'v')`)
		dbtest.MustExec(t, d, `INSERT INTO org_nodes (code, kind, name, path, created_at, updated_at) VALUES ('350503','district','区','/350503/',$1,$1)`, at.UTC())
		var got time.Time
		if err := d.Read.QueryRowContext(ctx, `SELECT created_at FROM org_nodes WHERE code = '350503'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(at) {
			t.Fatalf("time round trip: %v != %v", got, at)
		}
		current, target, err := d.MigrationState(ctx)
		if err != nil || current != target || target < 1 {
			t.Fatalf("migrations: %d/%d %v", current, target, err)
		}
		// A failed transaction leaves nothing behind.
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('k2', 'v')`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('k', 'duplicate')`)
			return err
		})
		var n int
		d.Read.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = 'k2'`).Scan(&n)
		if err == nil || n != 0 {
			t.Fatalf("rolled-back write visible: err=%v rows=%d", err, n)
		}
	})
}
