package casegen_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// A generated history, written into the demo district and computed by the indicators, reads as
// the live desk's: its steps carry the stage clock they ended and its deadline, are taken by the
// subdistricts' and departments' own staff, and the subdistricts rank apart with scores.
func TestGenerateFeedsTheIndicators(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			ctx := context.Background()
			now := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)
			if err := casegen.Generate(ctx, srv.App.DB, casegen.Options{Count: 1500, Days: 60, Seed: 5, Now: now, Batch: 400}, nil); err != nil {
				t.Fatal(err)
			}
			n, err := srv.App.Eval.Rebuild(ctx)
			if err != nil || n != 1500 {
				t.Fatalf("rebuild: %d cases, %v", n, err)
			}

			var stamped, late, total int
			if err := srv.App.DB.QueryRow(ctx, `SELECT
				(SELECT count(*) FROM case_events WHERE action = 'dispatch' AND data LIKE '%"stage":"dispatch"%' AND data LIKE '%"due":"%'),
				(SELECT count(*) FROM case_events WHERE action = 'dispatch'),
				(SELECT count(*) FROM cases WHERE overdue_stage <> '')`).Scan(&stamped, &total, &late); err != nil {
				t.Fatal(err)
			}
			if total == 0 || stamped != total {
				t.Errorf("%d of %d dispatches carry their stage and deadline", stamped, total)
			}
			if late == 0 {
				t.Error("no open case is overdue")
			}
			var byDemoStaff int
			if err := srv.App.DB.QueryRow(ctx, `SELECT count(*) FROM case_events e JOIN users u ON u.id = e.actor_id
				WHERE u.username = 'donghai.shift_lead' AND e.role = 'shift_lead' AND e.org_code = '350503001'`).Scan(&byDemoStaff); err != nil {
				t.Fatal(err)
			}
			if byDemoStaff == 0 {
				t.Error("Donghai's shift lead took no step in Donghai")
			}

			var ranking struct {
				Rows []struct {
					Code   string
					Score  *float64
					Rank   *int
					Counts map[string]int64
				}
			}
			leader := srv.Login(t, "district.leader")
			if st := leader.Do("GET", "/api/v1/rankings?from=2026-10-01&to=2026-10-31&level=subdistrict", nil, &ranking); st != 200 {
				t.Fatalf("rankings: %d", st)
			}
			scores := map[string]bool{}
			for _, r := range ranking.Rows {
				if r.Rank == nil || r.Score == nil {
					t.Errorf("%s not ranked (%v)", r.Code, r.Counts)
					continue
				}
				scores[fmt.Sprintf("%.2f", *r.Score)] = true
			}
			if len(ranking.Rows) != 8 || len(scores) < 4 {
				t.Errorf("%d subdistricts with %d different scores", len(ranking.Rows), len(scores))
			}
		})
	}
}
