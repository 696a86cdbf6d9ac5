package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/patrol"
)

// Scope scenarios of the patrols (巡查): every role of 东海 and the district-level accounts are
// shown a 城东 plan, patrol and finding; each either may not (403) or is told they do not exist
// (404), and no answer carries them. Lists (plans, coverage, logs) leave them out.

// patrolFixture is what the patrol scenarios aim at: 城东's plan, a patrol of 城东's grid worker
// with a finding, and 城东's grid.
type patrolFixture struct {
	plan, patrol, finding, grid, walker string
}

var (
	patrolFixturesMu sync.Mutex
	patrolFixtures   = map[*fixture]*patrolFixture{}
)

func patrolOf(t *testing.T, f *fixture) *patrolFixture {
	t.Helper()
	patrolFixturesMu.Lock()
	defer patrolFixturesMu.Unlock()
	if pf, ok := patrolFixtures[f]; ok {
		return pf
	}
	ctx := asSystem()
	grid := f.otherGrid
	// A grid of 城东's grid worker's community, which the worker's patrol.run reaches.
	for _, c := range []string{otherComm} {
		var code string
		if err := f.srv.App.DB.QueryRow(ctx, `SELECT code FROM grids WHERE community_code = $1 ORDER BY code LIMIT 1`, c).Scan(&code); err == nil {
			grid = code
		}
	}
	per := 2
	plan, err := f.srv.App.Patrols.CreatePlan(ctx, patrol.PlanInput{GridCode: grid, PerWeek: &per,
		Route: []patrol.Point{{Name: "城东测试点位", Lat: 24.925, Lng: 118.5995}}})
	if err != nil {
		t.Fatalf("城东's plan: %v", err)
	}
	walker := f.srv.Login(t, "chengdong.grid_worker")
	var pt struct{ ID string }
	if s, b := walker.Raw("POST", "/api/v1/patrols", map[string]string{"plan_id": plan.ID}); s != 201 {
		t.Fatalf("城东's patrol: %d %s", s, b)
	} else {
		scopeDecode(t, string(b), &pt)
	}
	var fd struct{ ID string }
	if s := walker.Do("POST", "/api/v1/patrols/"+pt.ID+"/findings", map[string]any{"description": "城东巡查发现路面塌陷",
		"lat": 24.925, "lng": 118.5995}, &fd); s != 201 {
		t.Fatalf("城东's finding: %d", s)
	}
	pf := &patrolFixture{plan: plan.ID, patrol: pt.ID, finding: fd.ID, grid: grid, walker: userID(t, walker)}
	patrolFixtures[f] = pf
	return pf
}

// asSystem acts as the operator (fixtures written around the API).
func asSystem() context.Context { return app.System(context.Background(), "scope-test") }

func scopeDecode(t *testing.T, b string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(b), v); err != nil {
		t.Fatalf("decode %.200s: %v", b, err)
	}
}

// outsiders are the accounts that do not reach 城东 (district.leader does: the whole district).
func outsiders() []string { return except("district.leader") }

// refused checks that every outsider is refused (403) or told the object does not exist (404),
// and that no answer carries any of leaks.
func refused(t *testing.T, f *fixture, method, path string, body any, leaks ...string) {
	t.Helper()
	for _, name := range outsiders() {
		status, b := raw(t, f.clients[name], method, path, body)
		if status != 403 && status != 404 {
			t.Errorf("%s %s as %s: status %d, want 403 or 404: %.200s", method, path, name, status, b)
		}
		for _, leak := range leaks {
			if leak != "" && strings.Contains(b, leak) {
				t.Errorf("%s %s as %s: the answer shows %q", method, path, name, leak)
			}
		}
	}
}

// leftOut checks that every outsider either may not list (403) or gets a list without leaks.
func leftOut(t *testing.T, f *fixture, path string, leaks ...string) {
	t.Helper()
	for _, name := range outsiders() {
		status, b := raw(t, f.clients[name], "GET", path, nil)
		if status != 200 && status != 403 {
			t.Errorf("GET %s as %s: status %d: %.200s", path, name, status, b)
		}
		for _, leak := range leaks {
			if leak != "" && strings.Contains(b, leak) {
				t.Errorf("GET %s as %s: the list shows %q", path, name, leak)
			}
		}
	}
}

func init() {
	route := []map[string]any{{"name": "越界点位", "lat": 24.925, "lng": 118.5995}}
	scenarios = append(scenarios,
		scenario{"GET /api/v1/patrol-plans", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			leftOut(t, f, "/api/v1/patrol-plans", pf.plan, pf.grid)
			leftOut(t, f, "/api/v1/patrol-plans?grid="+other, pf.plan, pf.grid)
		}},
		scenario{"POST /api/v1/patrol-plans", func(t *testing.T, f *fixture) {
			// 城东's grid has a plan; another of its grids has none: neither is planned from 东海.
			pf := patrolOf(t, f)
			refused(t, f, "POST", "/api/v1/patrol-plans", map[string]any{"grid_code": f.otherGrid, "per_week": 2, "route": route})
			refused(t, f, "POST", "/api/v1/patrol-plans", map[string]any{"grid_code": pf.grid, "per_week": 2, "route": route}, pf.plan)
		}},
		scenario{"GET /api/v1/patrol-plans/{id}", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "GET", "/api/v1/patrol-plans/"+pf.plan, nil, pf.grid, "城东测试点位")
			expectStatus(t, f, []string{"district.leader"}, "GET", "/api/v1/patrol-plans/"+pf.plan, nil, 200)
		}},
		scenario{"PATCH /api/v1/patrol-plans/{id}", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "PATCH", "/api/v1/patrol-plans/"+pf.plan, map[string]any{"per_week": 7}, pf.grid)
			p, err := f.srv.App.Patrols.Plan(asSystem(), pf.plan)
			if err != nil || p.PerWeek != 2 {
				t.Errorf("a refused change changed 城东's plan: %+v %v", p, err)
			}
		}},
		scenario{"POST /api/v1/patrols", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "POST", "/api/v1/patrols", map[string]string{"plan_id": pf.plan}, pf.grid)
			// The refusal names the grid the caller gave, whether it exists or not: nothing more.
			refused(t, f, "POST", "/api/v1/patrols", map[string]string{"grid_code": f.otherGrid}, "城东")
		}},
		scenario{"GET /api/v1/patrols/coverage", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			leftOut(t, f, "/api/v1/patrols/coverage", pf.grid, f.otherGrid)
		}},
		scenario{"GET /api/v1/patrols/log", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			leftOut(t, f, "/api/v1/patrols/log?user="+pf.walker, pf.patrol, pf.finding, "路面塌陷")
			if _, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/patrols/log?user="+pf.walker, nil); !strings.Contains(b, pf.patrol) {
				t.Errorf("the district's leader does not see 城东's patrol in its log: %.300s", b)
			}
		}},
		scenario{"GET /api/v1/patrols/{id}", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "GET", "/api/v1/patrols/"+pf.patrol, nil, pf.grid, "路面塌陷")
			expectStatus(t, f, []string{"district.leader"}, "GET", "/api/v1/patrols/"+pf.patrol, nil, 200)
		}},
		scenario{"POST /api/v1/patrols/{id}/checks", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "POST", "/api/v1/patrols/"+pf.patrol+"/checks", map[string]any{"point": 0, "lat": 24.925, "lng": 118.5995}, pf.grid)
		}},
		scenario{"POST /api/v1/patrols/{id}/findings", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "POST", "/api/v1/patrols/"+pf.patrol+"/findings", map[string]any{"description": "越界记录", "lat": 24.925, "lng": 118.5995}, pf.grid)
		}},
		scenario{"POST /api/v1/patrols/{id}/findings/{finding}/case", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "POST", "/api/v1/patrols/"+pf.patrol+"/findings/"+pf.finding+"/case", nil, pf.grid, "路面塌陷")
			var caseID string
			if err := f.srv.App.DB.QueryRow(context.Background(), `SELECT case_id FROM patrol_findings WHERE id = $1`, pf.finding).Scan(&caseID); err != nil || caseID != "" {
				t.Errorf("a refused report made a case: %q %v", caseID, err)
			}
		}},
		scenario{"POST /api/v1/patrols/{id}/end", func(t *testing.T, f *fixture) {
			pf := patrolOf(t, f)
			refused(t, f, "POST", "/api/v1/patrols/"+pf.patrol+"/end", map[string]any{"note": "越界结束"}, pf.grid)
			p, err := f.srv.App.Patrols.Get(asSystem(), pf.patrol)
			if err != nil || p.Status != patrol.Running {
				t.Errorf("a refused end ended 城东's patrol: %+v %v", p, err)
			}
		}},
	)
}

// TestOpenAPIParticipation calls the patrol and roster operations for real, successes and
// errors, and checks requests and answers against the assembled document (as TestOpenAPI does for
// the operations it calls itself).
func TestOpenAPIParticipation(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	k := &oaChecker{srv: srv, http: &http.Client{}, seen: map[string]map[int]bool{}}
	doc, err := srv.App.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	if k.doc, err = loader.LoadFromData(doc); err != nil {
		t.Fatal(err)
	}
	if k.router, err = gorillamux.NewRouter(k.doc); err != nil {
		t.Fatal(err)
	}
	volunteer, worker, staff := srv.Login(t, "donghai.volunteer"), srv.Login(t, "donghai.grid_worker"), srv.Login(t, "donghai.community_staff")
	resident := srv.Login(t, "resident1")

	// Plans.
	var plans struct {
		Plans []struct {
			ID    string
			Route []struct{ Lat, Lng float64 }
		}
	}
	scopeDecode(t, string(k.do(t, oaCall{as: volunteer, method: "GET", path: "/api/v1/patrol-plans", want: 200})), &plans)
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/patrol-plans", want: 403})
	plan := plans.Plans[0]
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/patrol-plans/" + plan.ID, want: 200})
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/patrol-plans/nope", want: 404})
	route := []map[string]any{{"name": "东门", "lat": 24.93, "lng": 118.58}}
	k.do(t, oaCall{as: staff, method: "PATCH", path: "/api/v1/patrol-plans/" + plan.ID, body: map[string]any{"per_week": 4}, want: 200})
	k.do(t, oaCall{as: staff, method: "PATCH", path: "/api/v1/patrol-plans/" + plan.ID, body: map[string]any{"per_week": 40}, want: 400, invalid: true})
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/patrol-plans", body: map[string]any{"grid_code": "350503001001001", "per_week": 2, "route": route}, want: 409})
	leader := srv.Login(t, "donghai.leader")
	k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/patrol-plans", body: map[string]any{"grid_code": "350503001002001", "per_week": 2, "route": route}, want: 201})
	k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/patrol-plans", body: map[string]any{"grid_code": "350503001002002", "per_week": 2, "route": route, "extra": 1}, want: 400, invalid: true})

	// A patrol.
	var pt struct{ ID string }
	scopeDecode(t, string(k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols", body: map[string]string{"plan_id": plan.ID}, want: 201})), &pt)
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols", body: map[string]string{"plan_id": plan.ID}, want: 409})
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/checks",
		body: map[string]any{"point": 0, "lat": plan.Route[0].Lat, "lng": plan.Route[0].Lng}, want: 201})
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/checks",
		body: map[string]any{"point": 9, "lat": plan.Route[0].Lat, "lng": plan.Route[0].Lng}, want: 400})
	var fd struct{ ID string }
	scopeDecode(t, string(k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/findings",
		body: map[string]any{"description": "路灯不亮", "lat": plan.Route[0].Lat, "lng": plan.Route[0].Lng}, want: 201})), &fd)
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/findings", body: map[string]any{"description": "x", "lat": 1, "lng": 1}, want: 400, invalid: true})
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/findings/" + fd.ID + "/case", want: 201})
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/findings/" + fd.ID + "/case", want: 409})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/patrols/" + pt.ID, want: 200})
	k.do(t, oaCall{as: worker, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/end", want: 403})
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/end", body: map[string]any{"note": "正常"}, want: 200})
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/patrols/" + pt.ID + "/end", want: 409})
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/patrols/coverage", want: 200})
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/patrols/coverage?week=2026-49", want: 400})
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/patrols/log?user=" + userID(t, volunteer), want: 200})
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/patrols/log?from=2026-13-01&to=2026-12-01", want: 400})

	// Rosters, teams, hours.
	var roster struct {
		Lead         struct{ ID string }
		Participants []struct{ ID, Kind string }
	}
	scopeDecode(t, string(k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/zones/350503001Z01/roster", want: 200})), &roster)
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/zones/350503001Z01/roster", want: 200})
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/zones/350503002Z01/roster", want: 404})
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/zones/350503001Z01/participants", body: map[string]any{"kind": "unit", "name": "区市场监管局东海所",
		"contact_name": "周洁", "contact_phone": "13912345678"}, want: 201})
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/zones/350503001Z01/participants", body: map[string]any{"kind": "lead", "name": "又一个党组织"}, want: 409})
	k.do(t, oaCall{as: worker, method: "POST", path: "/api/v1/zones/350503001Z01/participants", body: map[string]any{"kind": "unit", "name": "某单位"}, want: 403})
	k.do(t, oaCall{as: staff, method: "PATCH", path: "/api/v1/participants/" + roster.Lead.ID, body: map[string]any{"contact_phone": "0595-22345678"}, want: 200})
	k.do(t, oaCall{as: staff, method: "PATCH", path: "/api/v1/participants/" + roster.Lead.ID, body: map[string]any{"contact_phone": "12"}, want: 400})
	var pl struct{ ID string }
	scopeDecode(t, string(k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/participants/" + roster.Lead.ID + "/pledges",
		body: map[string]any{"title": "党员先锋岗", "kind": "project"}, want: 201})), &pl)
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/participants/nope/pledges", body: map[string]any{"title": "党员先锋岗", "kind": "project"}, want: 404})
	k.do(t, oaCall{as: staff, method: "PATCH", path: "/api/v1/pledges/" + pl.ID, body: map[string]any{"status": "in_progress"}, want: 200})
	k.do(t, oaCall{as: staff, method: "PATCH", path: "/api/v1/pledges/" + pl.ID, body: map[string]any{"status": "over"}, want: 400, invalid: true})
	var teams struct{ Teams []struct{ ID string } }
	scopeDecode(t, string(k.do(t, oaCall{as: volunteer, method: "GET", path: "/api/v1/volunteer-teams", want: 200})), &teams)
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/volunteer-teams", want: 403})
	team := teams.Teams[0].ID
	k.do(t, oaCall{as: volunteer, method: "GET", path: "/api/v1/volunteer-teams/" + team + "/members", want: 200})
	k.do(t, oaCall{as: volunteer, method: "GET", path: "/api/v1/volunteer-teams/nope/members", want: 404})
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/volunteer-teams/" + team + "/members", body: map[string]any{"name": "许文静"}, want: 201})
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/volunteer-teams/" + team + "/members", body: map[string]any{}, want: 400})
	vid := userID(t, volunteer)
	var entry struct{ ID string }
	today := srv.App.Now().Format("2006-01-02")
	scopeDecode(t, string(k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/volunteers/" + vid + "/hours",
		body: map[string]any{"day": today, "minutes": 30, "note": "清理小广告"}, want: 201})), &entry)
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/volunteers/" + vid + "/hours", body: map[string]any{"day": today, "minutes": 3000, "note": "太长了"}, want: 400, invalid: true})
	k.do(t, oaCall{as: volunteer, method: "GET", path: "/api/v1/volunteers/" + vid + "/hours", want: 200})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/volunteers/" + vid + "/hours", want: 404})
	k.do(t, oaCall{as: volunteer, method: "POST", path: "/api/v1/volunteer-hours/" + entry.ID + "/confirm", want: 403})
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/volunteer-hours/" + entry.ID + "/confirm", want: 200})
	k.do(t, oaCall{as: staff, method: "POST", path: "/api/v1/volunteer-hours/" + entry.ID + "/confirm", want: 409})

	t.Logf("%d operations called", len(k.seen))
	for _, key := range oaSortedKeys(oaOperations(k.doc)) {
		if (strings.Contains(key, "/patrol") || strings.Contains(key, "roster") || strings.Contains(key, "volunteer") ||
			strings.Contains(key, "participants") || strings.Contains(key, "pledges")) && !k.seen[key][200] && !k.seen[key][201] {
			t.Errorf("%s: no success was exercised", key)
		}
	}
}
