package app_test

import (
	"strings"
	"testing"
)

// Scope scenarios of the resident's account. Signing in by SMS code is public and says nothing
// about whose number it is; consent, "my data" and deleting act on the caller's own account
// only — the routes take no account id — and staff cannot delete themselves.
func init() {
	scenarios = append(scenarios,
		scenario{route: "POST /api/v1/auth/login/code", check: func(t *testing.T, f *fixture) {
			// A session changes nothing: the answer is the anonymous one.
			s, b := raw(t, f.clients["resident1"], "POST", "/api/v1/auth/login/code", map[string]string{"phone": "13800000001"})
			s2, b2 := raw(t, f.anonymous, "POST", "/api/v1/auth/login/code", map[string]string{"phone": "13800000002"})
			if s != 202 || s != s2 || b != b2 {
				t.Errorf("sign-in code answers: %d %s / %d %s", s, b, s2, b2)
			}
		}},
		scenario{route: "POST /api/v1/auth/login/sms", check: func(t *testing.T, f *fixture) {
			// A session is no code: nobody signs in as another account with theirs.
			for _, name := range accounts {
				if s, _ := raw(t, f.clients[name], "POST", "/api/v1/auth/login/sms", map[string]string{"phone": "13800000001", "code": f.clients[name].Token}); s == 200 {
					t.Errorf("%s signed in with its session as a code: %d", name, s)
				}
			}
		}},
		scenario{route: "POST /api/v1/me/consent", check: func(t *testing.T, f *fixture) {
			// Only one's own consent; staff may accept too (harmless), nobody for another.
			body := map[string]any{"consent": f.srv.App.Auth.Consents().Current(), "user_id": f.otherUser}
			expectStatus(t, f, accounts, "POST", "/api/v1/me/consent", body, 400)
		}},
		scenario{route: "GET /api/v1/me/data", check: func(t *testing.T, f *fixture) {
			// Each caller's export is its own, with no other account's id.
			for _, name := range accounts {
				s, b := raw(t, f.clients[name], "GET", "/api/v1/me/data", nil)
				if s != 200 || !strings.Contains(b, `"username":"`+name+`"`) || strings.Contains(b, f.otherUser) {
					t.Errorf("%s export: %d %.200s", name, s, b)
				}
			}
		}},
		scenario{route: "DELETE /api/v1/me", check: func(t *testing.T, f *fixture) {
			// Staff: 403 whatever they send; a resident with a wrong password: 401, still there.
			expectStatus(t, f, except("resident1"), "DELETE", "/api/v1/me", map[string]string{"password": "Demo-Passw0rd!"}, 403)
			expectStatus(t, f, []string{"resident1"}, "DELETE", "/api/v1/me", map[string]string{"password": "Wrong-Passw0rd"}, 401)
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/me", nil, 200)
		}},
	)
	publicRoutes = append(publicRoutes, "POST /api/v1/auth/login/code", "POST /api/v1/auth/login/sms")
}
