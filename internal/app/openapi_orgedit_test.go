package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestOpenAPIOrgEdit calls the org-tree editor's operations for real and checks every request and
// answer against the document (as TestOpenAPI does for the operations oaCalls reaches).
func TestOpenAPIOrgEdit(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	k := &oaChecker{srv: srv, http: &http.Client{}, seen: map[string]map[int]bool{}}
	onDisk, err := srv.App.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	if k.doc, err = loader.LoadFromData(onDisk); err != nil {
		t.Fatal(err)
	}
	if k.router, err = gorillamux.NewRouter(k.doc); err != nil {
		t.Fatal(err)
	}
	oaOrgEditCalls(t, k)
	for key := range oaOperations(k.doc) {
		if strings.Contains(key, "/api/v1/org/") && key != "GET /api/v1/org/tree" {
			ok, failed := false, false
			for s := range k.seen[key] {
				ok, failed = ok || s < 300, failed || s >= 400
			}
			if !ok || !failed {
				t.Errorf("%s: answered %v; want a success and an error", key, k.seen[key])
			}
		}
	}
}

// oaOrgEditCalls calls the org-tree editor's operations.
func oaOrgEditCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	sys := srv.Login(t, "sysadmin")
	sec := srv.Login(t, "secadmin")
	const added = "350503001099"

	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/nodes", want: 200})
	k.do(t, oaCall{as: sec, method: "GET", path: "/api/v1/org/nodes", want: 403})

	nodes := "/api/v1/org/nodes"
	k.do(t, oaCall{as: sys, method: "POST", path: nodes, want: 201,
		body: map[string]any{"kind": "community", "code": added, "name": "新建社区", "name_en": "New", "parent_code": "350503001"}})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes, want: 409,
		body: map[string]any{"kind": "community", "code": added, "name": "新建社区", "parent_code": "350503001"}})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes, want: 400,
		body: map[string]any{"kind": "community", "code": "350503002098", "name": "错前缀", "parent_code": "350503001"}})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes, want: 404,
		body: map[string]any{"kind": "community", "code": "999999999001", "name": "无上级", "parent_code": "999999999"}})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes, want: 400, invalid: true,
		body: map[string]any{"kind": "community", "code": "350503001097", "name": "x", "parent_code": "350503001", "extra": 1}})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes, want: 415, invalid: true, body: "kind=community", contentType: "text/plain"})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes, want: 413, invalid: true,
		body: map[string]any{"kind": "community", "code": "350503001096", "name": strings.Repeat("长", 8000), "parent_code": "350503001"}})
	k.do(t, oaCall{as: sec, method: "POST", path: nodes, want: 403,
		body: map[string]any{"kind": "community", "code": "350503001095", "name": "x", "parent_code": "350503001"}})

	k.do(t, oaCall{as: sys, method: "PATCH", path: nodes + "/" + added, want: 200, body: map[string]any{"name": "新建社区二", "name_en": "New 2"}})
	k.do(t, oaCall{as: sys, method: "PATCH", path: nodes + "/" + added, want: 400, invalid: true, body: map[string]any{"name": "只给名称"}})
	k.do(t, oaCall{as: sys, method: "PATCH", path: nodes + "/999999999999", want: 404, body: map[string]any{"name": "x", "name_en": ""}})

	zones := "/api/v1/org/zones"
	k.do(t, oaCall{as: sys, method: "POST", path: zones, want: 201,
		body: map[string]any{"code": "350503001Z02", "name": "东海第二片区", "subdistrict_code": "350503001", "lead_organisation": "东海街道党工委"}})
	k.do(t, oaCall{as: sys, method: "POST", path: zones, want: 409,
		body: map[string]any{"code": "350503001Z02", "name": "东海第二片区", "subdistrict_code": "350503001"}})
	k.do(t, oaCall{as: sys, method: "POST", path: zones, want: 400, body: map[string]any{"code": "z", "name": "片区", "subdistrict_code": "350503001"}})

	var cg struct {
		Grids []struct {
			Code string `json:"code"`
		} `json:"grids"`
		Candidates []struct {
			UserID string `json:"user_id"`
		} `json:"candidates"`
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/communities/350503001001/grids", want: 200}), &cg)
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/communities/350503001/grids", want: 400})
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/communities/999999999999/grids", want: 404})
	if len(cg.Grids) == 0 || len(cg.Candidates) == 0 {
		t.Fatalf("东梅 has no grids or no grid workers: %+v", cg)
	}
	grid := "/api/v1/org/grids/" + cg.Grids[0].Code
	k.do(t, oaCall{as: sys, method: "PATCH", path: grid, want: 200, body: map[string]any{"zone_code": "350503001Z02"}})
	k.do(t, oaCall{as: sys, method: "PATCH", path: grid, want: 200, body: map[string]any{"worker_ids": []string{cg.Candidates[0].UserID}}})
	k.do(t, oaCall{as: sys, method: "PATCH", path: grid, want: 400, body: map[string]any{}})
	k.do(t, oaCall{as: sys, method: "PATCH", path: grid, want: 400, body: map[string]any{"zone_code": "350503002Z01"}})
	k.do(t, oaCall{as: sys, method: "PATCH", path: "/api/v1/org/grids/999", want: 404, body: map[string]any{"zone_code": ""}})

	k.do(t, oaCall{as: sys, method: "POST", path: nodes + "/" + added + "/move", want: 200, body: map[string]any{"parent_code": "350503002"}})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes + "/" + added + "/move", want: 400, body: map[string]any{"parent_code": "350503002"}})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes + "/999999999999/move", want: 404, body: map[string]any{"parent_code": "350503002"}})

	k.do(t, oaCall{as: sys, method: "POST", path: nodes + "/350503001001/retire", want: 409})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes + "/350503/retire", want: 400})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes + "/" + added + "/retire", want: 200})
	k.do(t, oaCall{as: sys, method: "POST", path: nodes + "/999999999999/retire", want: 404})

	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/history/" + added, want: 200})
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/history/" + cg.Grids[0].Code, want: 200})
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/history/999999999999", want: 404})
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/org/nodes", want: 200})
}
