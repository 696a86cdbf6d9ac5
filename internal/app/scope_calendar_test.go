package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
)

// Scope scenarios of the work calendar. Every signed-in role reads it (it is the same for the
// whole district); only the district's sys_admin replaces a year — a sys_admin held at a
// subdistrict may not, because one subdistrict cannot change every other's deadlines.
func init() {
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/calendar/{year}", check: func(t *testing.T, f *fixture) {
			for _, name := range accounts {
				status, body := raw(t, f.clients[name], "GET", "/api/v1/calendar/2026", nil)
				if status != 200 || !strings.Contains(body, `"date":"2026-10-01"`) {
					t.Errorf("%s reads the 2026 calendar: %d %.200s", name, status, body)
				}
			}
		}},
		scenario{route: "PUT /api/v1/calendar/{year}", check: func(t *testing.T, f *fixture) {
			var year map[string]any
			f.clients["sysadmin"].Do("GET", "/api/v1/calendar/2026", nil, &year)
			original, _ := json.Marshal(year)
			// A refused change must change nothing: try to add a holiday on 2026-03-02.
			year["holidays"] = append(year["holidays"].([]any), map[string]string{"date": "2026-03-02", "name": "intruder"})
			changed, _ := json.Marshal(year)
			expectStatus(t, f, except("sysadmin"), "PUT", "/api/v1/calendar/2026", changed, 403)
			if s, b := raw(t, f.subSys, "PUT", "/api/v1/calendar/2026", changed); s != 403 || !strings.Contains(b, "calendar.district_only") {
				t.Errorf("subdistrict sys_admin replaced the district's calendar: %d %.200s", s, b)
			}
			for _, client := range []*apptest.Client{f.subSec, f.subAudit} {
				if s, _ := raw(t, client, "PUT", "/api/v1/calendar/2026", changed); s != 403 {
					t.Errorf("%s replaced the calendar: %d", client.Username, s)
				}
			}
			if _, b := raw(t, f.clients["resident1"], "GET", "/api/v1/calendar/2026", nil); strings.Contains(b, "intruder") {
				t.Error("a refused PUT changed the calendar")
			}
			// The district's sys_admin may (the same data back, so other scenarios see no change).
			if s, b := raw(t, f.clients["sysadmin"], "PUT", "/api/v1/calendar/2026", original); s != 200 || !strings.Contains(b, `"origin":"stored"`) {
				t.Errorf("district sys_admin PUT: %d %.200s", s, b)
			}
		}},
		scenario{route: "GET /api/v1/calendar/{year}/check", check: func(t *testing.T, f *fixture) {
			// 11:00 on the last working day before 国庆 + 1 working day = 11:00 on 10-08.
			for _, name := range accounts {
				status, body := raw(t, f.clients[name], "GET", "/api/v1/calendar/2026/check?start=2026-09-30T03:00:00Z&value=1&unit=days", nil)
				if status != 200 || !strings.Contains(body, `"deadline":"2026-10-08T03:00:00Z"`) {
					t.Errorf("%s deadline calculator: %d %.200s", name, status, body)
				}
			}
		}},
	)
}
