package app_test

import (
	"strings"
	"testing"
	"time"
)

// The case desk's downloads and figures (export, statistics by category and place, the overdue
// list) read through the same scope as the case list: another subdistrict's cases never show.
func init() {
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	period := "from=" + today + "&to=" + today
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/cases/export", check: func(t *testing.T, f *fixture) {
			casesOf(t, f)
			expectStatus(t, f, admins, "GET", "/api/v1/cases/export?format=csv", nil, 403)
			for _, name := range subdistrictStaff {
				_, b := raw(t, f.clients[name], "GET", "/api/v1/cases/export?format=csv", nil)
				if !strings.Contains(b, "道路破损需要修补") || strings.Contains(b, "城东井盖缺失") {
					t.Errorf("%s's export: %.300s", name, b)
				}
			}
			if _, b := raw(t, f.clients["donghai.shift_lead"], "GET", "/api/v1/cases/export?format=csv&subdistrict=350503002", nil); strings.Contains(b, "城东井盖缺失") {
				t.Error("a filter widened the export's scope")
			}
			_, b := raw(t, f.clients["resident1"], "GET", "/api/v1/cases/export?format=csv", nil)
			if !strings.Contains(b, "路灯不亮") || strings.Contains(b, "道路破损") || strings.Contains(b, "城东井盖缺失") {
				t.Errorf("a resident's export holds others' cases: %.300s", b)
			}
			_, b = raw(t, f.clients["dept01.staff"], "GET", "/api/v1/cases/export?format=csv", nil)
			if !strings.Contains(b, "道路破损需要修补") || strings.Contains(b, "路灯不亮") || strings.Contains(b, "城东井盖缺失") {
				t.Errorf("a department's export holds undispatched cases: %.300s", b)
			}
		}},
		scenario{route: "GET /api/v1/cases/stats", check: func(t *testing.T, f *fixture) {
			casesOf(t, f)
			expectStatus(t, f, admins, "GET", "/api/v1/cases/stats?group=place&"+period, nil, 403)
			for _, name := range subdistrictStaff {
				_, b := raw(t, f.clients[name], "GET", "/api/v1/cases/stats?group=place&"+period, nil)
				if strings.Contains(b, `"grid_code":"350503002`) || !strings.Contains(b, `"grid_code":"350503001`) {
					t.Errorf("%s's places: %.300s", name, b)
				}
			}
			_, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/cases/stats?group=place&"+period, nil)
			if !strings.Contains(b, `"grid_code":"350503002`) {
				t.Errorf("the district leader misses 城东's places: %.300s", b)
			}
			// Naming another subdistrict's unit does not widen the scope: nothing of it is counted.
			_, b = raw(t, f.clients["donghai.leader"], "GET", "/api/v1/cases/stats?group=category&level=subdistrict&code=350503002&"+period, nil)
			if strings.Contains(b, `"count":`) && !strings.Contains(b, `"groups":[]`) {
				t.Errorf("another subdistrict's categories: %.300s", b)
			}
		}},
		scenario{route: "GET /api/v1/cases/overdue", check: func(t *testing.T, f *fixture) {
			casesOf(t, f)
			expectStatus(t, f, admins, "GET", "/api/v1/cases/overdue", nil, 403)
			expectStatus(t, f, subdistrictStaff, "GET", "/api/v1/cases/overdue", nil, 200)
		}},
	)
}
