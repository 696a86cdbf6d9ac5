package db_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// A Versioned value is rebuilt when its settings key changes, and only then: not before the
// recheck interval has passed, and not when the key is unchanged.
func TestVersionedFollowsItsKey(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		loads := 0
		src := db.VersionSource[int]{DB: d, Key: "test_version", Every: 10 * time.Second, Now: func() time.Time { return now },
			Load: func(context.Context) (int, error) { loads++; return loads, nil }}
		var c db.Versioned[int]
		get := func(want int) {
			t.Helper()
			if got, err := c.Get(ctx, src); err != nil || got != want {
				t.Fatalf("Get = %d, %v; want build %d", got, err, want)
			}
		}
		bump := func() {
			t.Helper()
			if err := d.Tx(ctx, func(tx *sql.Tx) error { return db.BumpVersion(ctx, tx, "test_version") }); err != nil {
				t.Fatal(err)
			}
		}
		get(1) // first use builds
		bump()
		get(1) // checked less than 10 s ago: no query
		now = now.Add(11 * time.Second)
		get(2) // the key changed
		now = now.Add(11 * time.Second)
		get(2) // checked again, unchanged
		now = now.Add(-time.Hour)
		bump()
		get(3) // the clock went back: checks at once
		c.Forget()
		get(4)
		if v, err := c.Reload(ctx, src); err != nil || v != 5 {
			t.Fatalf("Reload = %d, %v; want build 5", v, err)
		}
	})
}
