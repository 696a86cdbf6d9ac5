package cases_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// TestQueuePagingOverSyntheticHistory pages through a generated history with cursors, by
// deadline and by report time, and checks that every case in scope comes exactly once.
func TestQueuePagingOverSyntheticHistory(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			if err := casegen.Generate(context.Background(), srv.App.DB, casegen.Options{Count: 1500, Days: 60, Seed: 7, Batch: 500}, nil); err != nil {
				t.Fatal(err)
			}
			var inScope, open int
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases WHERE subdistrict_code = '350503001'`).Scan(&inScope)
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases WHERE subdistrict_code = '350503001'
				AND status IN ('registered','dispatched','handling')`).Scan(&open)
			lead := srv.Login(t, "donghai.shift_lead")
			// A keyword's matches page newest first from the keyword index (SQLite) or by report
			// time (PostgreSQL), each once.
			var matching int
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases WHERE subdistrict_code = '350503001' AND description LIKE '%门口%'`).Scan(&matching)
			if matching < 10 {
				t.Fatalf("only %d cases mention 门口: the history is too small to page", matching)
			}
			for _, q := range []string{"sort=deadline", "sort=newest", "status=registered,dispatched,handling", "q=门口&limit=7", "q=门口&sort=deadline&limit=7"} {
				seen := map[string]bool{}
				last := time.Unix(0, 0).Add(-1 << 62)
				cursor := ""
				for pages := 0; pages < 200; pages++ {
					var page struct {
						Cases []struct {
							ID, Status string
							StageDue   *time.Time `json:"stage_due"`
							ReportedAt time.Time  `json:"reported_at"`
						}
						NextCursor string `json:"next_cursor"`
					}
					if s := lead.Do("GET", "/api/v1/cases?"+q+"&limit=37&cursor="+cursor, nil, &page); s != 200 {
						t.Fatalf("%s: %d", q, s)
					}
					for _, c := range page.Cases {
						if seen[c.ID] {
							t.Fatalf("%s: case %s twice", q, c.ID)
						}
						seen[c.ID] = true
						// The order holds across pages: deadlines ascending, report times descending.
						key := farFuture
						if strings.Contains(q, "newest") || (strings.HasPrefix(q, "q=") && !strings.Contains(q, "deadline")) {
							key = time.Unix(0, 0).Add(-c.ReportedAt.Sub(time.Unix(0, 0)))
						} else if c.StageDue != nil {
							key = *c.StageDue
						}
						if key.Before(last) {
							t.Fatalf("%s: out of order at %s", q, c.ID)
						}
						last = key
					}
					if page.NextCursor == "" {
						break
					}
					cursor = page.NextCursor
				}
				want := inScope
				if strings.HasPrefix(q, "status=") {
					want = open
				}
				if strings.HasPrefix(q, "q=") {
					want = matching
				}
				if len(seen) != want {
					t.Fatalf("%s: paged %d cases, %d in scope", q, len(seen), want)
				}
			}
			// Overdue means past the running stage's deadline.
			var overdue struct {
				Cases []struct {
					StageDue *time.Time `json:"stage_due"`
				}
			}
			lead.Do("GET", "/api/v1/cases?overdue=true&limit=200", nil, &overdue)
			for _, c := range overdue.Cases {
				if c.StageDue == nil || c.StageDue.After(time.Now()) {
					t.Fatalf("not overdue: %+v", c.StageDue)
				}
			}
		})
	}
}

// BenchmarkQueue measures the desk's queue over a large synthetic history on SQLite:
// YIWANG_BENCH_CASES cases (default 200 000) are generated first, then three views are timed.
//
//	YIWANG_BENCH_CASES=1000000 go test -run '^$' -bench Queue -benchtime 200x ./internal/cases
func BenchmarkQueue(b *testing.B) {
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("YIWANG_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	srv := benchServer(b)
	var have int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&have)
	if have < n {
		start := time.Now()
		err := casegen.Generate(context.Background(), srv.App.DB, casegen.Options{Count: n - have, Days: 730, Seed: int64(have) + 1},
			func(done, total int) {
				if done%500000 == 0 {
					b.Logf("%d / %d cases in %s", done, total, time.Since(start).Round(time.Second))
				}
			})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d cases in %s", n-have, time.Since(start).Round(time.Second))
		// Statistics from a sample of each index (analysis_limit): a full ANALYZE reads them all.
		analyze := `PRAGMA analysis_limit = 2000; ANALYZE`
		if srv.App.DB.Engine == db.Postgres {
			analyze = `ANALYZE`
		}
		if _, err := srv.App.DB.Write.Exec(analyze); err != nil {
			b.Fatal(err)
		}
	}
	lead := srv.Login(b, "donghai.shift_lead")
	leader := srv.Login(b, "district.leader")
	views := []struct {
		name string
		c    *apptest.Client
		q    string
	}{
		{"desk_open_by_deadline", lead, "status=reported,registered,dispatched,returned,handling,reported_back,verified&limit=50"},
		{"district_overdue", leader, "overdue=true&status=dispatched,handling&limit=50"},
		{"keyword_2char", lead, "q=垃圾&limit=50"},
		{"keyword_4char_open", leader, "q=道路破损&status=handling&limit=50"},
		{"keyword_2char_community_closed", lead, "q=垃圾&community_code=350503001002&status=closed&limit=50"},
		{"desk_grid_newest", lead, "grid_code=350503001002001&sort=newest&limit=50"},
	}
	b.ResetTimer()
	for _, v := range views {
		var times []time.Duration
		for i := 0; i < b.N; i++ {
			var page struct{ Cases []json.RawMessage }
			t0 := time.Now()
			if s := v.c.Do("GET", "/api/v1/cases?"+v.q, nil, &page); s != 200 {
				b.Fatalf("%s: %d", v.name, s)
			}
			times = append(times, time.Since(t0))
			// A fast empty answer proves nothing: every view must fill its page (a small history,
			// under the default 200 000, may have fewer matches for the narrow views).
			if len(page.Cases) == 0 || (n >= 200000 && len(page.Cases) != 50) {
				b.Fatalf("%s: %d cases on the page, want 50", v.name, len(page.Cases))
			}
		}
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, v.name+"_p95_ms")
	}
}

// benchServer serves the queue benchmark: on a fresh database, or on the one kept in
// YIWANG_BENCH_DIR (SQLite) or YIWANG_BENCH_PG, so that a history of millions of cases is
// generated once and measured often.
func benchServer(b *testing.B) *apptest.Server {
	dir, pg := os.Getenv("YIWANG_BENCH_DIR"), os.Getenv("YIWANG_BENCH_PG")
	if dir == "" && pg == "" {
		return apptest.Start(b, db.SQLite)
	}
	ctx := context.Background()
	// YIWANG_BENCH_PG: the same on a PostgreSQL database of its own (postgres://…/yiwang_bench).
	d, err := db.Open(ctx, db.Options{DataDir: dir, URL: pg})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return apptest.StartOn(b, d, nil)
}
