package app_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Scope scenarios of the audit log in plain words and its export: only audit administrators
// read them, and a subdistrict's auditor gets exactly the records the raw search gives it.
func init() {
	seqs := func(t *testing.T, body string) []int64 {
		t.Helper()
		var page struct{ Records []struct{ Seq int64 } }
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatalf("decode %.200s: %v", body, err)
		}
		out := []int64{}
		for _, r := range page.Records {
			out = append(out, r.Seq)
		}
		return out
	}
	scenarios = append(scenarios,
		scenario{"GET /api/v1/audit/plain", func(t *testing.T, f *fixture) {
			expectStatus(t, f, except("auditadmin"), "GET", "/api/v1/audit/plain", nil, 403)
			_, rawBody := raw(t, f.subAudit, "GET", "/api/v1/audit?limit=500", nil)
			s, plainBody := raw(t, f.subAudit, "GET", "/api/v1/audit/plain?limit=500", nil)
			if s != 200 {
				t.Fatalf("subdistrict audit_admin: %d %.200s", s, plainBody)
			}
			if a, b := seqs(t, rawBody), seqs(t, plainBody); !slices.Equal(a, b) || len(a) == 0 {
				t.Errorf("plain records %v differ from the raw search's %v", b, a)
			}
		}},
		scenario{"GET /api/v1/audit/export", func(t *testing.T, f *fixture) {
			expectStatus(t, f, except("auditadmin"), "GET", "/api/v1/audit/export?format=csv", nil, 403)
			_, rawBody := raw(t, f.subAudit, "GET", "/api/v1/audit?limit=500", nil)
			s, csv := raw(t, f.subAudit, "GET", "/api/v1/audit/export?format=csv", nil)
			if s != 200 {
				t.Fatalf("subdistrict audit_admin: %d %.200s", s, csv)
			}
			// One line per record after the header (no record's text holds a line break but
			// its changes, which are quoted).
			want := len(seqs(t, rawBody))
			if got := strings.Count(csv, "\r\n") + strings.Count(csv, "\n") - strings.Count(csv, "\r\n"); got < want+1 {
				t.Errorf("export has %d lines, want at least %d", got, want+1)
			}
		}},
	)
}
