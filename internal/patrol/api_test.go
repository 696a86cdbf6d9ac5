package patrol_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/patrol"
)

type plan struct {
	ID       string `json:"id"`
	GridCode string `json:"grid_code"`
	PerWeek  int    `json:"per_week"`
	Route    []struct {
		Name     string
		Lat, Lng float64
	} `json:"route"`
	Checklist []string `json:"checklist"`
}

type finding struct {
	ID         string `json:"id"`
	CaseID     string `json:"case_id"`
	CaseNumber string `json:"case_number"`
}

type check struct {
	DistanceM float64 `json:"distance_m"`
	Flagged   bool    `json:"flagged"`
}

func me(t *testing.T, c *apptest.Client) string {
	t.Helper()
	var u struct{ ID string }
	if s := c.Do("GET", "/api/v1/me", nil, &u); s != 200 || u.ID == "" {
		t.Fatalf("me: %d", s)
	}
	return u.ID
}

// A volunteer walks a demo plan: checks three points (one 300 m off: flagged), records a finding
// and reports it in one tap as a case on the patrol channel; the week's coverage counts the
// patrol, the volunteer's hours count its time, and nobody else's patrols are the volunteer's to read.
func TestVolunteerPatrol(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			// Wednesday 2 December 2026, 09:00 in the district: ISO week 2026-W49.
			clock := apptest.NewClock(time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			volunteer, worker := srv.Login(t, "donghai.volunteer"), srv.Login(t, "donghai.grid_worker")
			staff, desk := srv.Login(t, "donghai.community_staff"), srv.Login(t, "donghai.shift_lead")

			var plans struct{ Plans []plan }
			if s := volunteer.Do("GET", "/api/v1/patrol-plans", nil, &plans); s != 200 || len(plans.Plans) != 6 {
				t.Fatalf("the volunteer's plans: %d, %d plans (want the 6 of 东梅社区)", s, len(plans.Plans))
			}
			p := plans.Plans[0]
			if len(p.Route) != 3 || len(p.Checklist) == 0 || p.PerWeek != 3 {
				t.Fatalf("demo plan: %+v", p)
			}

			var pt struct {
				ID     string
				Status string
			}
			if s, b := volunteer.Raw("POST", "/api/v1/patrols", map[string]string{"plan_id": p.ID}); s != 201 {
				t.Fatalf("start: %d %s", s, b)
			} else {
				jsonDecode(t, b, &pt)
			}
			if s := volunteer.Do("POST", "/api/v1/patrols", map[string]string{"plan_id": p.ID}, nil); s != 409 {
				t.Errorf("a second running patrol: %d, want 409", s)
			}
			for i, off := range []float64{0, 0.0001, 0.0027} {
				var c check
				body := map[string]any{"point": i, "lat": p.Route[i].Lat + off, "lng": p.Route[i].Lng}
				if s := volunteer.Do("POST", "/api/v1/patrols/"+pt.ID+"/checks", body, &c); s != 201 {
					t.Fatalf("check %d: %d", i, s)
				}
				if want := off > 0.002; c.Flagged != want {
					t.Errorf("point %d, %.1f m off: flagged %v, want %v", i, c.DistanceM, c.Flagged, want)
				}
			}
			if s := volunteer.Do("POST", "/api/v1/patrols/"+pt.ID+"/checks", map[string]any{"point": 7, "lat": 24.9, "lng": 118.5}, nil); s != 400 {
				t.Errorf("a point not on the route: %d, want 400", s)
			}
			// Someone else may not act on the volunteer's patrol.
			if s := worker.Do("POST", "/api/v1/patrols/"+pt.ID+"/checks", map[string]any{"point": 0, "lat": p.Route[0].Lat, "lng": p.Route[0].Lng}, nil); s != 403 {
				t.Errorf("the grid worker checks the volunteer's patrol: %d, want 403", s)
			}

			var f finding
			if s := volunteer.Do("POST", "/api/v1/patrols/"+pt.ID+"/findings", map[string]any{"description": "井盖缺失，存在安全隐患",
				"lat": p.Route[1].Lat, "lng": p.Route[1].Lng}, &f); s != 201 {
				t.Fatalf("finding: %d", s)
			}
			if s, b := volunteer.Raw("POST", "/api/v1/patrols/"+pt.ID+"/findings/"+f.ID+"/case", nil); s != 201 {
				t.Fatalf("report: %d %s", s, b)
			} else {
				jsonDecode(t, b, &f)
			}
			if f.CaseID == "" || f.CaseNumber == "" {
				t.Fatalf("the finding keeps no case: %+v", f)
			}
			if s := volunteer.Do("POST", "/api/v1/patrols/"+pt.ID+"/findings/"+f.ID+"/case", nil, nil); s != 409 {
				t.Errorf("a second tap: %d, want 409", s)
			}
			var c struct{ Channel, Description string }
			if s := desk.Do("GET", "/api/v1/cases/"+f.CaseID, nil, &c); s != 200 || c.Channel != "patrol" || !strings.Contains(c.Description, "井盖") {
				t.Errorf("the case at the desk: %d %+v", s, c)
			}
			var events int
			if err := srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM outbox_events WHERE type = $1 AND object_id = $2`,
				patrol.FindingEvent, pt.ID).Scan(&events); err != nil || events != 1 {
				t.Errorf("patrol.finding events: %d %v", events, err)
			}
			var notes struct {
				Notifications []struct{ Text string } `json:"notifications"`
			}
			staff.Do("GET", "/api/v1/notifications", nil, &notes)
			told := false
			for _, n := range notes.Notifications {
				told = told || strings.Contains(n.Text, f.CaseNumber)
			}
			if !told {
				t.Errorf("the community staff were not told of case %s: %+v", f.CaseNumber, notes)
			}

			// Sessions end after 30 idle minutes: the patrol's 45 minutes pass in two steps.
			clock.Advance(25 * time.Minute)
			for _, c := range []*apptest.Client{volunteer, worker, staff, desk} {
				c.Do("GET", "/api/v1/me", nil, nil)
			}
			clock.Advance(20 * time.Minute)
			if s := volunteer.Do("POST", "/api/v1/patrols/"+pt.ID+"/end", map[string]any{"note": "巡查正常，发现井盖缺失一处",
				"answers": map[string]string{p.Checklist[0]: "正常"}}, &pt); s != 200 || pt.Status != "ended" {
				t.Fatalf("end: %d %+v", s, pt)
			}
			if s := volunteer.Do("POST", "/api/v1/patrols/"+pt.ID+"/end", nil, nil); s != 409 {
				t.Errorf("end twice: %d, want 409", s)
			}

			var cov patrol.Coverage
			if s := staff.Do("GET", "/api/v1/patrols/coverage?week=2026-W49", nil, &cov); s != 200 {
				t.Fatalf("coverage: %d", s)
			}
			for _, g := range cov.Grids {
				if !strings.HasPrefix(g.GridCode, "350503001001") {
					t.Errorf("coverage shows %s, outside 东梅社区", g.GridCode)
				}
				if g.GridCode == p.GridCode && (g.Done != 1 || g.Planned != 3 || g.Status != "partial") {
					t.Errorf("coverage of %s: %+v", g.GridCode, g)
				}
			}
			if len(cov.Grids) != 6 || cov.Partial != 1 || cov.None != 5 {
				t.Errorf("coverage: %d grids, %d partial, %d none", len(cov.Grids), cov.Partial, cov.None)
			}
			if s := staff.Do("GET", "/api/v1/patrols/coverage?week=2026-W54", nil, nil); s != 400 {
				t.Errorf("week 54: %d, want 400", s)
			}
			staff.Do("GET", "/api/v1/patrols/coverage?week=2026-W50", nil, &cov)
			if cov.Partial != 0 || cov.Done != 0 {
				t.Errorf("the next week counts this week's patrol: %+v", cov)
			}

			volunteerID := me(t, volunteer)
			var hours struct {
				PatrolMinutes int `json:"patrol_minutes"`
				TotalMinutes  int `json:"total_minutes"`
			}
			if s := volunteer.Do("GET", "/api/v1/volunteers/"+volunteerID+"/hours?from=2026-12-01&to=2026-12-31", nil, &hours); s != 200 ||
				hours.PatrolMinutes != 45 || hours.TotalMinutes != 45 {
				t.Errorf("the volunteer's hours: %d %+v", s, hours)
			}

			// The grid worker's own patrol is not the volunteer's to read, in any way.
			var other struct{ ID string }
			if s := worker.Do("POST", "/api/v1/patrols", map[string]string{"grid_code": p.GridCode}, &other); s != 201 {
				t.Fatalf("the grid worker starts: %d", s)
			}
			if s, b := volunteer.Raw("GET", "/api/v1/patrols/"+other.ID, nil); s != 404 || strings.Contains(string(b), other.ID) {
				t.Errorf("the volunteer reads the grid worker's patrol: %d %s", s, b)
			}
			var log struct {
				Patrols []struct {
					ID       string
					Minutes  int
					Flagged  int
					Findings []finding
				}
			}
			if s := volunteer.Do("GET", "/api/v1/patrols/log?user="+me(t, worker), nil, &log); s != 200 || len(log.Patrols) != 0 {
				t.Errorf("the volunteer reads the grid worker's log: %d %+v", s, log)
			}
			if s := staff.Do("GET", "/api/v1/patrols/log?user="+volunteerID+"&from=2026-12-01&to=2026-12-02", nil, &log); s != 200 || len(log.Patrols) != 1 ||
				log.Patrols[0].Minutes != 45 || log.Patrols[0].Flagged != 1 || len(log.Patrols[0].Findings) != 1 || log.Patrols[0].Findings[0].CaseID != f.CaseID {
				t.Errorf("the volunteer's log, as the community staff: %d %+v", s, log)
			}
			if s := staff.Do("GET", "/api/v1/patrols/log?from=2026-12-05&to=2026-12-01", nil, nil); s != 400 {
				t.Errorf("from after to: %d, want 400", s)
			}
			// 城东's leader reaches none of it.
			chengdong := srv.Login(t, "chengdong.leader")
			if s := chengdong.Do("GET", "/api/v1/patrols/"+pt.ID, nil, nil); s != 404 {
				t.Errorf("城东's leader reads a 东海 patrol: %d", s)
			}
			chengdong.Do("GET", "/api/v1/patrols/coverage?week=2026-W49", nil, &cov)
			for _, g := range cov.Grids {
				if strings.HasPrefix(g.GridCode, "350503001") {
					t.Errorf("城东's leader sees 东海's grid %s", g.GridCode)
				}
			}
		})
	}
}

// Plans: the community staff plan a grid with the default checklist of its kind; bad input is a
// 400 and changes nothing; a grid outside reach is not found.
func TestPlans(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			staff, volunteer := srv.Login(t, "donghai.community_staff"), srv.Login(t, "donghai.volunteer")
			route := []map[string]any{{"name": "小区东门", "lat": 24.93, "lng": 118.58}}
			var p plan
			if s := staff.Do("POST", "/api/v1/patrol-plans", map[string]any{"grid_code": "350503001001001", "per_week": 2, "route": route}, nil); s != 409 {
				t.Errorf("a second plan for a grid: %d, want 409", s)
			}
			var plans struct{ Plans []plan }
			staff.Do("GET", "/api/v1/patrol-plans?grid=350503001001001", nil, &plans)
			if len(plans.Plans) != 1 {
				t.Fatalf("plans of 350503001001001: %+v", plans)
			}
			id := plans.Plans[0].ID
			for _, body := range []map[string]any{{"per_week": 0}, {"per_week": 99}, {"route": []any{}},
				{"route": []map[string]any{{"name": "", "lat": 24.9, "lng": 118.5}}}, {"checklist": []string{"x"}},
				{"assignees": []map[string]string{{"kind": "user", "id": "nobody"}}}, {"grid_code": "350503001001002"}} {
				if s, b := staff.Raw("PATCH", "/api/v1/patrol-plans/"+id, body); s != 400 {
					t.Errorf("PATCH %v: %d %s", body, s, b)
				}
			}
			if s := staff.Do("PATCH", "/api/v1/patrol-plans/"+id, map[string]any{"per_week": 5, "route": route, "assignees": []any{}}, &p); s != 200 || p.PerWeek != 5 || len(p.Route) != 1 {
				t.Fatalf("PATCH: %d %+v", s, p)
			}
			// Unassigned, the volunteer no longer reads the plan.
			if s := volunteer.Do("GET", "/api/v1/patrol-plans/"+id, nil, nil); s != 404 {
				t.Errorf("the volunteer reads a plan no longer theirs: %d", s)
			}
			// A grid of 东星社区: outside the community staff's reach.
			if s := staff.Do("POST", "/api/v1/patrol-plans", map[string]any{"grid_code": "350503001002001", "per_week": 2, "route": route}, nil); s != 404 {
				t.Errorf("a plan outside reach: %d, want 404", s)
			}
			leader := srv.Login(t, "donghai.leader")
			if s := leader.Do("POST", "/api/v1/patrol-plans", map[string]any{"grid_code": "350503001002001", "per_week": 2, "route": route}, &p); s != 201 {
				t.Fatalf("the leader plans 东星社区's grid: %d", s)
			}
			if len(p.Checklist) == 0 || p.Checklist[0] != patrol.DefaultChecklist("basic")[0] && p.Checklist[0] != patrol.DefaultChecklist("dedicated")[0] {
				t.Errorf("default checklist: %v", p.Checklist)
			}
			// Assigned through their volunteer team, the volunteer reads the plan.
			if s := volunteer.Do("GET", "/api/v1/patrol-plans/"+p.ID, nil, nil); s != 404 {
				t.Errorf("the volunteer reads a plan not assigned to them: %d", s)
			}
			var teams struct{ Teams []struct{ ID string } }
			volunteer.Do("GET", "/api/v1/volunteer-teams", nil, &teams)
			if len(teams.Teams) != 1 {
				t.Fatalf("the volunteer's teams: %+v", teams)
			}
			if s := leader.Do("PATCH", "/api/v1/patrol-plans/"+p.ID, map[string]any{"assignees": []map[string]string{{"kind": "team", "id": teams.Teams[0].ID}}}, nil); s != 200 {
				t.Fatalf("assign the team: %d", s)
			}
			if s := volunteer.Do("GET", "/api/v1/patrol-plans/"+p.ID, nil, nil); s != 200 {
				t.Errorf("the volunteer reads the plan of their team: %d", s)
			}
			var mine struct{ Plans []plan }
			volunteer.Do("GET", "/api/v1/patrol-plans?grid=350503001002001", nil, &mine)
			if len(mine.Plans) != 1 || mine.Plans[0].ID != p.ID {
				t.Errorf("the volunteer's list lacks their team's plan: %+v", mine)
			}
			if s := volunteer.Do("POST", "/api/v1/patrol-plans", map[string]any{"grid_code": "350503001001003", "per_week": 2, "route": route}, nil); s != 403 {
				t.Errorf("a volunteer plans: %d, want 403", s)
			}
		})
	}
}
