package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// The SLA sweep raises a warning at 80 % of a stage's limit and an overdue notice past it, each
// once, however often it runs — also after a restart, since the claim is in the database.
func TestSLANoticesOnce(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			// Monday 2026-11-23 09:00 Beijing time: working time.
			clock := apptest.NewClock(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			var c caseJSON
			intake := srv.Login(t, "donghai.intake_operator")
			if st := intake.Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "category_code": "06010",
				"lat": lat, "lng": lng, "description": "垃圾堆积"}, &c); st != 201 || c.StageDue == nil {
				t.Fatalf("create: %d %+v", st, c)
			}
			due, _ := time.Parse(time.RFC3339, *c.StageDue)
			ctx := app.System(context.Background(), "test")
			sweep := func() (int, int) {
				w, o, err := srv.App.Cases.SweepSLA(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return w, o
			}
			if w, o := sweep(); w+o != 0 {
				t.Fatalf("fresh case: %d warnings %d overdue", w, o)
			}
			// Jump to just before the deadline: ≥ 80 % used.
			clock.Advance(due.Sub(clock.Now()) - time.Minute)
			if w, o := sweep(); w != 1 || o != 0 {
				t.Fatalf("near the deadline: %d warnings %d overdue", w, o)
			}
			if w, o := sweep(); w+o != 0 {
				t.Fatalf("second sweep repeated a notice: %d %d", w, o)
			}
			var got caseJSON
			intake = srv.Login(t, "donghai.intake_operator") // the clock jumped past the idle timeout
			intake.Do("GET", "/api/v1/cases/"+c.ID, nil, &got)
			if got.Light != "yellow" {
				t.Fatalf("light near the deadline: %q", got.Light)
			}
			clock.Advance(2 * time.Hour)
			if w, o := sweep(); w != 0 || o != 1 {
				t.Fatalf("past the deadline: %d warnings %d overdue", w, o)
			}
			if w, o := sweep(); w+o != 0 {
				t.Fatalf("overdue notice repeated: %d %d", w, o)
			}
			intake = srv.Login(t, "donghai.intake_operator")
			intake.Do("GET", "/api/v1/cases/"+c.ID, nil, &got)
			if got.Light != "red" {
				t.Fatalf("light past the deadline: %q", got.Light)
			}
			// Each notice went out once to each person on duty for the stage.
			var warned, overdue, people int
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM notifications WHERE case_id = $1 AND kind = 'sla_warning'`, c.ID).Scan(&warned)
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM notifications WHERE case_id = $1 AND kind = 'sla_overdue'`, c.ID).Scan(&overdue)
			srv.App.DB.Read.QueryRow(`SELECT count(DISTINCT user_id) FROM notifications WHERE case_id = $1`, c.ID).Scan(&people)
			if people == 0 || warned != people || overdue != people {
				t.Fatalf("notices: %d warnings, %d overdue for %d people", warned, overdue, people)
			}
		})
	}
}

const importBatch = `{"external_id":"OLD-1","channel":"patrol","kind":"report","category_code":"06010","urgency":"normal","lat":24.925,"lng":118.575,"description":"历史案卷一","reported_at":"2026-10-08T09:00:00+08:00","deadline":"2026-10-09T17:30:00+08:00","events":[{"action":"register","at":"2026-10-08T09:30:00+08:00"},{"action":"dispatch","at":"2026-10-08T10:00:00+08:00","department_code":"350503D01"},{"action":"sign","at":"2026-10-08T10:30:00+08:00"},{"action":"report_back","at":"2026-10-09T11:00:00+08:00"},{"action":"verify","at":"2026-10-09T14:00:00+08:00","result":"pass"},{"action":"close","at":"2026-10-09T15:00:00+08:00"},{"action":"rate","at":"2026-10-10T09:00:00+08:00","rating":"satisfied"}]}
{"external_id":"OLD-2","channel":"hotline_12345","kind":"complaint","lat":24.925,"lng":118.575,"description":"历史案卷二","reported_at":"2026-10-20T09:00:00+08:00","events":[{"action":"register","at":"2026-10-20T10:00:00+08:00"}]}
`

func TestImportHistoricCases(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := srv.Login(t, "sysadmin")
			var rep struct{ Lines, Imported, Skipped int }
			if st := sys.Do("POST", "/api/v1/import/cases", importBatch, &rep); st != 200 || rep.Imported != 2 {
				t.Fatalf("import: %d %+v", st, rep)
			}
			// Idempotent by external_id.
			if st := sys.Do("POST", "/api/v1/import/cases", importBatch, &rep); st != 200 || rep.Imported != 0 || rep.Skipped != 2 {
				t.Fatalf("re-import: %d %+v", st, rep)
			}
			// The imported history is the case's history: status, deadline kept, events, rating.
			var list struct{ Cases []caseJSON }
			lead := srv.Login(t, "donghai.shift_lead")
			lead.Do("GET", "/api/v1/cases?sort=newest", nil, &list)
			var closed caseJSON
			for _, c := range list.Cases {
				if c.Status == "closed" {
					closed = c
				}
			}
			if closed.ID == "" || closed.Rating != "satisfied" || closed.Deadline == nil || !strings.HasPrefix(*closed.Deadline, "2026-10-09T09:30:00") {
				t.Fatalf("imported closed case: %+v", closed)
			}
			var ev struct{ Events []struct{ Action, At string } }
			lead.Do("GET", "/api/v1/cases/"+closed.ID+"/events", nil, &ev)
			if len(ev.Events) != 8 || ev.Events[7].Action != "rate" || !strings.HasPrefix(ev.Events[1].At, "2026-10-08T01:30:00") {
				t.Fatalf("imported events: %+v", ev.Events)
			}
			// A bad batch: every bad line named, nothing written.
			bad := `{"external_id":"OLD-3","lat":24.925,"lng":118.575,"description":"好的一行","reported_at":"2026-10-08T09:00:00+08:00","events":[]}
{"external_id":"OLD-4","lat":24.925,"lng":118.575,"description":"顺序错误","reported_at":"2026-10-08T09:00:00+08:00","events":[{"action":"close","at":"2026-10-08T10:00:00+08:00"}]}
{"external_id":"OLD-5","lat":24.90,"lng":118.70,"description":"区外","reported_at":"2026-10-08T09:00:00+08:00"}
not json
{"external_id":"OLD-3","lat":24.925,"lng":118.575,"description":"重复","reported_at":"2026-10-08T09:00:00+08:00"}
`
			st, raw := sys.Raw("POST", "/api/v1/import/cases", bad)
			body := string(raw)
			if st != 400 || !strings.Contains(body, `"line":2`) || !strings.Contains(body, `"line":3`) || !strings.Contains(body, `"line":4`) ||
				!strings.Contains(body, `"line":5`) || strings.Contains(body, `"line":1,`) || strings.Contains(body, "%s") {
				t.Fatalf("bad batch: %d %s", st, body)
			}
			var n int
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&n)
			if n != 2 {
				t.Fatalf("a refused batch wrote cases: %d", n)
			}
		})
	}
}
