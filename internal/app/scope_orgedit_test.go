package app_test

import (
	"strings"
	"testing"
)

// Scope scenarios of the org-tree editor: only territory.write (sys_admin) edits the tree, and
// only inside its subtree. Every other role of 东海 and the district is refused (403); 东海's own
// sys_admin is told 城东's nodes do not exist (404). The district's sys_admin reaches them: it is
// shown a refusal for bad input (400/409) so that nothing the other scenarios rely on changes.

// orgEditors are the callers holding territory.write.
var orgEditors = []string{"sysadmin"}

// orgEditRefused checks that every caller without territory.write gets 403, 东海's sys_admin
// 403 or 404, and that no answer carries any of leaks.
func orgEditRefused(t *testing.T, f *fixture, method, path string, body any, leaks ...string) {
	t.Helper()
	orgEditChecked(t, f, method, path, body, []int{403, 404}, leaks...)
}

// orgEditChecked is orgEditRefused with the statuses 东海's sys_admin may get (200 for a list
// that leaves 城东 out).
func orgEditChecked(t *testing.T, f *fixture, method, path string, body any, subSys []int, leaks ...string) {
	t.Helper()
	check := func(name string, status int, b string, allowed ...int) {
		ok := false
		for _, a := range allowed {
			ok = ok || status == a
		}
		if !ok {
			t.Errorf("%s %s as %s: status %d, want %v: %.200s", method, path, name, status, allowed, b)
		}
		for _, leak := range leaks {
			if leak != "" && strings.Contains(b, leak) {
				t.Errorf("%s %s as %s: the answer shows %q", method, path, name, leak)
			}
		}
	}
	for _, name := range except(orgEditors...) {
		status, b := raw(t, f.clients[name], method, path, body)
		check(name, status, b, 403)
	}
	status, b := raw(t, f.subSys, method, path, body)
	check("donghai.sysadmin", status, b, subSys...)
}

// orgNodeOf returns the district sys_admin's view of one node in GET /api/v1/org/nodes.
func orgNodeOf(t *testing.T, f *fixture, code string) map[string]any {
	t.Helper()
	var list struct {
		Nodes []map[string]any `json:"nodes"`
	}
	if s := f.clients["sysadmin"].Do("GET", "/api/v1/org/nodes", nil, &list); s != 200 {
		t.Fatalf("GET /api/v1/org/nodes as sysadmin: %d", s)
	}
	for _, n := range list.Nodes {
		if n["code"] == code {
			return n
		}
	}
	return nil
}

func init() {
	scenarios = append(scenarios,
		scenario{"GET /api/v1/org/nodes", func(t *testing.T, f *fixture) {
			orgEditChecked(t, f, "GET", "/api/v1/org/nodes", nil, []int{200}, otherComm)
			if s, b := raw(t, f.subSys, "GET", "/api/v1/org/nodes", nil); s != 200 || strings.Contains(b, otherComm) || !strings.Contains(b, home+"001") {
				t.Errorf("东海's sys_admin lists: %d %.300s", s, b)
			}
			if orgNodeOf(t, f, otherComm) == nil {
				t.Error("the district's sys_admin does not list 城东's community")
			}
		}},
		scenario{"POST /api/v1/org/nodes", func(t *testing.T, f *fixture) {
			body := map[string]any{"kind": "community", "code": other + "099", "name": "越界社区", "parent_code": other}
			orgEditRefused(t, f, "POST", "/api/v1/org/nodes", body)
			if orgNodeOf(t, f, other+"099") != nil {
				t.Error("a refused add wrote a community")
			}
			expectStatus(t, f, orgEditors, "POST", "/api/v1/org/nodes",
				map[string]any{"kind": "community", "code": other + "099", "name": "", "parent_code": other}, 400)
		}},
		scenario{"PATCH /api/v1/org/nodes/{code}", func(t *testing.T, f *fixture) {
			orgEditRefused(t, f, "PATCH", "/api/v1/org/nodes/"+otherComm, map[string]any{"name": "越界改名", "name_en": ""})
			if n := orgNodeOf(t, f, otherComm); n == nil || n["name"] == "越界改名" {
				t.Errorf("a refused rename changed 城东's community: %v", n)
			}
			expectStatus(t, f, orgEditors, "PATCH", "/api/v1/org/nodes/"+otherComm, map[string]any{"name": " ", "name_en": ""}, 400)
		}},
		scenario{"POST /api/v1/org/nodes/{code}/move", func(t *testing.T, f *fixture) {
			// Neither out of 城东 into 东海 nor out of 东海 into 城东.
			orgEditRefused(t, f, "POST", "/api/v1/org/nodes/"+otherComm+"/move", map[string]any{"parent_code": home})
			orgEditRefused(t, f, "POST", "/api/v1/org/nodes/"+home+"001/move", map[string]any{"parent_code": other})
			if n := orgNodeOf(t, f, otherComm); n == nil || n["parent_code"] != other {
				t.Errorf("a refused move moved 城东's community: %v", n)
			}
			if n := orgNodeOf(t, f, home+"001"); n == nil || n["parent_code"] != home {
				t.Errorf("a refused move moved 东海's community: %v", n)
			}
			expectStatus(t, f, orgEditors, "POST", "/api/v1/org/nodes/"+otherComm+"/move", map[string]any{"parent_code": other}, 400)
		}},
		scenario{"POST /api/v1/org/nodes/{code}/retire", func(t *testing.T, f *fixture) {
			orgEditRefused(t, f, "POST", "/api/v1/org/nodes/"+otherComm+"/retire", nil)
			// The district's sys_admin reaches it, but it still has grids and a grant.
			expectStatus(t, f, orgEditors, "POST", "/api/v1/org/nodes/"+otherComm+"/retire", nil, 409)
			if n := orgNodeOf(t, f, otherComm); n == nil || n["retired_at"] != nil {
				t.Errorf("a refused retirement retired 城东's community: %v", n)
			}
		}},
		scenario{"GET /api/v1/org/history/{code}", func(t *testing.T, f *fixture) {
			orgEditRefused(t, f, "GET", "/api/v1/org/history/"+otherComm, nil)
			orgEditRefused(t, f, "GET", "/api/v1/org/history/"+f.otherGrid, nil)
			expectStatus(t, f, orgEditors, "GET", "/api/v1/org/history/"+otherComm, nil, 200)
			if s, b := raw(t, f.subSys, "GET", "/api/v1/org/history/"+home+"001", nil); s != 200 {
				t.Errorf("东海's sys_admin reading 东海's history: %d %.200s", s, b)
			}
		}},
		scenario{"POST /api/v1/org/zones", func(t *testing.T, f *fixture) {
			orgEditRefused(t, f, "POST", "/api/v1/org/zones", map[string]any{"code": other + "Z09", "name": "越界片区", "subdistrict_code": other})
			expectStatus(t, f, orgEditors, "POST", "/api/v1/org/zones", map[string]any{"code": "z", "name": "片区", "subdistrict_code": other}, 400)
			if _, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/org/nodes", nil); strings.Contains(b, other+"Z09") {
				t.Error("a refused add wrote a zone")
			}
		}},
		scenario{"GET /api/v1/org/communities/{code}/grids", func(t *testing.T, f *fixture) {
			orgEditRefused(t, f, "GET", "/api/v1/org/communities/"+otherComm+"/grids", nil, f.otherGrid)
			if s, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/org/communities/"+otherComm+"/grids", nil); s != 200 || !strings.Contains(b, otherComm) {
				t.Errorf("the district's sys_admin reading 城东's grids: %d %.200s", s, b)
			}
		}},
		scenario{"PATCH /api/v1/org/grids/{code}", func(t *testing.T, f *fixture) {
			orgEditRefused(t, f, "PATCH", "/api/v1/org/grids/"+f.otherGrid, map[string]any{"zone_code": ""})
			expectStatus(t, f, orgEditors, "PATCH", "/api/v1/org/grids/"+f.otherGrid, map[string]any{}, 400)
		}},
	)
}
