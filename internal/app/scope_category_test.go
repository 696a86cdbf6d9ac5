package app_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// Scope scenarios of the category catalogue and the routing rules: every signed-in role reads
// them (they are district-wide reference data); only a district-level sys_admin changes them — a
// subdistrict's sys_admin is refused too — and a refused change changes nothing.

// catGet reads path as the district sys_admin and returns the body.
func catGet(t *testing.T, f *fixture, path string) string {
	t.Helper()
	status, body := raw(t, f.clients["sysadmin"], "GET", path, nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %.200s", path, status, body)
	}
	return body
}

// catRefused asserts that every caller but the district sys_admin, and the subdistrict sys_admin,
// get 403 for the request, and that the watched resource reads the same afterwards.
func catRefused(t *testing.T, f *fixture, method, path string, body any, watch string) {
	t.Helper()
	before := catGet(t, f, watch)
	expectStatus(t, f, except("sysadmin"), method, path, body, 403)
	if status, b := raw(t, f.subSys, method, path, body); status != 403 {
		t.Errorf("subdistrict sys_admin %s %s: %d %.200s", method, path, status, b)
	}
	if after := catGet(t, f, watch); after != before {
		t.Errorf("a refused %s %s changed %s", method, path, watch)
	}
}

func init() {
	scenarios = append(scenarios,
		scenario{"GET /api/v1/categories", func(t *testing.T, f *fixture) {
			expectStatus(t, f, accounts, "GET", "/api/v1/categories", nil, 200)
			for _, name := range []string{"resident1", "dept01.staff"} {
				_, body := raw(t, f.clients[name], "GET", "/api/v1/categories?class=event&major=06", nil)
				if !strings.Contains(body, `"code":"06010"`) || !strings.Contains(body, `"limits":{`) {
					t.Errorf("%s reads no catalogue: %.200s", name, body)
				}
			}
		}},
		scenario{"GET /api/v1/categories.csv", func(t *testing.T, f *fixture) {
			expectStatus(t, f, accounts, "GET", "/api/v1/categories.csv", nil, 200)
		}},
		scenario{"GET /api/v1/categories/{class}/{code}", func(t *testing.T, f *fixture) {
			expectStatus(t, f, accounts, "GET", "/api/v1/categories/event/06010", nil, 200)
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/categories/event/99999", nil, 404)
		}},
		scenario{"PUT /api/v1/categories/{class}/{code}", func(t *testing.T, f *fixture) {
			const path = "/api/v1/categories/event/06010"
			var c map[string]any
			json.Unmarshal([]byte(catGet(t, f, path)), &c)
			delete(c, "limits")
			same, _ := json.Marshal(c)
			c["name"], c["active"] = "已被改名", false
			changed, _ := json.Marshal(c)
			catRefused(t, f, "PUT", path, changed, path)
			// A new code is refused too, and not created.
			catRefused(t, f, "PUT", "/api/v1/categories/event/99001", map[string]any{"major_name": "自定义", "name": "x", "standard_ref": "local"},
				"/api/v1/categories?include_inactive=true")
			expectStatus(t, f, []string{"sysadmin"}, "PUT", path, same, 200)
		}},
		scenario{"PUT /api/v1/categories/{class}/{code}/limits", func(t *testing.T, f *fixture) {
			const path = "/api/v1/categories/event/06010"
			body := map[string]any{"normal": map[string]any{"handle": map[string]any{"value": 99, "unit": "days"}}}
			catRefused(t, f, "PUT", path+"/limits", body, path)
			catRefused(t, f, "PUT", "/api/v1/categories/*/*/limits", body, "/api/v1/categories") // lists default_limits
			var c struct {
				Limits map[string]map[string]any `json:"limits"`
			}
			json.Unmarshal([]byte(catGet(t, f, path)), &c)
			expectStatus(t, f, []string{"sysadmin"}, "PUT", path+"/limits", c.Limits, 200)
		}},
		scenario{"POST /api/v1/categories/import", func(t *testing.T, f *fixture) {
			exported := catGet(t, f, "/api/v1/categories.csv")
			changed := strings.Replace(exported, "暴露垃圾", "已被改名", 1) + "event,99001,99,自定义,,新增,,local,,,,true,50,72,true\n"
			catRefused(t, f, "POST", "/api/v1/categories/import", changed, "/api/v1/categories.csv")
			expectStatus(t, f, []string{"sysadmin"}, "POST", "/api/v1/categories/import", exported, 200)
		}},
		scenario{"GET /api/v1/routing/rules", func(t *testing.T, f *fixture) {
			expectStatus(t, f, accounts, "GET", "/api/v1/routing/rules", nil, 200)
			if body := catGet(t, f, "/api/v1/routing/rules"); !strings.Contains(body, `"department_code":"350503D`) {
				t.Errorf("no demo rules: %.200s", body)
			}
		}},
		scenario{"PUT /api/v1/routing/rules", func(t *testing.T, f *fixture) {
			rules := catGet(t, f, "/api/v1/routing/rules")
			catRefused(t, f, "PUT", "/api/v1/routing/rules", `{"rules":[]}`, "/api/v1/routing/rules")
			catRefused(t, f, "PUT", "/api/v1/routing/rules",
				`{"rules":[{"name":"all to police","department_code":"350503D11"}]}`, "/api/v1/routing/rules")
			expectStatus(t, f, []string{"sysadmin"}, "PUT", "/api/v1/routing/rules", rules, 200)
		}},
		scenario{"POST /api/v1/routing/test", func(t *testing.T, f *fixture) {
			body := map[string]any{"category_code": "06028", "org_code": home, "working": false}
			expectStatus(t, f, accounts, "POST", "/api/v1/routing/test", body, 200)
			_, answer := raw(t, f.clients["donghai.dispatcher"], "POST", "/api/v1/routing/test", body)
			if !strings.Contains(answer, `"matched":true`) || !strings.Contains(answer, `"rule_id":"demo-noise-donghai-night","rule_name":"东海街道非工作时间噪声扰民 → 区公安分局","priority":10,"outcome":"winner"`) {
				t.Errorf("routing test at night: %.600s", answer)
			}
			// By day the night rule is tried first and says which condition failed.
			body["working"] = true
			_, answer = raw(t, f.clients["donghai.dispatcher"], "POST", "/api/v1/routing/test", body)
			if !strings.Contains(answer, `"rule_id":"demo-noise-donghai-night","rule_name":"东海街道非工作时间噪声扰民 → 区公安分局","priority":10,"outcome":"no_match","failed":"time_window"`) {
				t.Errorf("routing test by day: %.600s", answer)
			}
		}},
	)
}
