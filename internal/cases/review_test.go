package cases_test

import (
	"context"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// A shelved (挂账) or deferred (缓办) case shows its review date; when the date comes, the desk's
// shift leads are reminded once, however often the sweep runs; parking it again with a new
// date arms the reminder again, and taking it back clears the date.
func TestReviewDateReminders(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			clock := apptest.NewClock(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			intake := srv.Login(t, "donghai.intake_operator")
			var c struct {
				ID         string  `json:"id"`
				Status     string  `json:"status"`
				ReviewDate *string `json:"review_date"`
			}
			if st := intake.Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "category_code": "06010",
				"lat": lat, "lng": lng, "description": "违章搭建，需规划部门认定"}, &c); st != 201 {
				t.Fatalf("create: %d", st)
			}
			lead := srv.Login(t, "donghai.shift_lead")
			act := func(action string, body map[string]any) {
				t.Helper()
				st, raw := lead.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/"+action, body)
				if st != 200 {
					t.Fatalf("%s: %d %s", action, st, raw)
				}
				c.ReviewDate = nil // absent from the answer means none
				if err := jsonUnmarshal(raw, &c); err != nil {
					t.Fatal(err)
				}
			}
			worker := srv.Login(t, "donghai.grid_worker")
			if st, raw := worker.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/confirm", map[string]any{"result": "pass"}); st != 200 {
				t.Fatalf("confirm: %d %s", st, raw)
			}
			act("register", map[string]any{})
			review := clock.Now().Add(72 * time.Hour)
			act("shelve", map[string]any{"note": "待规划认定", "review_date": review.Format(time.RFC3339)})
			if c.Status != "shelved" || c.ReviewDate == nil {
				t.Fatalf("shelved case: %+v", c)
			}
			if got, _ := time.Parse(time.RFC3339, *c.ReviewDate); !got.Equal(review) {
				t.Fatalf("review date %s, want %s", *c.ReviewDate, review)
			}
			ctx := app.System(context.Background(), "test")
			sweep := func() int {
				t.Helper()
				n, err := srv.App.Cases.SweepReviews(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := sweep(); n != 0 {
				t.Fatalf("before the review date: %d reminders", n)
			}
			clock.Advance(73 * time.Hour)
			if n := sweep(); n != 1 {
				t.Fatalf("review date come: %d reminders", n)
			}
			if n := sweep(); n != 0 {
				t.Fatalf("reminder repeated: %d", n)
			}
			var reminded, leads int
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM notifications WHERE case_id = $1 AND kind = 'review_due'`, c.ID).Scan(&reminded)
			srv.App.DB.Read.QueryRow(`SELECT count(DISTINCT user_id) FROM role_grants WHERE role = 'shift_lead'
				AND substr((SELECT path FROM cases WHERE id = $1), 1, length(org_path)) = org_path`, c.ID).Scan(&leads)
			if leads == 0 || reminded != leads {
				t.Fatalf("%d reminders for %d shift leads", reminded, leads)
			}
			// Taken back: no date; deferred with a new date: reminded again when it comes.
			lead = srv.Login(t, "donghai.shift_lead") // the clock jumped past the idle timeout
			act("unshelve", map[string]any{"note": "认定完成"})
			if c.ReviewDate != nil {
				t.Fatalf("unshelved case keeps a review date: %s", *c.ReviewDate)
			}
			act("defer", map[string]any{"note": "汛期后处理", "review_date": clock.Now().Add(24 * time.Hour).Format(time.RFC3339)})
			if n := sweep(); n != 0 {
				t.Fatalf("new date not come: %d", n)
			}
			clock.Advance(25 * time.Hour)
			if n := sweep(); n != 1 {
				t.Fatalf("deferral due: %d reminders", n)
			}
		})
	}
}
