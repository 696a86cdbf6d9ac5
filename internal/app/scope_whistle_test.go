package app_test

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// Scope scenarios of 吹哨报到: a whistle of 城东 (on a 城东 case, summoning 350503D02) is out of
// reach of every 东海 account and of a department it does not summon (dept01.staff): each route
// answers them 403 or 404 with nothing of the whistle or its case in the body, lists and figures
// leave it out, and nothing they send changes it. The district's leader reaches it.

type whistleFixture struct {
	id, caseID, number string
}

var (
	whistleFixturesMu sync.Mutex
	whistleFixtures   = map[*fixture]*whistleFixture{}
)

// whistleOf blows, once per fixture, 城东's grid worker's whistle on a 城东 case.
func whistleOf(t *testing.T, f *fixture) *whistleFixture {
	t.Helper()
	whistleFixturesMu.Lock()
	defer whistleFixturesMu.Unlock()
	if wf, ok := whistleFixtures[f]; ok {
		return wf
	}
	var c struct{ ID, Number string }
	body := map[string]any{"lat": 24.925, "lng": 118.5995, "description": "城东路口占道经营", "channel": "hotline_12345"}
	if s := f.srv.Login(t, "chengdong.intake_operator").Do("POST", "/api/v1/cases", body, &c); s != 201 {
		t.Fatalf("report a 城东 case: %d", s)
	}
	var w struct{ ID string }
	blow := map[string]any{"case_id": c.ID, "kind": "hard", "department_codes": []string{"350503D02"}, "ask": "请住建局到场核查违建"}
	if s := f.srv.Login(t, "chengdong.grid_worker").Do("POST", "/api/v1/whistles", blow, &w); s != 201 {
		t.Fatalf("blow 城东's whistle: %d", s)
	}
	wf := &whistleFixture{id: w.ID, caseID: c.ID, number: c.Number}
	whistleFixtures[f] = wf
	return wf
}

// whistleOutsiders are the accounts 城东's whistle is out of reach of: all but the district's leader.
var whistleOutsiders = except("district.leader")

// expectRefused asserts that every caller gets 403 or 404 and that no answer tells the whistle.
func expectRefused(t *testing.T, f *fixture, wf *whistleFixture, callers []string, method, path string, body any) {
	t.Helper()
	for _, name := range callers {
		if f.clients[name] == nil {
			f.clients[name] = f.srv.Login(t, name)
		}
		s, b := raw(t, f.clients[name], method, path, body)
		if s != 403 && s != 404 {
			t.Errorf("%s %s as %s: %d, want 403 or 404: %.200s", method, path, name, s, b)
		}
		for _, secret := range []string{wf.caseID, wf.number, "350503002001"} {
			if strings.Contains(b, secret) {
				t.Errorf("%s %s as %s tells %s: %.200s", method, path, name, secret, b)
			}
		}
	}
}

// checkWhistleIntact reads 城东's whistle as the district's leader: still open, 350503D02 still
// only summoned, no message, nothing rated.
func checkWhistleIntact(t *testing.T, f *fixture, wf *whistleFixture) {
	t.Helper()
	var w struct {
		Status  string
		Summons []struct {
			Status string
			Stars  *int
		}
	}
	if s := f.clients["district.leader"].Do("GET", "/api/v1/whistles/"+wf.id, nil, &w); s != 200 {
		t.Fatalf("the district's leader reads 城东's whistle: %d", s)
	}
	if w.Status != "open" || len(w.Summons) != 1 || w.Summons[0].Status != "summoned" || w.Summons[0].Stars != nil {
		t.Errorf("a refused request changed 城东's whistle: %+v", w)
	}
	var thread struct{ Messages []any }
	f.clients["district.leader"].Do("GET", "/api/v1/whistles/"+wf.id+"/messages", nil, &thread)
	if len(thread.Messages) != 0 {
		t.Errorf("a refused message was stored: %+v", thread)
	}
}

func init() {
	day := func(d int) string {
		return time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, d).Format(time.DateOnly)
	}
	whistleWrite := func(route, suffix string, body any) scenario {
		return scenario{route: route, check: func(t *testing.T, f *fixture) {
			wf := whistleOf(t, f)
			expectRefused(t, f, wf, whistleOutsiders, "POST", "/api/v1/whistles/"+wf.id+suffix, body)
			checkWhistleIntact(t, f, wf)
		}}
	}
	scenarios = append(scenarios,
		scenario{route: "POST /api/v1/whistles", check: func(t *testing.T, f *fixture) {
			wf := whistleOf(t, f)
			// No 东海 account (nor the departments) can blow on 城东's case.
			blow := map[string]any{"case_id": wf.caseID, "kind": "emergency", "department_codes": []string{"350503D01"}, "ask": "请到场"}
			expectRefused(t, f, wf, whistleOutsiders, "POST", "/api/v1/whistles", blow)
			var list struct{ Whistles []struct{ ID string } }
			f.clients["district.leader"].Do("GET", "/api/v1/whistles?case_id="+wf.caseID, nil, &list)
			if len(list.Whistles) != 1 {
				t.Errorf("refused whistles were stored: %d on the case", len(list.Whistles))
			}
		}},
		scenario{route: "GET /api/v1/whistles", check: func(t *testing.T, f *fixture) {
			wf := whistleOf(t, f)
			for _, name := range whistleOutsiders {
				s, b := raw(t, f.clients[name], "GET", "/api/v1/whistles?case_id="+wf.caseID, nil)
				if (s != 200 && s != 403) || strings.Contains(b, wf.id) || strings.Contains(b, wf.number) {
					t.Errorf("list as %s: %d %.200s", name, s, b)
				}
			}
			expectStatus(t, f, []string{"resident1", "sysadmin", "donghai.intake_operator", "donghai.volunteer"}, "GET", "/api/v1/whistles", nil, 403)
			if _, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/whistles", nil); !strings.Contains(b, wf.id) {
				t.Errorf("the district's leader misses 城东's whistle: %.200s", b)
			}
		}},
		scenario{route: "GET /api/v1/whistles/figures", check: func(t *testing.T, f *fixture) {
			whistleOf(t, f)
			path := "/api/v1/whistles/figures?level=department&from=" + day(-1) + "&to=" + day(1)
			expectStatus(t, f, []string{"resident1", "sysadmin", "donghai.intake_operator", "donghai.volunteer"}, "GET", path, nil, 403)
			for _, name := range []string{"donghai.grid_worker", "donghai.shift_lead", "donghai.dispatcher", "donghai.leader",
				"donghai.community_staff", "dept01.staff"} {
				if s, b := raw(t, f.clients[name], "GET", path, nil); s != 200 || strings.Contains(b, "350503D02") {
					t.Errorf("figures as %s: %d %.200s", name, s, b)
				}
			}
			if _, b := raw(t, f.clients["district.leader"], "GET", path, nil); !strings.Contains(b, "350503D02") {
				t.Errorf("the district's figures miss 城东's summons: %.200s", b)
			}
		}},
		scenario{route: "GET /api/v1/whistles/rules", check: func(t *testing.T, f *fixture) {
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/whistles/rules", nil, 403)
		}},
		scenario{route: "PUT /api/v1/whistles/rules", check: func(t *testing.T, f *fixture) {
			// The district's rules: only the sys_admin held at the district node changes them.
			body := map[string]any{"limits": map[string]any{"emergency": map[string]any{"value": 20, "unit": "minutes"},
				"hard": map[string]any{"value": 60, "unit": "working_minutes"}, "daily": map[string]any{"value": 1, "unit": "working_days"}},
				"flag_distance_m": 300}
			expectStatus(t, f, append(except("sysadmin"), "donghai.sysadmin"), "PUT", "/api/v1/whistles/rules", body, 403)
		}},
		scenario{route: "GET /api/v1/whistles/{id}", check: func(t *testing.T, f *fixture) {
			wf := whistleOf(t, f)
			expectRefused(t, f, wf, whistleOutsiders, "GET", "/api/v1/whistles/"+wf.id, nil)
			expectStatus(t, f, []string{"district.leader", "dept02.staff"}, "GET", "/api/v1/whistles/"+wf.id, nil, 200)
		}},
		scenario{route: "GET /api/v1/whistles/{id}/messages", check: func(t *testing.T, f *fixture) {
			wf := whistleOf(t, f)
			expectRefused(t, f, wf, whistleOutsiders, "GET", "/api/v1/whistles/"+wf.id+"/messages", nil)
		}},
		whistleWrite("POST /api/v1/whistles/{id}/acks", "/acks", map[string]any{}),
		whistleWrite("POST /api/v1/whistles/{id}/check-ins", "/check-ins", map[string]any{"lat": 24.925, "lng": 118.5995}),
		whistleWrite("POST /api/v1/whistles/{id}/tasks/{code}/done", "/tasks/350503D02/done", map[string]any{"note": "已处理完毕"}),
		whistleWrite("POST /api/v1/whistles/{id}/messages", "/messages", map[string]any{"body": "我们来处理"}),
		whistleWrite("POST /api/v1/whistles/{id}/close", "/close", map[string]any{"note": "已解决"}),
		whistleWrite("POST /api/v1/whistles/{id}/cancel", "/cancel", map[string]any{"note": "误报，取消"}),
		whistleWrite("POST /api/v1/whistles/{id}/ratings", "/ratings", map[string]any{"department_code": "350503D02", "stars": 1}),
	)
}
