package app_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// Each module documents exactly its own routes in its own fragment, and every permission of the
// role table is declared by a module: a module that plugs in is whole or the test says where not.
func TestModulesDocumentTheirOwnRoutes(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	methods := []string{"get", "put", "post", "delete", "patch"}
	for _, m := range srv.App.Modules {
		documented := map[string]bool{}
		if len(m.OpenAPI) > 0 {
			var frag struct {
				Paths map[string]map[string]json.RawMessage `json:"paths"`
			}
			if err := json.Unmarshal(m.OpenAPI, &frag); err != nil {
				t.Fatalf("module %s: fragment: %v", m.Name, err)
			}
			for path, ops := range frag.Paths {
				for method := range ops {
					if slices.Contains(methods, method) {
						documented[strings.ToUpper(method)+" "+path] = true
					}
				}
			}
		}
		mux := httpx.NewMux()
		if m.Register != nil {
			m.Register(mux)
		}
		for _, route := range mux.Patterns() {
			if !strings.Contains(route, " /api/") {
				continue
			}
			if !documented[route] {
				t.Errorf("module %s serves %s but its openapi.json does not document it", m.Name, route)
			}
			delete(documented, route)
		}
		for route := range documented {
			t.Errorf("module %s documents %s but does not serve it", m.Name, route)
		}
	}
	declared := srv.App.Modules.Permissions()
	for _, p := range access.Permissions {
		if !slices.Contains(declared, p) {
			t.Errorf("permission %s belongs to no module", p)
		}
	}
	kinds := srv.App.Modules.Kinds()
	if len(kinds) == 0 || kinds[0].Name != "case" {
		t.Errorf("the live stream would carry no kind of object: %+v", kinds)
	}
}
