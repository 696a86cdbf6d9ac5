package app_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/eval"
)

// Scope scenarios of the indicators: every table, ranking and trend shows only the units in the
// caller's reach (a subdistrict's staff see their subdistrict's units and none of another's, a
// department's staff their own department); the person tables (赛马场) are for leaders and shift
// leads only, each within their reach; only a leader picks, only the district's sys_admin adds
// scoring schemes; roles without eval.read get 403 everywhere.

// evalPeriod is a period that holds today's cases whatever the hour: a case counts on the day it
// was reported (district time), and the test may cross midnight between reporting and reading.
func evalPeriod() (from, to string) {
	today := time.Now().In(eval.Zone)
	return today.AddDate(0, 0, -40).Format(time.DateOnly), today.AddDate(0, 0, 1).Format(time.DateOnly)
}

// evalQuery is the query string of a table of level over evalPeriod.
func evalQuery(level string) string {
	from, to := evalPeriod()
	return "from=" + from + "&to=" + to + "&level=" + level
}

// userID returns the ID of the signed-in user of c.
func userID(t *testing.T, c *apptest.Client) string {
	t.Helper()
	var me struct {
		ID string `json:"id"`
	}
	if s := c.Do("GET", "/api/v1/me", nil, &me); s != 200 || me.ID == "" {
		t.Fatalf("me as %s: %d", c.Username, s)
	}
	return me.ID
}

// evalCaseStep is one step of a case through the desk, taken by a demo account.
type evalCaseStep struct{ who, action, body string }

// evalWalk reports a case on the 12345 line at lat,lng as sub's intake operator and takes it
// through steps: the staff who act become persons of the person tables (imported cases carry
// no staff, so only steps taken through the API make them).
func evalWalk(t *testing.T, login func(string) *apptest.Client, sub string, lat, lng float64, text string, steps []evalCaseStep) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	body := map[string]any{"lat": lat, "lng": lng, "description": text, "channel": "hotline_12345"}
	if s := login(sub+".intake_operator").Do("POST", "/api/v1/cases", body, &c); s != 201 {
		t.Fatalf("report a case in %s: %d", sub, s)
	}
	for _, st := range steps {
		var b any
		if st.body != "" {
			b = st.body
		}
		if s, out := login(st.who).Raw("POST", "/api/v1/cases/"+c.ID+"/actions/"+st.action, b); s != 200 {
			t.Fatalf("%s as %s: %d %s", st.action, st.who, s, out)
		}
	}
	return c.ID
}

// evalDonghaiSteps take a 东海 case from registration to closure: 东海's shift lead, dispatcher and
// grid worker and the 区城市管理局's officer each act.
var evalDonghaiSteps = []evalCaseStep{
	{"donghai.shift_lead", "register", ``},
	{"donghai.dispatcher", "dispatch", `{"department_code":"350503D01"}`},
	{"dept01.staff", "sign", ``},
	{"dept01.staff", "handle", `{"note":"正在处理"}`},
	{"dept01.staff", "report_back", `{"note":"已处理完毕"}`},
	{"donghai.grid_worker", "verify", `{"result":"pass"}`},
	{"donghai.shift_lead", "close", ``},
}

// evalChengdongSteps register and dispatch a 城东 case: 城东's shift lead and dispatcher act.
var evalChengdongSteps = []evalCaseStep{
	{"chengdong.shift_lead", "register", ``},
	{"chengdong.dispatcher", "dispatch", `{"department_code":"350503D02"}`},
}

// evalFixture is what the eval scenarios read: people of both subdistricts with figures.
type evalFixture struct {
	homeLead, homeDispatcher string // 东海's shift lead and dispatcher (user IDs)
	otherLead                string // 城东's shift lead
	deptStaff                string // dept01.staff, of 350503D01
}

var (
	evalFixturesMu sync.Mutex
	evalFixtures   = map[*fixture]*evalFixture{}
)

func evalOf(t *testing.T, f *fixture) *evalFixture {
	t.Helper()
	evalFixturesMu.Lock()
	defer evalFixturesMu.Unlock()
	if ef, ok := evalFixtures[f]; ok {
		return ef
	}
	login := func(name string) *apptest.Client {
		if f.clients[name] == nil {
			f.clients[name] = f.srv.Login(t, name)
		}
		return f.clients[name]
	}
	evalWalk(t, login, "donghai", 24.925, 118.574, "人行道积水严重", evalDonghaiSteps)
	evalWalk(t, login, "chengdong", 24.925, 118.5995, "城东路灯损坏", evalChengdongSteps)
	if _, err := f.srv.App.Eval.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	ef := &evalFixture{homeLead: userID(t, login("donghai.shift_lead")), homeDispatcher: userID(t, login("donghai.dispatcher")),
		otherLead: userID(t, login("chengdong.shift_lead")), deptStaff: userID(t, login("dept01.staff"))}
	evalFixtures[f] = ef
	return ef
}

// evalRows reads the codes of a table (or ranking) and the status.
func evalRows(t *testing.T, c *apptest.Client, path string) (int, []string) {
	t.Helper()
	status, body := c.Raw("GET", path, nil)
	if status != 200 {
		return status, nil
	}
	var table struct {
		Rows []struct {
			Code string `json:"code"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(body, &table); err != nil {
		t.Fatalf("GET %s as %s: %v: %.200s", path, c.Username, err, body)
	}
	codes := make([]string, len(table.Rows))
	for i, r := range table.Rows {
		codes[i] = r.Code
	}
	return status, codes
}

// evalNoRead are the accounts without eval.read: every indicator route refuses them.
var evalNoRead = []string{"resident1", "sysadmin", "secadmin", "auditadmin", "donghai.volunteer", "donghai.mediator",
	"donghai.directory_editor", "donghai.finance_officer"}

// evalNoPeople are the accounts with eval.read but not eval.people: no person tables.
var evalNoPeople = []string{"donghai.grid_worker", "donghai.intake_operator", "donghai.dispatcher", "dept01.staff", "donghai.community_staff"}

// evalUnitLevels are the levels of places and departments (every level but person).
var evalUnitLevels = []string{"grid", "community", "zone", "subdistrict", "district", "department"}

// checkEvalUnits checks a table or ranking route at every level: a subdistrict's staff see only
// its units, a department's staff their department, and the district's leader all of them.
func checkEvalUnits(t *testing.T, f *fixture, route string) {
	for _, level := range evalUnitLevels {
		path := route + "?" + evalQuery(level)
		expectStatus(t, f, evalNoRead, "GET", path, nil, 403)
		// Every subdistrict role reading the indicators: nothing of 城东 or of the district.
		for _, name := range []string{"donghai.grid_worker", "donghai.intake_operator", "donghai.shift_lead", "donghai.dispatcher",
			"donghai.leader", "donghai.community_staff"} {
			status, codes := evalRows(t, f.clients[name], path)
			if status != 200 {
				t.Errorf("%s as %s: %d", path, name, status)
			}
			for _, code := range codes {
				if !strings.HasPrefix(code, home) {
					t.Errorf("%s as %s shows %s, outside 东海", path, name, code)
				}
			}
		}
		_, leader := evalRows(t, f.clients["donghai.leader"], path)
		_, district := evalRows(t, f.clients["district.leader"], path)
		_, dept := evalRows(t, f.clients["dept01.staff"], path)
		switch level {
		case "district":
			if len(leader) != 0 || len(district) != 1 || district[0] != "350503" {
				t.Errorf("%s: 东海's leader %v, the district's %v", path, leader, district)
			}
		case "department":
			// 东海's leader sees 东海's own handling units (综合执法队, 城建办), never a district bureau.
			if !contains(leader, home+"D01") || contains(leader, "350503D01") || len(dept) != 1 || dept[0] != "350503D01" ||
				!contains(district, "350503D02") || !contains(district, home+"D01") {
				t.Errorf("%s: 东海's leader %v, dept01 %v, the district's %v", path, leader, dept, district)
			}
		default:
			// 东海's leader sees 东海's units, and the district's leader sees 城东's too: the
			// prefix check above had units to check, and could fail.
			otherSeen := false
			for _, code := range district {
				otherSeen = otherSeen || strings.HasPrefix(code, other)
			}
			if len(leader) == 0 || !otherSeen || len(district) <= len(leader) {
				t.Errorf("%s: 东海's leader %d rows, the district's %d (城东 among them: %v)", path, len(leader), len(district), otherSeen)
			}
		}
		if level != "department" && len(dept) != 0 {
			t.Errorf("%s: a department's staff sees places: %v", path, dept)
		}
	}
}

// checkEvalPeople checks a table or ranking route at the person level.
func checkEvalPeople(t *testing.T, f *fixture, route string) {
	ef := evalOf(t, f)
	path := route + "?" + evalQuery("person")
	expectStatus(t, f, with(evalNoRead, evalNoPeople...), "GET", path, nil, 403)
	for _, name := range []string{"donghai.leader", "donghai.shift_lead"} {
		_, people := evalRows(t, f.clients[name], path)
		if !contains(people, ef.homeLead) || !contains(people, ef.homeDispatcher) {
			t.Errorf("%s as %s misses 东海's staff: %v", path, name, people)
		}
		if contains(people, ef.otherLead) || contains(people, ef.deptStaff) {
			t.Errorf("%s as %s shows staff outside 东海: %v", path, name, people)
		}
	}
	if _, people := evalRows(t, f.clients["district.leader"], path); !contains(people, ef.otherLead) || !contains(people, ef.deptStaff) {
		t.Errorf("%s as the district's leader misses staff: %v", path, people)
	}
}

func init() {
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/indicators", check: func(t *testing.T, f *fixture) {
			evalOf(t, f)
			checkEvalUnits(t, f, "/api/v1/indicators")
			checkEvalPeople(t, f, "/api/v1/indicators")
			// The downloads are the same table: 东海's leader gets no 城东 unit in a file either.
			for _, format := range []string{"csv", "xlsx"} {
				path := "/api/v1/indicators?" + evalQuery("community") + "&format=" + format
				if s, b := raw(t, f.clients["donghai.leader"], "GET", path, nil); s != 200 || strings.Contains(b, otherComm) {
					t.Errorf("%s as 东海's leader: %d, 城东's community in it: %v", path, s, strings.Contains(b, otherComm))
				}
				expectStatus(t, f, []string{"donghai.grid_worker"}, "GET", "/api/v1/indicators?"+evalQuery("person")+"&format="+format, nil, 403)
				expectStatus(t, f, []string{"resident1"}, "GET", path, nil, 403)
			}
			if s, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/indicators?"+evalQuery("community")+"&format=csv", nil); s != 200 || !strings.Contains(b, otherComm) {
				t.Errorf("the district's download misses 城东: %d", s)
			}
		}},
		scenario{route: "GET /api/v1/rankings", check: func(t *testing.T, f *fixture) {
			checkEvalUnits(t, f, "/api/v1/rankings")
			checkEvalPeople(t, f, "/api/v1/rankings")
		}},
		scenario{route: "GET /api/v1/indicators/trend", check: func(t *testing.T, f *fixture) {
			ef := evalOf(t, f)
			trend := func(level, code string) string {
				return "/api/v1/indicators/trend?months=2&level=" + level + "&code=" + url.QueryEscape(code)
			}
			expectStatus(t, f, evalNoRead, "GET", trend("subdistrict", home), nil, 403)
			// Another subdistrict's unit is unknown to 东海's staff, not forbidden: its existence is not told.
			expectStatus(t, f, []string{"donghai.leader", "donghai.shift_lead", "donghai.dispatcher", "donghai.grid_worker"},
				"GET", trend("subdistrict", other), nil, 404)
			expectStatus(t, f, []string{"donghai.leader", "donghai.grid_worker"}, "GET", trend("community", otherComm), nil, 404)
			expectStatus(t, f, []string{"donghai.leader", "district.leader"}, "GET", trend("subdistrict", home), nil, 200)
			expectStatus(t, f, []string{"district.leader"}, "GET", trend("subdistrict", other), nil, 200)
			expectStatus(t, f, []string{"donghai.leader"}, "GET", trend("district", "350503"), nil, 404)
			expectStatus(t, f, []string{"dept01.staff"}, "GET", trend("department", "350503D01"), nil, 200)
			expectStatus(t, f, []string{"dept01.staff"}, "GET", trend("department", "350503D02"), nil, 404)
			expectStatus(t, f, []string{"dept01.staff"}, "GET", trend("subdistrict", home), nil, 404)
			// The person tables: leaders and shift leads, within their reach.
			expectStatus(t, f, evalNoPeople, "GET", trend("person", ef.homeLead), nil, 403)
			expectStatus(t, f, []string{"donghai.leader", "donghai.shift_lead"}, "GET", trend("person", ef.homeDispatcher), nil, 200)
			expectStatus(t, f, []string{"donghai.leader", "donghai.shift_lead"}, "GET", trend("person", ef.otherLead), nil, 404)
			expectStatus(t, f, []string{"district.leader"}, "GET", trend("person", ef.otherLead), nil, 200)
		}},
		scenario{route: "GET /api/v1/briefings", check: func(t *testing.T, f *fixture) {
			evalOf(t, f)
			from, to := evalPeriod()
			brief := func(level, code string) string {
				return "/api/v1/briefings?level=" + level + "&code=" + url.QueryEscape(code) + "&from=" + from + "&to=" + to
			}
			expectStatus(t, f, evalNoRead, "GET", brief("subdistrict", home), nil, 403)
			// Another subdistrict's unit is unknown to 东海's staff, not forbidden; so is a download of it.
			expectStatus(t, f, []string{"donghai.leader", "donghai.shift_lead", "donghai.dispatcher", "donghai.grid_worker"},
				"GET", brief("subdistrict", other), nil, 404)
			expectStatus(t, f, []string{"donghai.leader"}, "GET", brief("community", otherComm), nil, 404)
			expectStatus(t, f, []string{"donghai.leader"}, "GET", brief("subdistrict", other)+"&format=xlsx", nil, 404)
			expectStatus(t, f, []string{"donghai.leader", "district.leader"}, "GET", brief("subdistrict", home), nil, 200)
			expectStatus(t, f, []string{"district.leader"}, "GET", brief("subdistrict", other), nil, 200)
		}},
		scenario{route: "GET /api/v1/indicators/definitions", check: func(t *testing.T, f *fixture) {
			expectStatus(t, f, evalNoRead, "GET", "/api/v1/indicators/definitions", nil, 403)
			expectStatus(t, f, with(evalNoPeople, "donghai.shift_lead", "donghai.leader", "district.leader"),
				"GET", "/api/v1/indicators/definitions", nil, 200)
		}},
		scenario{route: "GET /api/v1/eval/schemes", check: func(t *testing.T, f *fixture) {
			// The district's sys_admin configures the schemes, so may read them without eval.read.
			expectStatus(t, f, without(evalNoRead, "sysadmin"), "GET", "/api/v1/eval/schemes", nil, 403)
			expectStatus(t, f, with(evalNoPeople, "donghai.shift_lead", "donghai.leader", "sysadmin"), "GET", "/api/v1/eval/schemes", nil, 200)
		}},
		scenario{route: "POST /api/v1/eval/schemes", check: func(t *testing.T, f *fixture) {
			versions := func() int {
				var list struct {
					Versions []json.RawMessage `json:"versions"`
				}
				if s := f.clients["district.leader"].Do("GET", "/api/v1/eval/schemes", nil, &list); s != 200 {
					t.Fatalf("list schemes: %d", s)
				}
				return len(list.Versions)
			}
			before := versions()
			scheme := evalScheme("scope-scheme", "2026-01-01")
			expectStatus(t, f, except("sysadmin"), "POST", "/api/v1/eval/schemes", scheme, 403)
			// A sys_admin held at a subdistrict may not change what applies to the whole district.
			if s, b := raw(t, f.subSys, "POST", "/api/v1/eval/schemes", scheme); s != 403 || !strings.Contains(b, "eval.district_only") {
				t.Errorf("subdistrict sys_admin adds a scheme: %d %.200s", s, b)
			}
			if n := versions(); n != before {
				t.Errorf("refused posts stored %d scheme versions", n-before)
			}
			if s, b := raw(t, f.clients["sysadmin"], "POST", "/api/v1/eval/schemes", scheme); s != 201 {
				t.Errorf("the district's sys_admin adds a scheme: %d %.200s", s, b)
			}
			if n := versions(); n != before+1 {
				t.Errorf("scheme versions: %d, want %d", n, before+1)
			}
		}},
		scenario{route: "GET /api/v1/eval/people/{id}/evidence", check: func(t *testing.T, f *fixture) {
			ef := evalOf(t, f)
			from, to := evalPeriod()
			evidence := func(id string) string { return "/api/v1/eval/people/" + id + "/evidence?from=" + from + "&to=" + to }
			expectStatus(t, f, with(evalNoRead, evalNoPeople...), "GET", evidence(ef.homeDispatcher), nil, 403)
			// A shift lead of one subdistrict cannot read the evidence of another subdistrict's staff,
			// nor learn their name.
			for _, name := range []string{"donghai.shift_lead", "donghai.leader"} {
				if s, b := raw(t, f.clients[name], "GET", evidence(ef.otherLead), nil); s != 404 || strings.Contains(b, "城东值班长") || strings.Contains(b, "chengdong.") {
					t.Errorf("%s reads the evidence of 城东's shift lead: %d %.200s", name, s, b)
				}
				if s, b := raw(t, f.clients[name], "GET", evidence(ef.deptStaff), nil); s != 404 {
					t.Errorf("%s reads the evidence of a department's officer: %d %.200s", name, s, b)
				}
				var ev struct {
					Person struct{ Code string } `json:"person"`
					Steps  []struct{ Action string }
				}
				if s := f.clients[name].Do("GET", evidence(ef.homeDispatcher), nil, &ev); s != 200 || ev.Person.Code != ef.homeDispatcher ||
					len(ev.Steps) == 0 || ev.Steps[0].Action != "dispatch" {
					t.Errorf("%s reads 东海's dispatcher: %d %+v", name, s, ev)
				}
			}
			expectStatus(t, f, []string{"chengdong.shift_lead", "district.leader"}, "GET", evidence(ef.otherLead), nil, 200)
		}},
		scenario{route: "GET /api/v1/eval/picks", check: func(t *testing.T, f *fixture) {
			ef := evalOf(t, f)
			from, to := evalPeriod()
			pick := map[string]string{"user_id": ef.otherLead, "from": from, "to": to, "reason": "城东值班长响应迅速"}
			if s, b := raw(t, f.srv.Login(t, "chengdong.leader"), "POST", "/api/v1/eval/picks", pick); s != 201 {
				t.Fatalf("城东's leader picks: %d %.200s", s, b)
			}
			expectStatus(t, f, with(evalNoRead, evalNoPeople...), "GET", "/api/v1/eval/picks", nil, 403)
			for _, name := range []string{"donghai.leader", "donghai.shift_lead"} {
				if s, b := raw(t, f.clients[name], "GET", "/api/v1/eval/picks", nil); s != 200 || strings.Contains(b, ef.otherLead) {
					t.Errorf("%s lists 城东's picks: %d %.200s", name, s, b)
				}
			}
			if s, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/eval/picks", nil); s != 200 || !strings.Contains(b, ef.otherLead) {
				t.Errorf("the district's leader misses 城东's pick: %d %.200s", s, b)
			}
		}},
		scenario{route: "POST /api/v1/eval/picks", check: func(t *testing.T, f *fixture) {
			ef := evalOf(t, f)
			from, to := evalPeriod()
			pick := func(id string) map[string]string {
				return map[string]string{"user_id": id, "from": from, "to": to, "reason": "处置及时，群众满意"}
			}
			expectStatus(t, f, except("donghai.leader", "district.leader"), "POST", "/api/v1/eval/picks", pick(ef.homeDispatcher), 403)
			// A leader picks within reach only: 城东's staff are unknown to 东海's leader.
			expectStatus(t, f, []string{"donghai.leader"}, "POST", "/api/v1/eval/picks", pick(ef.otherLead), 404)
			expectStatus(t, f, []string{"donghai.leader"}, "POST", "/api/v1/eval/picks", pick(ef.homeDispatcher), 201)
			var list struct {
				Picks []struct {
					UserID   string `json:"user_id"`
					PickedBy string `json:"picked_by"`
				} `json:"picks"`
			}
			f.clients["donghai.leader"].Do("GET", "/api/v1/eval/picks", nil, &list)
			// The refused callers recorded nothing: the one pick of the dispatcher is the leader's.
			var of []string
			for _, p := range list.Picks {
				if p.UserID == ef.homeDispatcher {
					of = append(of, p.PickedBy)
				}
			}
			if len(of) != 1 || of[0] == "" {
				t.Errorf("picks of 东海's dispatcher, by: %v", of)
			}
		}},
	)
}

// evalScheme is a valid scheme of code for the subdistricts, in force from validFrom.
func evalScheme(code, validFrom string) map[string]any {
	return map[string]any{"code": code, "valid_from": validFrom, "name": "街道结案考评", "name_en": "Subdistrict closure",
		"standard_ref": "CJ/T 292 结案率 (§1.5)", "levels": []string{"subdistrict"},
		"min_sample": map[string]any{"count": "should_close", "n": 1},
		"terms":      []map[string]any{{"label": "结案率", "weight": 1, "indicator": "closure_rate"}},
		"grades":     []map[string]any{{"grade": "A", "min": 90}, {"grade": "B", "min": 0}}}
}

// without is list less the names given.
func without(list []string, names ...string) []string {
	var out []string
	for _, l := range list {
		if !slices.Contains(names, l) {
			out = append(out, l)
		}
	}
	return out
}
