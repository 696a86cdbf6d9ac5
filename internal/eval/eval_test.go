package eval_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

const (
	donghai   = "350503001"
	lat, lng  = 24.925, 118.575 // in a grid of Donghai
	leaderAcc = "district.leader"
)

// history is an old system's cases, loaded by the import: a closed case handled before its
// deadline, one only registered, one deferred (缓办) now, and a report voided before registration.
const history = `{"external_id":"H-1","channel":"patrol","kind":"report","category_code":"06010","urgency":"normal","lat":24.925,"lng":118.575,"description":"历史案卷一","reported_at":"2026-10-08T09:00:00+08:00","deadline":"2026-10-09T17:30:00+08:00","events":[{"action":"register","at":"2026-10-08T09:30:00+08:00"},{"action":"dispatch","at":"2026-10-08T10:00:00+08:00","department_code":"350503D01"},{"action":"sign","at":"2026-10-08T10:30:00+08:00"},{"action":"report_back","at":"2026-10-09T11:00:00+08:00"},{"action":"verify","at":"2026-10-09T14:00:00+08:00","result":"pass"},{"action":"close","at":"2026-10-09T15:00:00+08:00"},{"action":"rate","at":"2026-10-10T09:00:00+08:00","rating":"satisfied"}]}
{"external_id":"H-2","channel":"patrol","kind":"report","category_code":"06010","lat":24.925,"lng":118.575,"description":"历史案卷二","reported_at":"2026-10-20T09:00:00+08:00","events":[{"action":"register","at":"2026-10-20T10:00:00+08:00"}]}
{"external_id":"H-3","channel":"patrol","kind":"report","category_code":"06010","lat":24.925,"lng":118.575,"description":"历史案卷三","reported_at":"2026-10-31T23:30:00+08:00","events":[{"action":"register","at":"2026-11-01T09:00:00+08:00"},{"action":"dispatch","at":"2026-11-01T09:30:00+08:00","department_code":"350503D01"},{"action":"sign","at":"2026-11-02T09:00:00+08:00"},{"action":"defer","at":"2026-11-02T10:00:00+08:00","note":"待汛期后处理"}]}
{"external_id":"H-4","channel":"patrol","kind":"report","category_code":"06010","lat":24.925,"lng":118.575,"description":"历史案卷四","reported_at":"2026-11-05T09:00:00+08:00","events":[{"action":"void","at":"2026-11-05T10:00:00+08:00","note":"重复上报"}]}
`

type table struct {
	From, To string
	Rows     []struct {
		Code   string
		Name   string
		Role   string
		Counts map[string]int64
		Rates  map[string]*float64
		Score  *float64
		Grade  *string
		Scheme string
	}
}

func (tb table) row(t *testing.T, code string) (map[string]int64, map[string]*float64, string) {
	t.Helper()
	for _, r := range tb.Rows {
		if r.Code == code {
			return r.Counts, r.Rates, r.Scheme
		}
	}
	t.Fatalf("no row %s among %d", code, len(tb.Rows))
	return nil, nil, ""
}

// wantCounts checks the named counts; the others must be 0.
func wantCounts(t *testing.T, what string, got map[string]int64, want map[string]int64) {
	t.Helper()
	if len(got) != 31 {
		t.Errorf("%s: %d counts, want 31", what, len(got))
	}
	for code, v := range got {
		if v != want[code] {
			t.Errorf("%s: %s = %d, want %d", what, code, v, want[code])
		}
	}
}

// Indicators computed end to end on both engines: live cases taken through the workflow (one
// crossing a period end, reworked twice, with a merged duplicate) and imported ones count alike;
// the incremental figures equal a rebuild from scratch; downloads carry the same table.
func TestIndicatorsEndToEnd(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			// 23:30 on Monday 30 November 2026, Beijing time.
			clock := apptest.NewClock(time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			ctx := context.Background()
			sys := srv.Login(t, "sysadmin")
			if st, raw := sys.Raw("POST", "/api/v1/import/cases", history); st != 200 {
				t.Fatalf("import: %d %s", st, raw)
			}

			resident, resident2 := srv.Login(t, "resident1"), srv.Login(t, "resident2")
			var a, b struct{ ID, Status string }
			if st := resident.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng,
				"description": "小区门口垃圾堆积三天无人清理"}, &a); st != 201 {
				t.Fatalf("report: %d", st)
			}
			resident2.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat + 0.0001, "lng": lng,
				"description": "门口垃圾没人清理"}, &b)
			act := func(as, id, action string, body map[string]any) {
				t.Helper()
				if st, raw := srv.Login(t, as).Raw("POST", "/api/v1/cases/"+id+"/actions/"+action, body); st != 200 {
					t.Fatalf("%s %s: %d %s", as, action, st, raw)
				}
			}
			act("donghai.shift_lead", b.ID, "merge", map[string]any{"target_id": a.ID})
			// The work goes on past midnight: the case stays November's.
			clock.Advance(time.Hour)
			act("donghai.grid_worker", a.ID, "confirm", map[string]any{"result": "pass"})
			act("donghai.shift_lead", a.ID, "register", nil)
			act("donghai.dispatcher", a.ID, "dispatch", map[string]any{"department_code": "350503D01"})
			act("dept01.staff", a.ID, "sign", nil)
			act("dept01.staff", a.ID, "report_back", map[string]any{"note": "已清理"})
			act("donghai.grid_worker", a.ID, "verify", map[string]any{"result": "fail", "note": "仍有残留"})
			act("dept01.staff", a.ID, "report_back", map[string]any{"note": "残留已清理"})
			act("donghai.shift_lead", a.ID, "rework", map[string]any{"note": "照片不清楚"})
			act("dept01.staff", a.ID, "report_back", map[string]any{"note": "补拍照片"})
			act("donghai.grid_worker", a.ID, "verify", map[string]any{"result": "pass"})
			act("donghai.shift_lead", a.ID, "close", nil)
			act("resident1", a.ID, "rate", map[string]any{"rating": "satisfied"})

			if _, err := srv.App.Eval.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			leader := srv.Login(t, leaderAcc)
			get := func(q string) table {
				t.Helper()
				var tb table
				if st, raw := leader.Raw("GET", "/api/v1/indicators?"+q, nil); st != 200 {
					t.Fatalf("%s: %d %s", q, st, raw)
				} else if err := jsonUnmarshal(raw, &tb); err != nil {
					t.Fatal(err)
				}
				return tb
			}
			oct := get("from=2026-10-01&to=2026-10-31&level=subdistrict")
			counts, rates, scheme := oct.row(t, donghai)
			// H-3 was reported at 23:30 on 31 October: October's, though everything else happened in November.
			wantCounts(t, "October", counts, map[string]int64{"reports": 3, "valid_reports": 3, "registered": 3,
				"should_dispatch": 3, "dispatched_on_time": counts["dispatched_on_time"], "should_handle": 1,
				"responded_on_time": counts["responded_on_time"], "handled": 1, "handled_on_time": 1, "should_verify": 1,
				"verified_on_time": counts["verified_on_time"], "should_close": 2, "closed": 1,
				"closed_on_time": counts["closed_on_time"], "resolved": 1, "deferred": 1, "overdue": counts["overdue"],
				"rated": 1, "rated_satisfied": 1})
			// The public figures (/public, no sign-in) are the same counts and rates, per subdistrict.
			var pub struct {
				Subdistricts []struct {
					Code             string
					Received, Closed int64
					OnTimeRate       *float64 `json:"on_time_rate"`
					SatisfactionRate *float64 `json:"satisfaction_rate"`
				}
				Zones []struct{ Code string }
			}
			if st, raw := srv.Anonymous(t).Raw("GET", "/api/v1/public/figures?from=2026-10-01&to=2026-10-31", nil); st != 200 {
				t.Fatalf("public figures: %d %s", st, raw)
			} else if err := jsonUnmarshal(raw, &pub); err != nil {
				t.Fatal(err)
			}
			inPublic := false
			for _, r := range pub.Subdistricts {
				if r.Code != donghai {
					continue
				}
				inPublic = true
				if r.Received != counts["registered"] || r.Closed != counts["closed"] || r.SatisfactionRate == nil || *r.SatisfactionRate != 100 ||
					(r.OnTimeRate == nil) != (rates["on_time_closure_rate"] == nil) || (r.OnTimeRate != nil && *r.OnTimeRate != *rates["on_time_closure_rate"]) {
					t.Errorf("public figures of Donghai: %+v, counts %v", r, counts)
				}
			}
			if !inPublic || len(pub.Zones) == 0 {
				t.Errorf("public figures: %+v", pub)
			}
			if r := rates["closure_rate"]; r == nil || *r != 50 {
				t.Errorf("October closure rate %v, want 50 (1 of 2; the deferred case is not due)", r)
			}
			if r := rates["satisfaction_rate"]; r == nil || *r != 100 {
				t.Errorf("October satisfaction %v", r)
			}
			if r := rates["on_time_confirm_rate"]; r != nil {
				t.Errorf("nothing to confirm in October, yet %v", *r)
			}
			if scheme != "gbt30428-area v1" {
				t.Errorf("scheme %q", scheme)
			}

			nov := get("from=2026-11-01&to=2026-11-30&level=subdistrict")
			counts, rates, _ = nov.row(t, donghai)
			// The live case and its merged duplicate, and H-4 voided unregistered.
			wantCounts(t, "November", counts, map[string]int64{"reports": 3, "valid_reports": 1, "registered": 1, "voided": 1,
				"should_confirm": 1, "confirmed_on_time": counts["confirmed_on_time"], "should_dispatch": 1,
				"dispatched_on_time": counts["dispatched_on_time"], "should_handle": 1, "responded_on_time": counts["responded_on_time"],
				"handled": 1, "handled_on_time": counts["handled_on_time"], "reworked": 1, "reworks": 2, "should_verify": 1,
				"verified_on_time": counts["verified_on_time"], "should_close": 1, "closed": 1,
				"closed_on_time": counts["closed_on_time"], "resolved": 1, "overdue": counts["overdue"], "rated": 1, "rated_satisfied": 1})
			if r := rates["rework_rate"]; r == nil || *r != 100 {
				t.Errorf("November rework rate %v", r)
			}
			if r := rates["registration_rate"]; r == nil || *r != 100 {
				t.Errorf("November registration rate %v (1 registered of 1 valid)", r)
			}
			// A December period has nothing of these cases.
			dec := get("from=2026-12-01&to=2026-12-31&level=subdistrict")
			counts, _, _ = dec.row(t, donghai)
			wantCounts(t, "December", counts, nil)

			// Every level is the sum of its units; the district has them all; a period across months
			// adds the months.
			dist := get("from=2026-10-01&to=2026-11-30&level=district")
			counts, _, _ = dist.row(t, "350503")
			if counts["reports"] != 6 || counts["closed"] != 2 || counts["reworks"] != 2 {
				t.Errorf("district Oct–Nov: %v", counts)
			}
			mid := get("from=2026-10-15&to=2026-11-10&level=district") // H-2, H-3, H-4
			if counts, _, _ = mid.row(t, "350503"); counts["reports"] != 3 || counts["registered"] != 2 || counts["voided"] != 1 {
				t.Errorf("district 15 Oct – 10 Nov: %v", counts)
			}
			grids := get("from=2026-11-01&to=2026-11-30&level=grid")
			var sum int64
			for _, r := range grids.Rows {
				sum += r.Counts["reports"]
			}
			if sum != 3 {
				t.Errorf("grids sum to %d November reports, want 3", sum)
			}
			// The department it was dispatched to; the staff who acted.
			depts := get("from=2026-11-01&to=2026-11-30&level=department")
			if counts, _, _ = depts.row(t, "350503D01"); counts["handled"] != 1 || counts["reworks"] != 2 || counts["reports"] != 1 {
				t.Errorf("department: %v", counts)
			}
			people := get("from=2026-11-01&to=2026-11-30&level=person")
			byRole := map[string]map[string]int64{}
			for _, r := range people.Rows {
				byRole[r.Role] = r.Counts
			}
			if c := byRole["shift_lead"]; c["registered"] != 1 || c["closed"] != 1 || c["reports"] != 0 {
				t.Errorf("shift lead: %v", c)
			}
			if c := byRole["dispatcher"]; c["should_dispatch"] != 1 || c["closed"] != 0 {
				t.Errorf("dispatcher: %v", c)
			}
			if c := byRole["department_staff"]; c["handled"] != 1 || c["reworks"] != 2 {
				t.Errorf("department staff: %v", c)
			}
			if c := byRole["grid_worker"]; c["should_confirm"] != 1 || c["should_verify"] != 1 {
				t.Errorf("grid worker: %v", c)
			}

			// Rebuilt from the cases, the figures are the same.
			before := snapshot(t, srv)
			if n, err := srv.App.Eval.Rebuild(ctx); err != nil || n != 6 {
				t.Fatalf("rebuild: %d cases, %v", n, err)
			}
			if after := snapshot(t, srv); !reflect.DeepEqual(before, after) {
				t.Errorf("rebuild differs:\nincremental %v\nrebuilt     %v", before, after)
			}

			// The downloads carry the same table, headed in the reader's language.
			st, raw := leader.Raw("GET", "/api/v1/indicators?from=2026-10-01&to=2026-10-31&level=subdistrict&format=csv", nil)
			if st != 200 {
				t.Fatalf("csv: %d", st)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
			if err != nil || len(recs) != len(oct.Rows)+1 || !strings.Contains(strings.Join(recs[0], ","), "结案率") {
				t.Fatalf("csv: %v %d rows, header %v", err, len(recs), recs[0])
			}
			st, raw = leader.Raw("GET", "/api/v1/indicators?from=2026-10-01&to=2026-10-31&level=subdistrict&format=xlsx", nil)
			f, err := excelize.OpenReader(bytes.NewReader(raw))
			if st != 200 || err != nil {
				t.Fatalf("xlsx: %d %v", st, err)
			}
			rows, err := f.GetRows(f.GetSheetName(0))
			if err != nil || len(rows) != len(oct.Rows)+1 {
				t.Fatalf("xlsx rows %d, %v", len(rows), err)
			}
			found := false
			for _, r := range rows {
				found = found || (len(r) > 1 && r[0] == donghai && strings.Contains(strings.Join(r, "|"), "|50|"))
			}
			if !found {
				t.Errorf("xlsx lacks Donghai's 50 %% closure: %v", rows)
			}

			// Bad requests are refused in the reader's language, never a 500.
			for q, want := range map[string]string{
				"from=2026-10-01&to=2026-10-31&level=planet":                    "层级",
				"from=2026-10-31&to=2026-10-01&level=zone":                      "统计周期",
				"from=2026-10-01&to=2026-10-31":                                 "层级",
				"from=2026-10-01&to=2026-10-31&level=zone&scheme=none":          "考评方案",
				"from=2026-10-01&to=2026-10-31&level=zone&scheme=gbt30428-grid": "考评方案",
				"from=2026-10-01&to=2026-10-31&level=zone&format=pdf":           "格式",
			} {
				if st, raw := leader.Raw("GET", "/api/v1/indicators?"+q, nil); st != 400 || !strings.Contains(string(raw), want) {
					t.Errorf("%s: %d %s", q, st, raw)
				}
			}
		})
	}
}

// snapshot reads every aggregate row.
func snapshot(t *testing.T, srv *apptest.Server) []string {
	t.Helper()
	var out []string
	for _, q := range []string{`SELECT level, unit, day, reports, registered, closed, reworks, should_close, rated FROM eval_daily
		WHERE reports <> 0 OR registered <> 0 OR closed <> 0 ORDER BY level, unit, day`,
		`SELECT level, unit, month, reports, registered, closed, reworks, should_close, rated FROM eval_monthly
		WHERE reports <> 0 OR registered <> 0 OR closed <> 0 ORDER BY level, unit, month`} {
		rows, err := srv.App.DB.Read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var l, u, d string
			var a, b, c, e, f, g int64
			if err := rows.Scan(&l, &u, &d, &a, &b, &c, &e, &f, &g); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(l, u, d, a, b, c, e, f, g))
		}
		rows.Close()
	}
	return out
}
