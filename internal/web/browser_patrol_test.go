package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserPatrol: 巡查 and 1+N on the phone and at the desk. A volunteer starts a patrol of a
// demo plan, checks two points — the second from 300 m away, flagged — records a problem and
// turns it into a case in one tap, and ends the patrol, which appears in the log. The community's
// staff then see the grid patrolled in the week's coverage, and the zone's 1+N roster.
func TestBrowserPatrol(t *testing.T) {
	// 10:00 on Wednesday 2 December 2026 (ISO week 2026-W49), Beijing time.
	clock := apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Clock = clock.Now
		c.IdleTimeout = 8 * time.Hour
	})
	var plans struct {
		Plans []struct {
			ID       string
			GridCode string `json:"grid_code"`
			Route    []struct{ Lat, Lng float64 }
		}
	}
	if st := s.Login(t, "donghai.volunteer").Do("GET", "/api/v1/patrol-plans", nil, &plans); st != 200 || len(plans.Plans) == 0 || len(plans.Plans[0].Route) < 2 {
		t.Fatalf("the volunteer's plans: %d %+v", st, plans)
	}
	plan := plans.Plans[0]
	b := startBrowser(t, s.URL)

	v := b.tab(t, 390, 844)
	v.login("donghai.volunteer", apptest.DemoPassword)
	if nav := v.nav(); !strings.Contains(nav, "巡查") {
		t.Errorf("the volunteer's menu %q has no 巡查", nav)
	}
	v.open("/patrol", "#plans-panel")
	v.waitFor(`document.querySelectorAll('#plans .plan-card').length === ` + strconv.Itoa(len(plans.Plans)))
	v.click(`#start-` + plan.ID)
	v.waitFor(`document.body.dataset.patrol === 'running' && document.getElementById('check-0') !== null`)
	// At the first point; then 300 m north of the second.
	v.geolocate(plan.Route[0].Lat, plan.Route[0].Lng)
	v.click("#check-0")
	v.waitFor(`document.querySelector('#route li[data-point="0"]').dataset.checked === 'true'`)
	v.geolocate(plan.Route[1].Lat+0.0027, plan.Route[1].Lng)
	v.click("#check-1")
	v.waitFor(`document.querySelector('#route li[data-point="1"]').dataset.checked === 'true'`)
	if got := eval[string](v, `[...document.querySelectorAll('#route li[data-checked="true"]')].map(li => li.dataset.flagged).join(',')`); got != "false,true" {
		t.Errorf("flags of the checked points: %q, want false,true", got)
	}
	// A problem found back at the first point, then reported as a case in one tap.
	v.geolocate(plan.Route[0].Lat, plan.Route[0].Lng)
	v.do(chromedp.SendKeys(chromedp.CSS("#finding-text"), "小区东门路灯不亮，夜间行人看不清台阶"))
	v.click("#finding-submit")
	v.waitFor(`document.querySelector('#findings li[data-id]') !== null`)
	v.click(`#findings li[data-id] button`)
	v.waitFor(`document.querySelector('#findings li[data-case]:not([data-case=""]) a') !== null`)
	caseID := eval[string](v, `document.querySelector('#findings li[data-case]').dataset.case`)
	var c struct{ Channel string }
	if st := s.Login(t, "donghai.shift_lead").Do("GET", "/api/v1/cases/"+caseID, nil, &c); st != 200 || c.Channel != "patrol" {
		t.Errorf("the finding's case: %d, channel %q", st, c.Channel)
	}
	v.shot("patrol-running")
	clock.Advance(45 * time.Minute)
	v.do(chromedp.SendKeys(chromedp.CSS("#end-note"), "东门路灯待修，其余正常"))
	v.click("#end-submit")
	v.waitFor(`document.body.dataset.patrol === 'idle' && document.querySelector('#log-table tr[data-status="ended"]') !== null`)
	if row := v.text(`#log-table tr[data-status="ended"]`); !strings.Contains(row, "45") || !strings.Contains(row, "路灯") {
		t.Errorf("log row %q", row)
	}

	// The community's staff: the grid patrolled this week, and the zone's roster.
	cs := b.tab(t, 1366, 900)
	cs.login("donghai.community_staff", apptest.DemoPassword)
	cs.open("/patrols/coverage?week=2026-W49", "#coverage-table")
	cs.waitFor(`document.getElementById('coverage-table').dataset.ready === '2026-W49'`)
	if st := eval[string](cs, `(document.querySelector('#coverage-table tr[data-id="`+plan.GridCode+`"]') || {dataset: {}}).dataset.status || ''`); st != "partial" && st != "done" {
		t.Errorf("the patrolled grid's coverage: %q", st)
	}
	if n := eval[int](cs, `document.querySelectorAll('#coverage-table tr[data-status="none"]').length`); n == 0 {
		t.Error("no grid shows as not patrolled")
	}
	cs.shot("patrol-coverage")
	cs.open("/rosters", "#zone")
	cs.waitFor(`document.getElementById('roster-table').dataset.ready`)
	if lead := cs.text("#roster-lead"); lead == "" || strings.Contains(lead, "尚未登记") {
		t.Errorf("roster lead %q", lead)
	}
	if n := eval[int](cs, `document.querySelectorAll('#roster-table tbody tr[data-id]').length`); n < 3 {
		t.Errorf("%d participants in the roster, want the demo's 1+N", n)
	}
	cs.shot("rosters")
}

// TestBrowserPatrolPlans: patrol plans made and edited on the coverage page. The subdistrict's
// shift lead makes a plan for a grid without one: how many patrols a week, the route's points
// (typed, and one added from the phone's position), the grid kind's checklist by default and the
// zone's volunteer team. The community's staff, on the phone, edit a demo plan: a route line that
// is not a point is refused beside the field; then the route, the count and their own checklist
// are saved, and the people assigned by name stay.
func TestBrowserPatrolPlans(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Clock = clock.Now
		c.IdleTimeout = 8 * time.Hour
	})
	lead := s.Login(t, "donghai.shift_lead")
	type plan struct {
		ID        string
		PerWeek   int `json:"per_week"`
		Route     []struct{ Name string }
		Checklist []string
		Assignees []struct{ Kind, ID string }
	}
	planOf := func(grid string) plan {
		t.Helper()
		var r struct{ Plans []plan }
		if st := lead.Do("GET", "/api/v1/patrol-plans?grid="+grid, nil, &r); st != 200 || len(r.Plans) != 1 {
			t.Fatalf("the plan of %s: %d %+v", grid, st, r)
		}
		return r.Plans[0]
	}
	b := startBrowser(t, s.URL)
	ready := `document.getElementById('coverage-table').dataset.ready === '2026-W49' && document.querySelector('#coverage-table button[data-plan]') !== null`

	// The shift lead: a new plan for a grid of another community.
	sl := b.tab(t, 1366, 900)
	sl.login("donghai.shift_lead", apptest.DemoPassword)
	sl.open("/patrols/coverage?week=2026-W49", "#coverage-table")
	sl.waitFor(ready)
	grid := eval[string](sl, `([...document.querySelectorAll('#coverage-table button[data-plan]')].find(b => b.textContent === '制定计划') || {dataset: {}}).dataset.plan || ''`)
	if grid == "" {
		t.Fatal("no grid without a plan")
	}
	sl.click(`#coverage-table button[data-plan="` + grid + `"]`)
	sl.waitFor(`document.getElementById('plan-dialog').open && document.querySelector('#plan-team-list input[data-team]') !== null`)
	sl.do(chromedp.SetValue(chromedp.CSS("#plan-per-week"), "4"),
		chromedp.SetValue(chromedp.CSS("#plan-route"), "东门 24.925100,118.574300\n菜市场 24.926000,118.575000"))
	sl.geolocate(24.9265, 118.5755)
	sl.click("#plan-here")
	sl.waitFor(`document.getElementById('plan-route').value.split('\n').length === 3`)
	sl.click(`#plan-team-list input[data-team]`)
	sl.shot("patrol-plan-new")
	sl.click("#plan-submit")
	sl.waitFor(`!document.getElementById('plan-dialog').open && !document.getElementById('plan-message').hidden`)
	sl.waitFor(`document.querySelector('#coverage-table button[data-plan="` + grid + `"]').textContent === '编辑计划'`)
	if row := sl.text(`#coverage-table tr[data-id="` + grid + `"]`); !strings.Contains(row, "4") {
		t.Errorf("the grid's row after the plan: %q", row)
	}
	if p := planOf(grid); p.PerWeek != 4 || len(p.Route) != 3 || p.Route[2].Name != "点位3" || len(p.Checklist) == 0 ||
		len(p.Assignees) != 1 || p.Assignees[0].Kind != "team" {
		t.Errorf("the new plan: %+v", p)
	}

	// The community's staff, on the phone: a demo plan of 东梅社区 edited.
	cs := b.tab(t, 390, 844)
	cs.login("donghai.community_staff", apptest.DemoPassword)
	cs.open("/patrols/coverage?week=2026-W49", "#coverage-table")
	cs.waitFor(ready)
	mine := eval[string](cs, `document.querySelector('#coverage-table button[data-plan]').dataset.plan`)
	before := planOf(mine)
	cs.click(`#coverage-table button[data-plan="` + mine + `"]`)
	cs.waitFor(`document.getElementById('plan-dialog').open && document.getElementById('plan-route').value.split('\n').length === 3`)
	if kept := cs.text("#plan-kept"); !strings.Contains(kept, "2") {
		t.Errorf("the people assigned by name: %q", kept)
	}
	cs.do(chromedp.SetValue(chromedp.CSS("#plan-route"), "东门 24.925100,118.574300\n随便写写"))
	cs.click("#plan-submit")
	cs.waitFor(`document.getElementById('plan-route').getAttribute('aria-invalid') === 'true'`)
	if msg := cs.text("#plan-dialog .alert"); !strings.Contains(msg, "第 2 行") {
		t.Errorf("the refusal %q", msg)
	}
	cs.do(chromedp.SetValue(chromedp.CSS("#plan-route"), "东门 24.925100,118.574300\n菜市场 24.926000,118.575000"),
		chromedp.SetValue(chromedp.CSS("#plan-per-week"), "5"),
		chromedp.SetValue(chromedp.CSS("#plan-checklist"), "消防通道是否畅通\n井盖是否完好"))
	cs.shot("patrol-plan-edit")
	cs.click("#plan-submit")
	cs.waitFor(`!document.getElementById('plan-dialog').open`)
	cs.waitFor(`document.querySelector('#coverage-table tr[data-id="` + mine + `"]').textContent.includes('5')`)
	after := planOf(mine)
	if after.ID != before.ID || after.PerWeek != 5 || len(after.Route) != 2 || strings.Join(after.Checklist, "|") != "消防通道是否畅通|井盖是否完好" ||
		len(after.Assignees) != len(before.Assignees) {
		t.Errorf("the edited plan: %+v (before %+v)", after, before)
	}
}
