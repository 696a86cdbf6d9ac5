package eval_test

import (
	"context"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/eval"
)

// TestMonthCache: the sums of a whole month are kept in memory per node, and a change applied by
// any node — or a rebuild — reaches every node's next answer: a second node sharing the database,
// whose cache holds the month, sees each new report as soon as the first node has applied it.
func TestMonthCache(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			clock := apptest.NewClock(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			a := srv.App.Eval
			b := &eval.Service{DB: a.DB, Outbox: a.Outbox, Cases: a.Cases, Directory: a.Directory, Now: a.Now, Log: a.Log}
			ctx := app.System(context.Background(), "test")
			november, err := eval.ParsePeriod("2026-11-01", "2026-11-30")
			if err != nil {
				t.Fatal(err)
			}
			reports := func(s *eval.Service) int64 {
				t.Helper()
				tb, err := s.Indicators(ctx, eval.Query{Period: november, Level: eval.LevelSubdistrict})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range tb.Rows {
					if r.Code == donghai {
						return r.Counts["reports"]
					}
				}
				t.Fatalf("no row for %s", donghai)
				return 0
			}
			resident := srv.Login(t, "resident1")
			report := func(i int) {
				t.Helper()
				if st, raw := resident.Raw("POST", "/api/v1/cases", map[string]any{"category_code": "06010",
					"lat": lat + float64(i)*0.001, "lng": lng, "description": "小区门口垃圾堆积无人清理"}); st != 201 {
					t.Fatalf("report: %d %s", st, raw)
				}
				if _, err := a.CatchUp(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			base := reports(a)
			if got := reports(b); got != base {
				t.Fatalf("node b reads %d reports, node a %d", got, base)
			}
			for i := 1; i <= 2; i++ {
				report(i)
				for name, s := range map[string]*eval.Service{"a": a, "b": b} {
					if got := reports(s); got != base+int64(i) {
						t.Errorf("after report %d node %s reads %d reports, want %d", i, name, got, base+int64(i))
					}
				}
			}
			if _, err := a.Rebuild(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := reports(b); got != base+2 {
				t.Errorf("after a rebuild node b reads %d reports, want %d", got, base+2)
			}
		})
	}
}
