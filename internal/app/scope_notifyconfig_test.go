package app_test

import (
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
)

// Scope scenarios of the message templates and gateways: they belong to the whole district, so
// only a sys_admin held at the district node reads or changes them. Every other role, and the
// administrators held at a subdistrict, is refused; a refused change changes nothing.
func init() {
	subAdmins := func(f *fixture) []*apptest.Client { return []*apptest.Client{f.subSys, f.subSec, f.subAudit} }
	refused := func(t *testing.T, f *fixture, method, path string, body any) {
		t.Helper()
		expectStatus(t, f, except("sysadmin"), method, path, body, 403)
		for _, c := range subAdmins(f) {
			if s, b := raw(t, c, method, path, body); s != 403 {
				t.Errorf("%s %s as %s: %d %.200s", method, path, c.Username, s, b)
			}
		}
		if s, b := raw(t, f.subSys, method, path, body); !strings.Contains(b, "notify.config_district_only") {
			t.Errorf("subdistrict sys_admin: %d %.200s", s, b)
		}
	}
	const tplKey = "notify.case.close"
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/notify/templates", check: func(t *testing.T, f *fixture) {
			refused(t, f, "GET", "/api/v1/notify/templates", nil)
			if s, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/notify/templates", nil); s != 200 || !strings.Contains(b, tplKey) {
				t.Errorf("district sys_admin's templates: %d %.200s", s, b)
			}
		}},
		scenario{route: "PUT /api/v1/notify/templates/{key}", check: func(t *testing.T, f *fixture) {
			body := map[string]any{"lang": "zh-CN", "text": "您反映的 %s 已办好（%s）。"}
			refused(t, f, "PUT", "/api/v1/notify/templates/"+tplKey, body)
			if _, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/notify/templates", nil); strings.Contains(b, "已办好") {
				t.Errorf("a refused change was stored: %.300s", b)
			}
			if s, b := raw(t, f.clients["sysadmin"], "PUT", "/api/v1/notify/templates/"+tplKey, body); s != 200 || !strings.Contains(b, "已办好") {
				t.Errorf("district sys_admin words a template: %d %.200s", s, b)
			}
			// Back to the catalogue's wording for the scenarios that follow.
			raw(t, f.clients["sysadmin"], "PUT", "/api/v1/notify/templates/"+tplKey, map[string]any{"lang": "zh-CN", "text": ""})
		}},
		scenario{route: "GET /api/v1/notify/gateways", check: func(t *testing.T, f *fixture) {
			refused(t, f, "GET", "/api/v1/notify/gateways", nil)
			if s, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/notify/gateways", nil); s != 200 || !strings.Contains(b, `"sms"`) {
				t.Errorf("district sys_admin's gateways: %d %.200s", s, b)
			}
		}},
		scenario{route: "PUT /api/v1/notify/gateways/{channel}", check: func(t *testing.T, f *fixture) {
			body := map[string]any{"url": "https://sms.gateway.example/send?key=SECRET"}
			refused(t, f, "PUT", "/api/v1/notify/gateways/sms", body)
			if _, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/notify/gateways", nil); strings.Contains(b, "gateway.example") {
				t.Errorf("a refused change was stored: %.300s", b)
			}
		}},
		scenario{route: "POST /api/v1/notify/gateways/{channel}/test", check: func(t *testing.T, f *fixture) {
			refused(t, f, "POST", "/api/v1/notify/gateways/sms/test", map[string]any{"to": "13900005678"})
		}},
	)
}
