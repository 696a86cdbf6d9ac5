package app_test

import (
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
)

// Scope scenarios of the Open311 API keys. Only a sys_admin held at the district node manages
// them: every other role — and a sys_admin, sec_admin or audit_admin held at a subdistrict — is
// refused listing, creating and revoking, and a refused request changes nothing.
func init() {
	// subAdmins are the administrators held at 东海街道.
	subAdmins := func(f *fixture) []*apptest.Client { return []*apptest.Client{f.subSys, f.subSec, f.subAudit} }
	keyNames := func(t *testing.T, f *fixture) string {
		t.Helper()
		status, body := raw(t, f.clients["sysadmin"], "GET", "/api/v1/apikeys", nil)
		if status != 200 {
			t.Fatalf("district sys_admin lists keys: %d %.200s", status, body)
		}
		return body
	}
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/apikeys", check: func(t *testing.T, f *fixture) {
			expectStatus(t, f, except("sysadmin"), "GET", "/api/v1/apikeys", nil, 403)
			for _, c := range subAdmins(f) {
				if s, b := raw(t, c, "GET", "/api/v1/apikeys", nil); s != 403 {
					t.Errorf("%s lists keys: %d %.200s", c.Username, s, b)
				}
			}
			if s, b := raw(t, f.subSys, "GET", "/api/v1/apikeys", nil); !strings.Contains(b, "apikey.district_admin_only") {
				t.Errorf("subdistrict sys_admin: %d %.200s", s, b)
			}
			if body := keyNames(t, f); !strings.Contains(body, `"keys":[`) {
				t.Errorf("district sys_admin's list: %.200s", body)
			}
		}},
		scenario{route: "POST /api/v1/apikeys", check: func(t *testing.T, f *fixture) {
			audited := func() int {
				var records struct {
					Records []any `json:"records"`
				}
				f.clients["auditadmin"].Do("GET", "/api/v1/audit?action=apikey.", nil, &records)
				return len(records.Records)
			}
			before := audited()
			intruder := map[string]any{"name": "intruder-app", "rate_per_minute": 10}
			expectStatus(t, f, except("sysadmin"), "POST", "/api/v1/apikeys", intruder, 403)
			for _, c := range subAdmins(f) {
				if s, b := raw(t, c, "POST", "/api/v1/apikeys", intruder); s != 403 || strings.Contains(b, "yw311_") {
					t.Errorf("%s creates a key: %d %.200s", c.Username, s, b)
				}
			}
			// A refused caller learns nothing about its body either: the caller is checked first.
			if s, b := raw(t, f.clients["resident1"], "POST", "/api/v1/apikeys", map[string]any{"name": "x"}); s != 403 {
				t.Errorf("a resident's bad body: %d %.200s", s, b)
			}
			// A refused create wrote nothing: neither a key nor an audit record.
			if body := keyNames(t, f); strings.Contains(body, "intruder-app") {
				t.Error("a refused create wrote a key")
			}
			if n := audited(); n != before {
				t.Errorf("refused creates wrote %d audit records", n-before)
			}
			// The district's sys_admin may.
			if s, b := raw(t, f.clients["sysadmin"], "POST", "/api/v1/apikeys", map[string]any{"name": "scope-app"}); s != 201 || !strings.Contains(b, `"key":"yw311_`) {
				t.Errorf("district sys_admin creates a key: %d %.200s", s, b)
			}
			if n := audited(); n != before+1 {
				t.Errorf("audit records of apikey.*: %d, want %d", n, before+1)
			}
		}},
		scenario{route: "DELETE /api/v1/apikeys/{name}", check: func(t *testing.T, f *fixture) {
			if s, b := raw(t, f.clients["sysadmin"], "POST", "/api/v1/apikeys", map[string]any{"name": "scope-revoke"}); s != 201 {
				t.Fatalf("create the key to revoke: %d %.200s", s, b)
			}
			expectStatus(t, f, except("sysadmin"), "DELETE", "/api/v1/apikeys/scope-revoke", nil, 403)
			for _, c := range subAdmins(f) {
				if s, b := raw(t, c, "DELETE", "/api/v1/apikeys/scope-revoke", nil); s != 403 {
					t.Errorf("%s revokes a key: %d %.200s", c.Username, s, b)
				}
			}
			// Refused, so the key is still active: the list shows no revoked_at for it.
			var list struct {
				Keys []struct {
					Name      string  `json:"name"`
					RevokedAt *string `json:"revoked_at"`
				} `json:"keys"`
			}
			f.clients["sysadmin"].Do("GET", "/api/v1/apikeys", nil, &list)
			active := false
			for _, k := range list.Keys {
				active = active || (k.Name == "scope-revoke" && k.RevokedAt == nil)
			}
			if !active {
				t.Errorf("a refused revoke ended the key: %+v", list.Keys)
			}
			if s, b := raw(t, f.clients["sysadmin"], "DELETE", "/api/v1/apikeys/scope-revoke", nil); s != 204 {
				t.Errorf("district sys_admin revokes: %d %.200s", s, b)
			}
		}},
	)
}
