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

// Jobs of one batch share values and write them back once before the commit; a job failing
// after it changed a shared value leaves no trace of that change (its batch runs again without
// it), so the counter ends equal to the number of acknowledged jobs and no number repeats.
func TestGroupCommitSharedCounter(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		g := db.NewGroupCommitter(d, 16)
		defer g.Close()
		ctx := context.Background()
		if _, err := d.Write.Exec(`INSERT INTO settings (key, value) VALUES ('counter', '0')`); err != nil {
			t.Fatal(err)
		}
		next := func(tx *sql.Tx) (int, error) {
			if v, ok := d.TxValue(tx, "counter"); ok {
				d.SetTxValue(tx, "counter", v.(int)+1)
				return v.(int) + 1, nil
			}
			var s string
			if err := tx.QueryRow(`SELECT value FROM settings WHERE key = 'counter'`).Scan(&s); err != nil {
				return 0, err
			}
			var n int
			fmt.Sscan(s, &n)
			n++
			if !d.SetTxValue(tx, "counter", n) {
				return 0, errors.New("a group-committed transaction keeps no values")
			}
			d.BeforeCommit(tx, "counter", func() error {
				v, _ := d.TxValue(tx, "counter")
				_, err := d.TxExec(ctx, tx, `UPDATE settings SET value = $1 WHERE key = 'counter'`, fmt.Sprint(v))
				return err
			})
			return n, nil
		}
		const jobs = 120
		numbers := make([]int, jobs)
		errs := make([]error, jobs)
		var wg sync.WaitGroup
		for i := 0; i < jobs; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = g.Do(ctx, func(tx *sql.Tx) error {
					n, err := next(tx)
					if err != nil {
						return err
					}
					numbers[i] = n
					if i%5 == 0 {
						return errors.New("refused after numbering")
					}
					return nil
				})
			}(i)
		}
		wg.Wait()
		seen := map[int]bool{}
		acked := 0
		for i, err := range errs {
			if (i%5 == 0) != (err != nil) {
				t.Fatalf("job %d: %v", i, err)
			}
			if err == nil {
				acked++
				if seen[numbers[i]] {
					t.Fatalf("number %d given twice", numbers[i])
				}
				seen[numbers[i]] = true
			}
		}
		var final string
		d.Read.QueryRow(`SELECT value FROM settings WHERE key = 'counter'`).Scan(&final)
		if final != fmt.Sprint(acked) {
			t.Fatalf("counter %s after %d acknowledged jobs", final, acked)
		}
		for n := 1; n <= acked; n++ {
			if !seen[n] {
				t.Fatalf("number %d missing: numbers have gaps", n)
			}
		}
		// Outside a group commit nothing is kept: callers fall back to a statement each.
		d.Tx(ctx, func(tx *sql.Tx) error {
			if d.SetTxValue(tx, "x", 1) || d.BeforeCommit(tx, "x", func() error { return nil }) {
				t.Fatal("plain transaction kept a value")
			}
			return nil
		})
	})
}
