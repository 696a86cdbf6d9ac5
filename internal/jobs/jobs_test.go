package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/jobs"
)

// clock is an injected clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Two nodes tick at the same moments: each period of each job runs once in the cluster, and a
// failed run is recorded with its error.
func TestEachPeriodRunsOnceInTheCluster(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dA := dbtest.Open(t, engine)
			dB := dA
			if engine == db.Postgres {
				dB = dbtest.OpenAgain(t, dA)
			}
			clk := &clock{t: time.Date(2026, 12, 3, 9, 0, 30, 0, time.UTC)}
			var scans, broken atomic.Int32
			mk := func(d *db.DB) *jobs.Runner {
				r, err := jobs.NewRunner(d, clk.now, nil, nil,
					jobs.Job{Name: "sla", Every: time.Minute, Run: func(context.Context, time.Time) error { scans.Add(1); return nil }},
					jobs.Job{Name: "broken", Every: time.Hour, Run: func(context.Context, time.Time) error {
						broken.Add(1)
						return errors.New("gateway down")
					}})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			a, b := mk(dA), mk(dB)
			for minute := 0; minute < 3; minute++ {
				var wg sync.WaitGroup
				for _, r := range []*jobs.Runner{a, b} {
					wg.Add(1)
					go func() { defer wg.Done(); r.Tick(ctx) }()
				}
				wg.Wait()
				// A second tick within the same minute runs nothing.
				if ran, _ := a.Tick(ctx); len(ran) != 0 {
					t.Fatalf("minute %d: ran %v again", minute, ran)
				}
				clk.add(time.Minute)
			}
			if scans.Load() != 3 {
				t.Fatalf("3 minutes on two nodes ran the SLA scan %d times, want 3", scans.Load())
			}
			if broken.Load() != 1 {
				t.Fatalf("the hourly job ran %d times within one hour", broken.Load())
			}
			var msg string
			if err := dA.Read.QueryRowContext(ctx, `SELECT error FROM job_runs WHERE job = 'broken'`).Scan(&msg); err != nil || msg != "gateway down" {
				t.Fatalf("the failure is not recorded: %q %v", msg, err)
			}
			var unfinished int
			dA.Read.QueryRowContext(ctx, `SELECT count(*) FROM job_runs WHERE finished_at IS NULL`).Scan(&unfinished)
			if unfinished != 0 {
				t.Fatalf("%d runs never finished", unfinished)
			}
		})
	}
}

func TestBadJobsAreRefused(t *testing.T) {
	run := func(context.Context, time.Time) error { return nil }
	for _, js := range [][]jobs.Job{
		{{Name: "", Every: time.Minute, Run: run}},
		{{Name: "x", Every: 0, Run: run}},
		{{Name: "x", Every: time.Minute, Run: run}, {Name: "x", Every: time.Hour, Run: run}},
	} {
		if _, err := jobs.NewRunner(nil, time.Now, nil, nil, js...); err == nil {
			t.Errorf("%+v accepted", js)
		}
	}
}
