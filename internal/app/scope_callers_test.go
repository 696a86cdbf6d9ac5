package app_test

import (
	"strings"
	"testing"
)

// Scope scenario of the hotline caller lookup: only the intake desk (intake operators, shift
// leads) looks a number up, and a desk sees only the earlier cases its scope reaches.
func init() {
	scenarios = append(scenarios, scenario{"POST /api/v1/callers/lookup", func(t *testing.T, f *fixture) {
		const phone = "13700137000"
		// A named caller of 城东 called before.
		var c struct{ ID, Number string }
		if s := f.srv.Login(t, "chengdong.intake_operator").Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345",
			"lat": 24.925, "lng": 118.5995, "description": "城东来电反映路灯不亮", "reporter_phone": phone, "reporter_name": "赵先生"}, &c); s != 201 {
			t.Fatalf("城东's hotline case: %d", s)
		}
		body := map[string]string{"phone": phone}
		desks := []string{"donghai.intake_operator", "donghai.shift_lead"}
		expectStatus(t, f, except(desks...), "POST", "/api/v1/callers/lookup", body, 403)
		for _, name := range desks {
			status, b := raw(t, f.clients[name], "POST", "/api/v1/callers/lookup", body)
			if status != 200 || strings.Contains(b, c.Number) || strings.Contains(b, c.ID) || strings.Contains(b, phone) {
				t.Errorf("lookup as %s: %d %.300s", name, status, b)
			}
		}
	}})
}
