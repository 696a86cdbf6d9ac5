package app_test

import (
	"strings"
	"sync"
	"testing"
)

// Scope scenarios of the roles of the coming modules (community_staff, volunteer, mediator,
// directory_editor, finance_officer), as far as today's routes go: community staff follow their
// community's cases and no other, a volunteer only their own reports, and the other three read
// no case at all. (Every other route holds them through the accounts list of scope_test.go.)

type roleCases struct {
	neighbour string // a case of 东星社区, the next community of 东海街道
	volunteer string // donghai.volunteer's own report, in 东梅社区
}

var (
	roleCasesMu sync.Mutex
	roleCasesOf = map[*fixture]*roleCases{}
)

// noCaseRead are the roles that read no case.
var noCaseRead = []string{"donghai.mediator", "donghai.directory_editor", "donghai.finance_officer"}

func rolesCases(t *testing.T, f *fixture) *roleCases {
	t.Helper()
	casesOf(t, f)
	roleCasesMu.Lock()
	defer roleCasesMu.Unlock()
	if rc, ok := roleCasesOf[f]; ok {
		return rc
	}
	create := func(who string, body map[string]any) string {
		s, b := raw(t, f.clients[who], "POST", "/api/v1/cases", body)
		i := strings.Index(b, `"id":"`)
		if s != 201 || i < 0 {
			t.Fatalf("create case as %s: %d %.300s", who, s, b)
		}
		return b[i+6 : i+6+36]
	}
	rc := &roleCases{
		// 350503001002002 东星社区.
		neighbour: create("donghai.intake_operator", map[string]any{"lat": 24.9212, "lng": 118.5784,
			"description": "东星社区路面积水", "channel": "hotline_12345"}),
		// 350503001001002 东梅社区, the volunteer's community: reported by the volunteer on patrol,
		// who follows it as its reporter.
		volunteer: create("donghai.volunteer", map[string]any{"lat": 24.925, "lng": 118.5782,
			"description": "巡查发现垃圾堆放"}),
	}
	// Community staff report what residents bring to the community office.
	create("donghai.community_staff", map[string]any{"lat": 24.925, "lng": 118.5782, "description": "居民来访反映楼道堆物", "channel": "walk_in"})
	roleCasesOf[f] = rc
	return rc
}

func init() {
	scenarios = append(scenarios,
		scenario{route: "POST /api/v1/cases", check: func(t *testing.T, f *fixture) {
			body := map[string]any{"lat": 24.925, "lng": 118.575, "description": "越权上报"}
			expectStatus(t, f, noCaseRead, "POST", "/api/v1/cases", body, 403)
		}},
		scenario{route: "GET /api/v1/cases", check: func(t *testing.T, f *fixture) {
			cf, rc := casesOf(t, f), rolesCases(t, f)
			lists := func(name string) string {
				s, b := raw(t, f.clients[name], "GET", "/api/v1/cases?limit=200", nil)
				if s != 200 {
					t.Fatalf("%s lists cases: %d %.200s", name, s, b)
				}
				return b
			}
			// Community staff: their community's cases, whoever reported them, and nothing beyond.
			b := lists("donghai.community_staff")
			if !strings.Contains(b, cf.mine) || !strings.Contains(b, cf.dispatched) || !strings.Contains(b, rc.volunteer) {
				t.Errorf("community staff miss cases of their community: %.300s", b)
			}
			if strings.Contains(b, rc.neighbour) || strings.Contains(b, cf.other) {
				t.Errorf("community staff see cases outside their community: %.300s", b)
			}
			if _, b := raw(t, f.clients["donghai.community_staff"], "GET", "/api/v1/cases?limit=200&community="+home+"002", nil); strings.Contains(b, rc.neighbour) {
				t.Error("a filter widened community staff's scope")
			}
			// A volunteer: their own reports only, not their community's others.
			b = lists("donghai.volunteer")
			if !strings.Contains(b, rc.volunteer) || strings.Contains(b, cf.mine) || strings.Contains(b, cf.dispatched) ||
				strings.Contains(b, rc.neighbour) || strings.Contains(b, cf.other) {
				t.Errorf("volunteer's list is not their own reports: %.300s", b)
			}
			expectStatus(t, f, noCaseRead, "GET", "/api/v1/cases", nil, 403)
		}},
		scenario{route: "GET /api/v1/cases/{id}", check: func(t *testing.T, f *fixture) {
			cf, rc := casesOf(t, f), rolesCases(t, f)
			get := func(id string) string { return "/api/v1/cases/" + id }
			expectStatus(t, f, []string{"donghai.community_staff"}, "GET", get(cf.mine), nil, 200)
			expectStatus(t, f, []string{"donghai.community_staff"}, "GET", get(rc.neighbour), nil, 404)
			expectStatus(t, f, []string{"donghai.community_staff", "donghai.volunteer"}, "GET", get(cf.other), nil, 404)
			expectStatus(t, f, []string{"donghai.volunteer"}, "GET", get(rc.volunteer), nil, 200)
			expectStatus(t, f, []string{"donghai.volunteer"}, "GET", get(cf.mine), nil, 404)
			expectStatus(t, f, noCaseRead, "GET", get(cf.mine), nil, 403)
			expectStatus(t, f, noCaseRead, "GET", get(cf.other), nil, 403)
		}},
	)
}
