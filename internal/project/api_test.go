package project_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/ledger"
	"github.com/yiwang-gov/yiwang/internal/project"
)

// monday is the clock's start: Monday 2026-11-02, 10:00 in Beijing.
var monday = time.Date(2026, 11, 2, 10, 0, 0, 0, calendar.Zone)

const (
	homeZone  = "350503001Z01" // 东海's zone
	otherZone = "350503002Z01" // 城东's zone
)

// TestAPI runs the project API's scenarios on each engine against one app per engine, with the
// demo district and a fixed clock. The steps share the app and run in order (Statuses advances
// the clock).
func TestAPI(t *testing.T) {
	t.Parallel() // each on databases of its own
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, clock := start(t, engine)
			for _, step := range []struct {
				name string
				run  func(*testing.T, *apptest.Server, *apptest.Clock)
			}{
				{"Demo", demo}, {"Contract", contract}, {"BadInput", badInput}, {"Scope", scope}, {"Progress", progress},
				{"Export", export}, {"CheckProject", checkProject}, {"Statuses", statuses},
			} {
				t.Run(step.name, func(t *testing.T) { step.run(t, srv, clock) })
			}
		})
	}
}

func start(t *testing.T, engine db.Engine) (*apptest.Server, *apptest.Clock) {
	t.Helper()
	clock := apptest.NewClock(monday)
	srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
	return srv, clock
}

// plan is the contract's answer, as a client reads it.
type plan struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Percent    int    `json:"percent"`
	Milestones []struct {
		Title        string `json:"title"`
		LatestStart  string `json:"latest_start"`
		LatestFinish string `json:"latest_finish"`
		Critical     bool   `json:"critical"`
		Status       string `json:"status"`
		Percent      int    `json:"percent"`
		Evidence     []project.Evidence
	} `json:"milestones"`
}

func create(t *testing.T, c *apptest.Client, body map[string]any, want int) plan {
	t.Helper()
	var p plan
	if s, raw := c.Raw("POST", "/api/v1/projects", body); s != want {
		t.Fatalf("create %v as %s: %d, want %d: %s", body, c.Username, s, want, raw)
	} else if want == 201 {
		c.Do("GET", "/api/v1/projects/"+projectID(t, raw), nil, &p)
	}
	return p
}

func projectID(t *testing.T, raw []byte) string {
	t.Helper()
	i := strings.Index(string(raw), `"id":"`)
	if i < 0 {
		t.Fatalf("no id in %s", raw)
	}
	rest := string(raw[i+6:])
	return rest[:strings.Index(rest, `"`)]
}

// the project of the contract: a 3-day milestone ending on the deadline (Friday 2026-11-20)
// after a 2-day one and beside a 1-day one.
func contractBody() map[string]any {
	return map[string]any{"zone_code": homeZone, "field": "environment", "title": "口袋公园改造", "owner_unit_code": "350503001",
		"deadline": "2026-11-20", "milestones": []map[string]any{
			{"title": "方案设计", "duration_days": 2},
			{"title": "施工", "duration_days": 3, "depends_on": []int{0}},
			{"title": "宣传", "duration_days": 1, "depends_on": []int{0}},
		}}
}

func count(t *testing.T, srv *apptest.Server, table string) int {
	t.Helper()
	var n int
	if err := srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The demo: every zone has two projects, 东海's first with its first milestone started.
func demo(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	lead := srv.Login(t, "donghai.shift_lead")
	var list struct{ Projects []project.Project }
	if s := lead.Do("GET", "/api/v1/projects?zone="+homeZone, nil, &list); s != 200 || len(list.Projects) != 2 {
		t.Fatalf("东海's demo projects: %d %d", s, len(list.Projects))
	}
	p := list.Projects[0]
	if p.Field != project.Environment || p.Milestones[0].StartedAt == nil || p.Milestones[0].Percent != 40 || len(p.Milestones[0].Evidence) != 1 || p.Status != project.InProgress {
		t.Errorf("东海's first demo project: %+v", p)
	}
	var zones int
	if err := srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM zones`).Scan(&zones); err != nil || count(t, srv, "projects") != 2*zones {
		t.Errorf("demo projects: %d for %d zones", count(t, srv, "projects"), zones)
	}
}

// The contract, exactly: 201 with the id and each milestone's latest start and finish.
func contract(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	lead := srv.Login(t, "donghai.shift_lead")
	s, raw := lead.Raw("POST", "/api/v1/projects", contractBody())
	if s != 201 {
		t.Fatalf("create: %d %s", s, raw)
	}
	for _, want := range []string{
		`"title":"施工","duration_days":3,"depends_on":[0],"latest_start":"2026-11-18","latest_finish":"2026-11-20","critical":true`,
		`"title":"方案设计","duration_days":2,"depends_on":[],"latest_start":"2026-11-16","latest_finish":"2026-11-17","critical":true`,
		`"title":"宣传","duration_days":1,"depends_on":[0],"latest_start":"2026-11-20","latest_finish":"2026-11-20","critical":false`,
		`"planned_start":"2026-11-16"`, `"status":"planned"`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("answer lacks %s: %s", want, raw)
		}
	}
	var p plan
	if s := lead.Do("GET", "/api/v1/projects/"+projectID(t, raw), nil, &p); s != 200 || len(p.Milestones) != 3 || p.Milestones[1].LatestStart != "2026-11-18" {
		t.Errorf("read back: %d %+v", s, p)
	}
	// A deadline on a Saturday: the milestone ends on the Friday before.
	body := contractBody()
	body["deadline"] = "2026-11-21"
	if p := create(t, lead, body, 201); p.Milestones[1].LatestFinish != "2026-11-20" || p.Milestones[1].LatestStart != "2026-11-18" {
		t.Errorf("deadline on a Saturday: %+v", p.Milestones)
	}
}

// Bad input is refused with 400 and stores nothing.
func badInput(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	lead := srv.Login(t, "donghai.shift_lead")
	before, audits := count(t, srv, "projects"), count(t, srv, "project_milestones")
	with := func(key string, v any) map[string]any {
		b := contractBody()
		b[key] = v
		return b
	}
	milestones := func(m ...map[string]any) map[string]any { return with("milestones", m) }
	for name, body := range map[string]any{
		"cycle": milestones(map[string]any{"title": "甲", "duration_days": 1, "depends_on": []int{1}},
			map[string]any{"title": "乙", "duration_days": 1, "depends_on": []int{0}}),
		"self":            milestones(map[string]any{"title": "甲", "duration_days": 1, "depends_on": []int{0}}),
		"bad index":       milestones(map[string]any{"title": "甲", "duration_days": 1, "depends_on": []int{7}}),
		"zero days":       milestones(map[string]any{"title": "甲", "duration_days": 0}),
		"no milestones":   milestones(),
		"no title":        milestones(map[string]any{"title": " ", "duration_days": 1}),
		"bad date":        with("deadline", "2026-02-30"),
		"not a date":      with("deadline", "下周五"),
		"bad field":       with("field", "sports"),
		"unknown owner":   with("owner_unit_code", "999999"),
		"negative budget": with("budget_fen", -1),
		"unknown field":   with("colour", "red"),
		"NUL in title":    `{"zone_code":"350503001Z01","field":"environment","title":"a\u0000b","owner_unit_code":"350503001","deadline":"2026-11-20","milestones":[{"title":"x","duration_days":1}]}`,
		"NUL in a milestone": `{"zone_code":"350503001Z01","field":"environment","title":"ab","owner_unit_code":"350503001","deadline":"2026-11-20",` +
			`"milestones":[{"title":"x\u0000","duration_days":1}]}`,
	} {
		if s, raw := lead.Raw("POST", "/api/v1/projects", body); s != 400 || !strings.Contains(string(raw), `"error"`) {
			t.Errorf("%s: %d %s", name, s, raw)
		}
	}
	if s, raw := lead.Raw("POST", "/api/v1/projects", milestones(map[string]any{"title": "甲", "duration_days": 1, "depends_on": []int{1}},
		map[string]any{"title": "乙", "duration_days": 1, "depends_on": []int{0}})); !strings.Contains(string(raw), "project.cycle") && !strings.Contains(string(raw), "循环") {
		t.Errorf("a cycle is not named: %d %s", s, raw)
	}
	if count(t, srv, "projects") != before || count(t, srv, "project_milestones") != audits {
		t.Error("refused projects were stored")
	}
}

// Outsiders: 东海's staff neither see nor plan 城东's projects (404), roles without project
// permissions are refused (403), the district's leader reads them.
func scope(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	var theirs struct{ Projects []project.Project }
	district := srv.Login(t, "district.leader")
	if s := district.Do("GET", "/api/v1/projects?zone="+otherZone, nil, &theirs); s != 200 || len(theirs.Projects) == 0 {
		t.Fatalf("district leader reads 城东's projects: %d", s)
	}
	id := theirs.Projects[0].ID
	before := count(t, srv, "projects")
	for _, name := range []string{"donghai.shift_lead", "donghai.leader", "donghai.community_staff"} {
		c := srv.Login(t, name)
		body := contractBody()
		body["zone_code"] = otherZone
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/projects/" + id, nil},
			{"GET", "/api/v1/projects?zone=" + otherZone, nil},
			{"GET", "/api/v1/projects/export?format=xlsx&zone=" + otherZone, nil},
			{"POST", "/api/v1/projects", body},
			{"POST", "/api/v1/projects/" + id + "/milestones/0/progress", map[string]any{"started": true}},
		} {
			if s, _ := c.Raw(r.method, r.path, r.body); s != 404 {
				t.Errorf("%s %s %s: %d, want 404", name, r.method, r.path, s)
			}
		}
		var mine struct{ Projects []project.Project }
		c.Do("GET", "/api/v1/projects", nil, &mine)
		for _, p := range mine.Projects {
			if p.ZoneCode == otherZone {
				t.Errorf("%s lists 城东's project %s", name, p.ID)
			}
		}
	}
	for _, name := range []string{"donghai.grid_worker", "dept01.staff", "donghai.finance_officer", "resident1"} {
		c := srv.Login(t, name)
		if s, _ := c.Raw("GET", "/api/v1/projects/"+id, nil); s != 403 {
			t.Errorf("%s reads a project: %d", name, s)
		}
		if s, _ := c.Raw("POST", "/api/v1/projects", contractBody()); s != 403 {
			t.Errorf("%s creates a project: %d", name, s)
		}
	}
	if s, _ := srv.Anonymous(t).Raw("GET", "/api/v1/projects", nil); s != 401 {
		t.Errorf("anonymous list: %d", s)
	}
	if count(t, srv, "projects") != before {
		t.Error("a refused request stored a project")
	}
	var p project.Project
	if s := district.Do("GET", "/api/v1/projects/"+id, nil, &p); s != 200 || p.Milestones[0].Status == "" {
		t.Errorf("district leader reads 城东's project: %d", s)
	}
}

// Progress: start, percent, notes as evidence, finish; a finished milestone takes notes only.
func progress(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	lead := srv.Login(t, "donghai.shift_lead")
	p := create(t, lead, contractBody(), 201)
	path := func(n int) string { return fmt.Sprintf("/api/v1/projects/%s/milestones/%d/progress", p.ID, n) }
	var got plan
	if s := lead.Do("POST", path(0), map[string]any{"started": true, "percent": 30, "note": "设计单位已进场"}, &got); s != 200 ||
		got.Milestones[0].Status != project.InProgress || got.Milestones[0].Percent != 30 || len(got.Milestones[0].Evidence) != 1 {
		t.Fatalf("start: %d %+v", s, got)
	}
	if s := lead.Do("POST", path(0), map[string]any{"finished": true, "note": "方案通过评审"}, &got); s != 200 ||
		got.Milestones[0].Status != project.Done || got.Milestones[0].Percent != 100 || len(got.Milestones[0].Evidence) != 2 {
		t.Fatalf("finish: %d %+v", s, got)
	}
	// 2 of 6 working days done.
	if got.Percent != 33 {
		t.Errorf("rolled up: %d", got.Percent)
	}
	for _, c := range []struct {
		path string
		body any
		want int
	}{
		{path(0), map[string]any{"percent": 50}, 409},
		{path(0), map[string]any{"note": "补充照片说明"}, 200},
		{path(1), map[string]any{"percent": 101}, 400},
		{path(1), map[string]any{}, 400},
		{path(1), map[string]any{"note": "a\u0000"}, 400},
		{path(3), map[string]any{"started": true}, 404},
		{"/api/v1/projects/" + p.ID + "/milestones/x/progress", map[string]any{"started": true}, 404},
		{"/api/v1/projects/nope/milestones/0/progress", map[string]any{"started": true}, 404},
	} {
		if s, raw := lead.Raw("POST", c.path, c.body); s != c.want {
			t.Errorf("%s %v: %d, want %d: %s", c.path, c.body, s, c.want, raw)
		}
	}
}

// Export: a zone's table as xlsx (a zip file).
func export(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	lead := srv.Login(t, "donghai.shift_lead")
	s, raw := lead.Raw("GET", "/api/v1/projects/export?format=xlsx&zone="+homeZone, nil)
	if s != 200 || !strings.HasPrefix(string(raw), "PK") {
		t.Fatalf("xlsx: %d %.100s", s, raw)
	}
	s, raw = lead.Raw("GET", "/api/v1/projects/export?format=csv&zone="+homeZone, nil)
	if s != 200 || !strings.Contains(string(raw), "口袋公园改造") || !strings.Contains(string(raw), "最迟开始") {
		t.Errorf("csv: %d %.300s", s, raw)
	}
	for _, q := range []string{"format=pdf&zone=" + homeZone, "format=&zone=" + homeZone, "format=xlsx"} {
		if s, _ := lead.Raw("GET", "/api/v1/projects/export?"+q, nil); s != 400 {
			t.Errorf("export ?%s: %d", q, s)
		}
	}
}

// Statuses follow the clock: past the latest start unstarted is at risk, past the latest finish
// unfinished is overdue; the latest days themselves are still in time. It runs last: it moves
// the clock.
func statuses(t *testing.T, srv *apptest.Server, clock *apptest.Clock) {
	lead := srv.Login(t, "donghai.shift_lead")
	p := create(t, lead, contractBody(), 201)
	read := func() plan {
		var got plan
		if s := lead.Do("GET", "/api/v1/projects/"+p.ID, nil, &got); s != 200 {
			t.Fatalf("read: %d", s)
		}
		return got
	}
	statusesAre := func(when string, want ...string) {
		t.Helper()
		got := read()
		for i, w := range want {
			if got.Milestones[i].Status != w {
				t.Errorf("%s: milestone %d is %s, want %s", when, i, got.Milestones[i].Status, w)
			}
		}
	}
	advanceTo := func(day string) {
		d, _ := project.ParseDate(day)
		clock.Advance(d.Add(10 * time.Hour).Sub(clock.Now()))
		lead = srv.Login(t, "donghai.shift_lead") // the session has ended meanwhile
	}
	statusesAre("2 Nov", project.Planned, project.Planned, project.Planned)
	advanceTo("2026-11-16") // 方案设计's latest start
	statusesAre("16 Nov", project.Planned, project.Planned, project.Planned)
	advanceTo("2026-11-17")
	statusesAre("17 Nov", project.AtRisk, project.Planned, project.Planned)
	if got := read(); got.Status != project.AtRisk {
		t.Errorf("project status on 17 Nov: %s", got.Status)
	}
	if s, raw := lead.Raw("POST", "/api/v1/projects/"+p.ID+"/milestones/0/progress", map[string]any{"started": true}); s != 200 {
		t.Fatalf("start: %d %s", s, raw)
	}
	statusesAre("17 Nov, started", project.InProgress, project.Planned, project.Planned)
	advanceTo("2026-11-18")
	statusesAre("18 Nov", project.Overdue, project.Planned, project.Planned)
	advanceTo("2026-11-23")
	statusesAre("23 Nov", project.Overdue, project.Overdue, project.Overdue)
	if got := read(); got.Status != project.Overdue {
		t.Errorf("project status on 23 Nov: %s", got.Status)
	}
}

// The project service is the ledger's project checker: a project of the zone passes, another
// zone's project or an unknown id is not found.
var _ ledger.ProjectChecker = (*project.Service)(nil)

func checkProject(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	ctx := app.System(t.Context(), "project-test")
	list, err := srv.App.Projects.List(ctx, homeZone)
	if err != nil || len(list) == 0 {
		t.Fatalf("东海's projects: %v", err)
	}
	if err := srv.App.Projects.CheckProject(ctx, homeZone, list[0].ID); err != nil {
		t.Errorf("东海's project: %v", err)
	}
	for _, c := range [][2]string{{otherZone, list[0].ID}, {homeZone, "nope"}} {
		if err := srv.App.Projects.CheckProject(ctx, c[0], c[1]); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("CheckProject(%s, %s) = %v, want not found", c[0], c[1], err)
		}
	}
	// Wired into the ledger: a commitment to another zone's project or to no project is not found.
	officer := srv.Login(t, "district.finance_officer")
	for i, id := range []string{list[0].ID, "no-such-project"} {
		body := map[string]any{"kind": "commit", "zone_code": otherZone, "project_id": id, "amount_fen": 1, "idempotency_key": fmt.Sprintf("project-check-%d", i)}
		if s, raw := officer.Raw("POST", "/api/v1/ledger/entries", body); s != 404 || !strings.Contains(string(raw), "project.not_found") && !strings.Contains(string(raw), "找不到项目") {
			t.Errorf("commit to %s in 城东: %d %s", id, s, raw)
		}
	}
}
