package app_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/directory"
)

// Scope scenarios of the service directory (一网速查): residents and anyone read and search it;
// only directory editors write, each for the units in reach. 城东's entry, place and pending change
// are, for every outsider (东海's editor included), forbidden (403) or not found (404), and absent
// from their lists and exports; what a resident reads never says whether a change is pending.

type directoryFixture struct {
	entry, entryName, place, change string
}

var (
	directoryFixturesMu sync.Mutex
	directoryFixtures   = map[*fixture]*directoryFixture{}
)

const otherSubdistrict = "350503002"

func directoryOf(t *testing.T, f *fixture) *directoryFixture {
	t.Helper()
	directoryFixturesMu.Lock()
	defer directoryFixturesMu.Unlock()
	if df, ok := directoryFixtures[f]; ok {
		return df
	}
	ctx := asSystem()
	l, err := f.srv.App.Directory.List(ctx, directory.ListFilter{Unit: otherSubdistrict, Limit: 5})
	if err != nil || len(l.Services) < 2 || len(l.Services[0].Places) == 0 {
		t.Fatalf("城东's demo entries: %+v %v", l, err)
	}
	df := &directoryFixture{entry: l.Services[0].ID, entryName: l.Services[0].Name, place: l.Services[0].Places[0].ID}
	// A change of 城东's second entry, proposed by the district's editor, awaits review.
	second := l.Services[1]
	in := map[string]any{"name": second.Name, "category": second.Category, "unit_code": second.UnitCode,
		"online": true, "online_url": "https://example.gov.cn/cd", "version": second.Version}
	var out struct {
		Change struct{ ID string } `json:"change"`
	}
	district := f.srv.Login(t, "district.directory_editor")
	if s := district.Do("PUT", "/api/v1/services/"+second.ID, in, &out); s != 202 || out.Change.ID == "" {
		t.Fatalf("城东's pending change: %d", s)
	}
	df.change = out.Change.ID
	directoryFixtures[f] = df
	return df
}

// pendingChanges counts the changes awaiting review.
func pendingChanges(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	if err := f.srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM service_changes WHERE status = 'pending'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func init() {
	publicRoutes = append(publicRoutes, "GET /api/v1/services/search", "GET /api/v1/services/suggest",
		"GET /api/v1/services/categories", "GET /api/v1/public/services/{id}", "GET /api/v1/public/services/{id}/serving")
	editors := []string{"donghai.directory_editor"}
	scenarios = append(scenarios,
		scenario{"GET /api/v1/services/search", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			for _, c := range []string{"resident1", "donghai.grid_worker"} {
				status, b := raw(t, f.clients[c], "GET", "/api/v1/services/search?q="+url.QueryEscape(df.entryName), nil)
				if status != 200 || !strings.Contains(b, df.entry) || strings.Contains(b, "pending") {
					t.Errorf("search as %s: %d %.200s", c, status, b)
				}
			}
			if status, b := raw(t, f.anonymous, "GET", "/api/v1/services/search?q="+url.QueryEscape(df.entryName), nil); status != 200 || !strings.Contains(b, df.entry) {
				t.Errorf("anonymous search: %d", status)
			}
		}},
		scenario{"GET /api/v1/services/suggest", func(t *testing.T, f *fixture) {
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/services/suggest?q=she", nil, 200)
		}},
		scenario{"GET /api/v1/services/categories", func(t *testing.T, f *fixture) {
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/services/categories", nil, 200)
		}},
		scenario{"GET /api/v1/public/services/{id}", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			// Everyone reads the entry; only an editor whose units reach it learns of pending changes.
			for _, c := range []string{"resident1", "donghai.directory_editor"} {
				if status, b := raw(t, f.clients[c], "GET", "/api/v1/public/services/"+df.entry, nil); status != 200 || strings.Contains(b, `"pending"`) {
					t.Errorf("entry as %s: %d %.200s", c, status, b)
				}
			}
			if status, b := raw(t, f.anonymous, "GET", "/api/v1/public/services/"+df.entry, nil); status != 200 || strings.Contains(b, `"pending"`) {
				t.Errorf("anonymous entry: %d", status)
			}
		}},
		scenario{"GET /api/v1/public/services/{id}/serving", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/public/services/"+df.entry+"/serving?lat=24.9265&lng=118.574", nil, 200)
		}},
		scenario{"GET /api/v1/services", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			leftOut(t, f, "/api/v1/services?limit=200", df.entry)
			leftOut(t, f, "/api/v1/services?unit="+otherSubdistrict, df.entry)
			expectStatus(t, f, except(editors...), "GET", "/api/v1/services", nil, 403)
		}},
		scenario{"POST /api/v1/services", func(t *testing.T, f *fixture) {
			before := pendingChanges(t, f)
			refused(t, f, "POST", "/api/v1/services", map[string]any{"name": "越界服务", "category": "convenience",
				"unit_code": otherSubdistrict, "online": true, "online_url": "https://example.gov.cn/x"})
			if after := pendingChanges(t, f); after != before {
				t.Errorf("refused proposals were recorded: %d → %d", before, after)
			}
		}},
		scenario{"PUT /api/v1/services/{id}", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			before := pendingChanges(t, f)
			refused(t, f, "PUT", "/api/v1/services/"+df.entry, map[string]any{"name": "被篡改的服务", "category": "convenience",
				"unit_code": "350503001", "online": true, "online_url": "https://example.gov.cn/x"}, df.entryName)
			if after := pendingChanges(t, f); after != before {
				t.Errorf("refused changes were recorded: %d → %d", before, after)
			}
		}},
		scenario{"DELETE /api/v1/services/{id}", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			refused(t, f, "DELETE", "/api/v1/services/"+df.entry, nil, df.entryName)
		}},
		scenario{"POST /api/v1/services/{id}/review", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			refused(t, f, "POST", "/api/v1/services/"+df.entry+"/review", nil, df.entryName)
		}},
		scenario{"GET /api/v1/services/changes", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			leftOut(t, f, "/api/v1/services/changes", df.change)
		}},
		scenario{"POST /api/v1/services/changes/{id}/approve", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			refused(t, f, "POST", "/api/v1/services/changes/"+df.change+"/approve", map[string]any{"note": "越权审核"})
		}},
		scenario{"POST /api/v1/services/changes/{id}/reject", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			refused(t, f, "POST", "/api/v1/services/changes/"+df.change+"/reject", map[string]any{"note": "越权退回"})
			var status string
			if err := f.srv.App.DB.QueryRow(t.Context(), `SELECT status FROM service_changes WHERE id = $1`, df.change).Scan(&status); err != nil || status != "pending" {
				t.Errorf("a refused review decided 城东's change: %q %v", status, err)
			}
		}},
		scenario{"GET /api/v1/services/places", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			leftOut(t, f, "/api/v1/services/places", df.place)
		}},
		scenario{"POST /api/v1/services/places", func(t *testing.T, f *fixture) {
			refused(t, f, "POST", "/api/v1/services/places", map[string]any{"code": "CD-X", "name": "越界地点", "kind": "station",
				"unit_code": otherSubdistrict, "lat": 24.9265, "lng": 118.574,
				"hours": map[string]any{"rule": "always", "periods": []any{}}})
		}},
		scenario{"PUT /api/v1/services/places/{id}", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			refused(t, f, "PUT", "/api/v1/services/places/"+df.place, map[string]any{"code": "CD-X", "name": "越界地点", "kind": "station",
				"unit_code": "350503001", "lat": 24.9265, "lng": 118.574, "hours": map[string]any{"rule": "always", "periods": []any{}}})
		}},
		scenario{"POST /api/v1/services/import", func(t *testing.T, f *fixture) {
			before := pendingChanges(t, f)
			csv := "name,category,unit_code,online,online_url\n越界导入,convenience," + otherSubdistrict + ",是,https://example.gov.cn/i\n"
			for _, name := range outsiders() {
				status, b := raw(t, f.clients[name], "POST", "/api/v1/services/import", csv)
				if status != 403 && status != 400 {
					t.Errorf("import as %s: %d %.200s", name, status, b)
				}
			}
			if after := pendingChanges(t, f); after != before {
				t.Errorf("refused imports were recorded: %d → %d", before, after)
			}
		}},
		scenario{"GET /api/v1/services/export", func(t *testing.T, f *fixture) {
			df := directoryOf(t, f)
			leftOut(t, f, "/api/v1/services/export", df.entry)
		}},
		scenario{"GET /api/v1/services/synonyms", func(t *testing.T, f *fixture) {
			expectStatus(t, f, except(editors...), "GET", "/api/v1/services/synonyms", nil, 403)
		}},
		scenario{"PUT /api/v1/services/synonyms", func(t *testing.T, f *fixture) {
			expectStatus(t, f, except(editors...), "PUT", "/api/v1/services/synonyms", map[string]any{"groups": [][]string{{"甲", "乙"}}}, 403)
		}},
		scenario{"GET /api/v1/services/queries", func(t *testing.T, f *fixture) {
			expectStatus(t, f, except(editors...), "GET", "/api/v1/services/queries", nil, 403)
		}},
		scenario{"GET /api/v1/services/settings", func(t *testing.T, f *fixture) {
			expectStatus(t, f, except(editors...), "GET", "/api/v1/services/settings", nil, 403)
		}},
		scenario{"PUT /api/v1/services/settings", func(t *testing.T, f *fixture) {
			// A subdistrict's editor may not set the district's settings either.
			expectStatus(t, f, accounts, "PUT", "/api/v1/services/settings", map[string]any{"stale_months": 3}, 403)
		}},
	)
}
