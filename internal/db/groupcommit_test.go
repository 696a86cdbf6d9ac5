package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// A failing job leaves no trace while the jobs committed with it stay; every acknowledged job
// is in the database.
func TestGroupCommitIsolatesJobs(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		g := db.NewGroupCommitter(d, 32)
		defer g.Close()
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 200)
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = g.Do(ctx, func(tx *sql.Tx) error {
					if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ($1, 'v')`, fmt.Sprint("k", i)); err != nil {
						return err
					}
					if i%7 == 0 {
						return errors.New("refused")
					}
					return nil
				})
			}(i)
		}
		wg.Wait()
		var n int
		d.Read.QueryRow(`SELECT count(*) FROM settings WHERE key LIKE 'k%'`).Scan(&n)
		acked := 0
		for i, err := range errs {
			if (i%7 == 0) != (err != nil) {
				t.Fatalf("job %d: %v", i, err)
			}
			if err == nil {
				acked++
				var v string
				if d.Read.QueryRow(`SELECT value FROM settings WHERE key = $1`, fmt.Sprint("k", i)).Scan(&v); v != "v" {
					t.Fatalf("acknowledged job %d not stored", i)
				}
			}
		}
		if n != acked {
			t.Fatalf("%d rows for %d acknowledged jobs", n, acked)
		}
		g.Close()
		if err := g.Do(ctx, func(*sql.Tx) error { return nil }); !errors.Is(err, db.ErrClosed) {
			t.Fatalf("after close: %v", err)
		}
	})
}
