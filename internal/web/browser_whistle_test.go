package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserWhistle: 网格吹哨、部门报到 on phones. A grid worker blows an emergency whistle on a
// case from its page, summoning two departments. As the "Done when" has it, one unit is
// far and another late: the first acknowledges and checks in on time but from 800 m away
// (accepted, flagged, not late); the second checks in 40 minutes later, 60 m from the place
// (late, not flagged). Both are shown. The case is solved; the grid worker closes the whistle and
// rates each unit.
func TestBrowserWhistle(t *testing.T) {
	// 10:00 on Wednesday 2 December 2026, Beijing time: a working day.
	clock := apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Clock = clock.Now
		c.IdleTimeout = 8 * time.Hour // the test's clock jumps; the sessions must not end with it
	})
	const lat, lng = 24.9250, 118.5750
	worker := s.Login(t, "donghai.grid_worker")
	var c struct{ ID, Number string }
	if st := worker.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng,
		"description": "路面塌陷，积水漫入商铺，需多部门到场处置"}, &c); st != 201 {
		t.Fatalf("report: %d", st)
	}
	b := startBrowser(t, s.URL)

	// The grid worker blows the whistle from the case page.
	gw := b.tab(t, 390, 844)
	gw.login("donghai.grid_worker", apptest.DemoPassword)
	if nav := gw.nav(); !strings.Contains(nav, "吹哨报到") {
		t.Errorf("the grid worker's menu %q has no 吹哨报到", nav)
	}
	gw.open("/cases/"+c.ID, "#case-head h1")
	gw.click("#act-whistle")
	gw.waitFor(`document.getElementById('whistle-dialog').open && document.querySelectorAll('#w-departments input').length > 1`)
	gw.do(chromedp.Click(chromedp.CSS(`#f-kind-emergency`)),
		chromedp.Click(chromedp.CSS(`#w-departments input[value="350503D01"]`)),
		chromedp.Click(chromedp.CSS(`#w-departments input[value="350503D02"]`)),
		chromedp.SendKeys(chromedp.CSS("#w-ask"), "带抽水设备到场，排查地下管线"))
	gw.shot("whistle-blow")
	gw.click("#whistle-submit")
	gw.do(chromedp.WaitVisible(chromedp.CSS(`#whistle-page[data-status="open"]`)))
	id := strings.TrimPrefix(eval[string](gw, `location.pathname`), "/whistles/")
	if head := gw.text("#whistle-head"); !strings.Contains(head, "应急") || !strings.Contains(head, c.Number) {
		t.Errorf("whistle head %q", head)
	}

	// Each unit acknowledges, then checks in with the phone's position.
	checkIn := func(account, code string, atLat float64) string {
		t.Helper()
		tb := b.tab(t, 390, 844)
		tb.login(account, apptest.DemoPassword)
		tb.geolocate(atLat, lng)
		// The unit was told: its bell links to the whistle.
		tb.click("#bell-button")
		tb.waitFor(`document.querySelector('#bell-list a.bell-item[href="/whistles/` + id + `"]') !== null`)
		tb.open("/whistles/"+id, "#whistle-head h1")
		tb.waitFor(`document.getElementById('ack-` + code + `') !== null`)
		tb.click("#ack-" + code)
		tb.waitFor(`document.querySelector('#summons-table tr[data-code="` + code + `"]').dataset.status === 'acknowledged'`)
		tb.click("#check-in-" + code)
		tb.waitFor(`document.querySelector('#summons-table tr[data-code="` + code + `"]').dataset.status === 'checked_in'`)
		tb.shot("whistle-check-in-" + code)
		return tb.text("#whistle-message") + " | " + tb.text(`#summons-table tr[data-code="`+code+`"]`)
	}
	// The first unit: on time, but about 800 m north of the place: accepted and flagged.
	first := checkIn("dept01.staff", "350503D01", lat+0.0072)
	for _, want := range []string{"按时", "已标记", "距现场 80"} {
		if !strings.Contains(first, want) {
			t.Errorf("the far check-in %q lacks %q", first, want)
		}
	}
	if strings.Contains(first, "迟到") {
		t.Errorf("the far check-in %q is on time, not late", first)
	}
	// The second unit: 40 minutes later (the emergency's limit is 30), about 60 m from the place.
	clock.Advance(40 * time.Minute)
	second := checkIn("dept02.staff", "350503D02", lat+0.00054)
	if !strings.Contains(second, "迟到") || strings.Contains(second, "已标记") {
		t.Errorf("the late check-in %q: want late and not flagged", second)
	}
	var w struct {
		Status  string
		Summons []struct {
			DepartmentCode string `json:"department_code"`
			Late, Flagged  bool
			DistanceM      int `json:"distance_m"`
		}
	}
	if st := worker.Do("GET", "/api/v1/whistles/"+id, nil, &w); st != 200 || len(w.Summons) != 2 {
		t.Fatalf("whistle: %d %+v", st, w)
	}
	for _, sm := range w.Summons {
		far, late := sm.DepartmentCode == "350503D01", sm.DepartmentCode == "350503D02"
		if sm.Late != late || sm.Flagged != far || (far && sm.DistanceM < 700) || (!far && sm.DistanceM > 100) {
			t.Errorf("summons %+v", sm)
		}
	}

	// The case is solved: registered, dispatched, handled and verified on site.
	act := func(as, action string, body map[string]any) {
		t.Helper()
		if st, raw := s.Login(t, as).Raw("POST", "/api/v1/cases/"+c.ID+"/actions/"+action, body); st != 200 {
			t.Fatalf("%s %s: %d %s", as, action, st, raw)
		}
	}
	act("donghai.shift_lead", "register", nil)
	act("donghai.dispatcher", "dispatch", map[string]any{"department_code": "350503D01"})
	act("dept01.staff", "sign", nil)
	act("dept01.staff", "report_back", map[string]any{"note": "塌陷已回填，积水已排除"})
	act("donghai.grid_worker", "verify", map[string]any{"result": "pass"})
	act("donghai.shift_lead", "close", nil)

	// The grid worker closes the whistle and rates both units.
	gw.open("/whistles/"+id, "#whistle-head h1")
	gw.waitFor(`document.getElementById('whistle-close') !== null`)
	gw.click("#whistle-close")
	gw.waitFor(`document.getElementById('note-dialog').open`)
	gw.click("#note-submit")
	gw.waitFor(`document.getElementById('whistle-page').dataset.status === 'closed' && document.getElementById('rate-350503D02') !== null`)
	gw.do(chromedp.SetValue(chromedp.CSS("#stars-350503D01"), "5"))
	gw.click("#rate-350503D01")
	gw.waitFor(`document.querySelector('#summons-table tr[data-code="350503D01"] [data-stars]') !== null && document.getElementById('rate-350503D02') !== null`)
	gw.do(chromedp.SetValue(chromedp.CSS("#stars-350503D02"), "2"), chromedp.SendKeys(chromedp.CSS("#rate-note-350503D02"), "超过 30 分钟才到场"))
	gw.click("#rate-350503D02")
	gw.waitFor(`document.querySelector('#summons-table tr[data-code="350503D02"] [data-stars]') !== null`)
	got := eval[string](gw, `[...document.querySelectorAll('#summons-table tr[data-code]')].map(tr => tr.dataset.code + ':' + tr.querySelector('[data-stars]').dataset.stars).join(',')`)
	if got != "350503D01:5,350503D02:2" {
		t.Errorf("ratings %q", got)
	}
	gw.shot("whistle-closed")
	// The subdistrict's leader sees the two units in the league of 报到: the one on time first.
	lead := b.tab(t, 1366, 900)
	lead.login("donghai.leader", apptest.DemoPassword)
	lead.open("/league?preset=custom&from=2026-12-01&to=2026-12-02", "#checkin-table")
	lead.waitFor(`document.querySelectorAll('#checkin-table tbody tr[data-id]').length === 2`)
	board := eval[[]string](lead, `[...document.querySelectorAll('#checkin-table tbody tr[data-id]')].map(tr => tr.dataset.id + '|' + tr.dataset.rank)`)
	if strings.Join(board, ",") != "350503D01|1,350503D02|2" {
		t.Errorf("check-in league %q", board)
	}
	if row := lead.text(`#checkin-table tr[data-id="350503D02"]`); !strings.Contains(row, "0 / 1") || !strings.Contains(row, "2 星（1 次）") || !strings.Contains(row, "0%") {
		t.Errorf("the late unit's row %q", row)
	}
	lead.shot("league-checkin")
	// The whistle is listed, closed, with both units on site, one late and one flagged.
	gw.open("/whistles", "#whistles-table")
	gw.waitFor(`document.querySelector('#whistles-table tr[data-id="` + id + `"]') !== null`)
	if row := gw.text(`#whistles-table tr[data-id="` + id + `"]`); !strings.Contains(row, "已办结") || !strings.Contains(row, "2 / 2 已到场") || !strings.Contains(row, "1 个迟到") || !strings.Contains(row, "1 个位置已标记") {
		t.Errorf("list row %q", row)
	}
}
