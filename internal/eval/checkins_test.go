package eval_test

import (
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// TestCheckInsOnDepartmentRows: the 报到 figures of the departments a whistle summoned appear on
// their rows of the indicators, under the glossary's names: the unit that checked in on time at
// 100 %, the one 40 minutes into a 30-minute deadline at 0 % and late, as the district's leader
// reads them; a department's staff see their own row's figures only.
func TestCheckInsOnDepartmentRows(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			// 10:00 on Wednesday 2 December 2026, Beijing time.
			clock := apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			worker := srv.Login(t, "donghai.grid_worker")
			var c, w struct{ ID string }
			if st := worker.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng,
				"description": "路面塌陷，需多部门到场"}, &c); st != 201 {
				t.Fatalf("report: %d", st)
			}
			if st, raw := worker.Raw("POST", "/api/v1/whistles", map[string]any{"case_id": c.ID, "kind": "emergency",
				"department_codes": []string{"350503D01", "350503D02"}, "ask": "到场处置"}); st != 201 {
				t.Fatalf("whistle: %d %s", st, raw)
			} else if err := jsonUnmarshal(raw, &w); err != nil {
				t.Fatal(err)
			}
			checkIn := func(account string) {
				t.Helper()
				if st, raw := srv.Login(t, account).Raw("POST", "/api/v1/whistles/"+w.ID+"/check-ins", map[string]any{"lat": lat, "lng": lng}); st != 201 {
					t.Fatalf("%s check-in: %d %s", account, st, raw)
				}
			}
			checkIn("dept01.staff")
			clock.Advance(40 * time.Minute)
			checkIn("dept02.staff")

			type row struct {
				Code     string
				Rates    map[string]*float64
				CheckIns *struct {
					WhistlesReceived  int64    `json:"whistles_received"`
					ShouldCheckIn     int64    `json:"should_check_in"`
					CheckedInOnTime   int64    `json:"checked_in_on_time"`
					Late              int64    `json:"late"`
					OnTimeCheckInRate *float64 `json:"on_time_check_in_rate"`
				} `json:"check_ins"`
			}
			read := func(account string) map[string]row {
				t.Helper()
				var tb struct{ Rows []row }
				if st, raw := srv.Login(t, account).Raw("GET", "/api/v1/indicators?from=2026-12-01&to=2026-12-02&level=department", nil); st != 200 {
					t.Fatalf("%s indicators: %d %s", account, st, raw)
				} else if err := jsonUnmarshal(raw, &tb); err != nil {
					t.Fatal(err)
				}
				out := map[string]row{}
				for _, r := range tb.Rows {
					out[r.Code] = r
				}
				return out
			}
			rows := read("district.leader")
			for code, want := range map[string]struct {
				rate       float64
				onTime, ln int64
			}{"350503D01": {100, 1, 0}, "350503D02": {0, 0, 1}} {
				r := rows[code]
				if r.CheckIns == nil || r.CheckIns.WhistlesReceived != 1 || r.CheckIns.ShouldCheckIn != 1 || r.CheckIns.CheckedInOnTime != want.onTime ||
					r.CheckIns.Late != want.ln || r.CheckIns.OnTimeCheckInRate == nil || *r.CheckIns.OnTimeCheckInRate != want.rate {
					t.Errorf("%s check-ins %+v, want rate %v", code, r.CheckIns, want.rate)
				}
				if v := r.Rates["on_time_check_in_rate"]; v == nil || *v != want.rate {
					t.Errorf("%s rates.on_time_check_in_rate %v, want %v", code, v, want.rate)
				}
			}
			if r := rows["350503D03"]; r.CheckIns != nil {
				t.Errorf("a unit not summoned has check-ins %+v", r.CheckIns)
			}
			own := read("dept01.staff")
			if own["350503D01"].CheckIns == nil || own["350503D02"].CheckIns != nil {
				t.Errorf("dept01's staff read check-ins of %v", own)
			}
		})
	}
}
