package app_test

import (
	"strings"
	"sync"
	"testing"
)

// Scope scenarios of the zone projects (特色项目): leaders, shift leads and community staff read
// and plan the projects of the zones in their subtree. 城东's demo project is, for every outsider
// (东海's planners included), forbidden (403) or not found (404), and absent from their lists; a
// refused progress changes nothing; the district's leader reads it.

var (
	projectFixturesMu sync.Mutex
	projectFixtures   = map[*fixture]string{}
)

// projectOf is 城东's first demo project.
func projectOf(t *testing.T, f *fixture) string {
	t.Helper()
	projectFixturesMu.Lock()
	defer projectFixturesMu.Unlock()
	if id, ok := projectFixtures[f]; ok {
		return id
	}
	list, err := f.srv.App.Projects.List(asSystem(), otherZone)
	if err != nil || len(list) == 0 {
		t.Fatalf("城东's demo projects: %v %v", list, err)
	}
	projectFixtures[f] = list[0].ID
	return list[0].ID
}

// projectReaders read (and plan) projects in reach; projectHome are those of 东海.
var (
	projectReaders = []string{"donghai.shift_lead", "donghai.leader", "district.leader", "donghai.community_staff"}
	projectHome    = []string{"donghai.shift_lead", "donghai.leader", "donghai.community_staff"}
)

func untouchedProject(t *testing.T, f *fixture, id string) {
	t.Helper()
	var n int
	if err := f.srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM project_milestones WHERE project_id = $1 AND idx = 1
		AND started_at IS NULL AND percent = 0`, id).Scan(&n); err != nil || n != 1 {
		t.Errorf("a refused request changed 城东's project: %d %v", n, err)
	}
}

func init() {
	scenarios = append(scenarios,
		scenario{"POST /api/v1/projects", func(t *testing.T, f *fixture) {
			body := map[string]any{"zone_code": otherZone, "field": "safety", "title": "越权项目", "owner_unit_code": other,
				"deadline": "2026-12-31", "milestones": []map[string]any{{"title": "甲", "duration_days": 1}}}
			expectStatus(t, f, except(projectReaders...), "POST", "/api/v1/projects", body, 403)
			expectStatus(t, f, projectHome, "POST", "/api/v1/projects", body, 404)
			var n int
			if err := f.srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM projects WHERE title = '越权项目'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("a refused project was stored: %d %v", n, err)
			}
		}},
		scenario{"GET /api/v1/projects", func(t *testing.T, f *fixture) {
			projectOf(t, f)
			expectStatus(t, f, except(projectReaders...), "GET", "/api/v1/projects", nil, 403)
			expectStatus(t, f, projectHome, "GET", "/api/v1/projects?zone="+otherZone, nil, 404)
			for _, name := range projectHome {
				if _, b := raw(t, f.clients[name], "GET", "/api/v1/projects", nil); strings.Contains(b, otherZone) || !strings.Contains(b, home+"Z01") {
					t.Errorf("%s lists projects outside its reach: %.200s", name, b)
				}
			}
			if _, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/projects", nil); !strings.Contains(b, otherZone) {
				t.Error("the district's leader does not see 城东's projects")
			}
		}},
		scenario{"GET /api/v1/projects/export", func(t *testing.T, f *fixture) {
			path := "/api/v1/projects/export?format=xlsx&zone=" + otherZone
			expectStatus(t, f, except(projectReaders...), "GET", path, nil, 403)
			expectStatus(t, f, projectHome, "GET", path, nil, 404)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 200)
		}},
		scenario{"GET /api/v1/projects/{id}", func(t *testing.T, f *fixture) {
			path := "/api/v1/projects/" + projectOf(t, f)
			expectStatus(t, f, except(projectReaders...), "GET", path, nil, 403)
			expectStatus(t, f, projectHome, "GET", path, nil, 404)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 200)
		}},
		scenario{"POST /api/v1/projects/{id}/milestones/{n}/progress", func(t *testing.T, f *fixture) {
			id := projectOf(t, f)
			path, body := "/api/v1/projects/"+id+"/milestones/1/progress", map[string]any{"started": true, "percent": 10, "note": "越权"}
			expectStatus(t, f, except(projectReaders...), "POST", path, body, 403)
			expectStatus(t, f, projectHome, "POST", path, body, 404)
			untouchedProject(t, f, id)
		}},
	)
}
