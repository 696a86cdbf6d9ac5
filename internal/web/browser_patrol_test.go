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
