package app_test

import (
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
)

// Scope scenarios of the configuration pages' reads: the versions of a calendar year are for
// every signed-in role (like the calendar); the change histories of the catalogue and of the
// routing rules are for the district's sys_admin only, as the changes are.
func init() {
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/calendar/{year}/versions", check: func(t *testing.T, f *fixture) {
			for _, name := range accounts {
				status, body := raw(t, f.clients[name], "GET", "/api/v1/calendar/2026/versions", nil)
				if status != 200 || !strings.Contains(body, `"versions":[`) {
					t.Errorf("%s lists the 2026 versions: %d %.200s", name, status, body)
				}
			}
			if s, _ := raw(t, f.clients["resident1"], "GET", "/api/v1/calendar/1999/versions", nil); s != 400 {
				t.Errorf("year 1999: %d", s)
			}
		}},
		scenario{route: "GET /api/v1/categories/history", check: func(t *testing.T, f *fixture) {
			settingsHistory(t, f, "/api/v1/categories/history")
		}},
		scenario{route: "GET /api/v1/routing/history", check: func(t *testing.T, f *fixture) {
			settingsHistory(t, f, "/api/v1/routing/history")
		}},
	)
}

// settingsHistory: only the district's sys_admin reads a change history.
func settingsHistory(t *testing.T, f *fixture, path string) {
	t.Helper()
	expectStatus(t, f, except("sysadmin"), "GET", path, nil, 403)
	for _, client := range []*apptest.Client{f.subSys, f.subSec, f.subAudit} {
		if s, _ := raw(t, client, "GET", path, nil); s != 403 {
			t.Errorf("%s reads %s: %d", client.Username, path, s)
		}
	}
	if s, b := raw(t, f.clients["sysadmin"], "GET", path, nil); s != 200 || !strings.Contains(b, `"changes":[`) {
		t.Errorf("district sys_admin reads %s: %d %.200s", path, s, b)
	}
}
