package app_test

import (
	"strings"
	"testing"
)

// Scope scenarios of the second sign-in step. Its two routes are public (a challenge, not a
// session, is their key: a session cannot reach them as anything more); resetting a second
// factor is the security administrator's, within its subtree, never its own.
func init() {
	scenarios = append(scenarios,
		scenario{route: "POST /api/v1/auth/mfa/enrol", check: func(t *testing.T, f *fixture) {
			// A session is no challenge: nobody gets another account's secret with theirs.
			for _, name := range accounts {
				if s, b := raw(t, f.clients[name], "POST", "/api/v1/auth/mfa/enrol", map[string]string{"challenge": f.clients[name].Token}); s != 401 || strings.Contains(b, "secret") {
					t.Errorf("%s used its session as a challenge: %d %.200s", name, s, b)
				}
			}
		}},
		scenario{route: "POST /api/v1/auth/mfa/verify", check: func(t *testing.T, f *fixture) {
			for _, name := range accounts {
				if s, _ := raw(t, f.clients[name], "POST", "/api/v1/auth/mfa/verify", map[string]string{"challenge": f.clients[name].Token, "code": "123456"}); s != 401 {
					t.Errorf("%s used its session as a challenge: %d", name, s)
				}
			}
		}},
		scenario{route: "DELETE /api/v1/users/{id}/mfa", check: func(t *testing.T, f *fixture) {
			path := "/api/v1/users/" + f.otherUser + "/mfa"
			expectStatus(t, f, except("secadmin"), "DELETE", path, nil, 403)
			if s, _ := raw(t, f.subSec, "DELETE", path, nil); s != 404 {
				t.Errorf("subdistrict sec_admin reset another subdistrict's second factor: %d", s)
			}
		}},
	)
	publicRoutes = append(publicRoutes, "POST /api/v1/auth/mfa/enrol", "POST /api/v1/auth/mfa/verify")
}
