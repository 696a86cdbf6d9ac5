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

// TestBrowserWhistleRulesAndReport: the district's sys_admin shortens the emergency check-in limit
// to 20 minutes and the flag distance to 300 m on 系统配置 → 吹哨规则. A grid worker on patrol then
// finds what the grid cannot solve alone and, on the report form, ticks "上报后立即吹哨": the case
// is reported and the whistle dialog opens on it at once, its kinds worded by the new rules. The
// whistle blown gets the new limit and distance, and the whistles page states the rules in force.
func TestBrowserWhistleRulesAndReport(t *testing.T) {
	// 10:00 on Wednesday 2 December 2026, Beijing time: a working day.
	clock := apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) { c.Clock = clock.Now })
	b := startBrowser(t, s.URL)

	admin := b.tab(t, 1366, 900)
	admin.login("sysadmin", apptest.DemoPassword)
	admin.open("/settings/whistle", "#settings-body")
	admin.waitFor(`document.getElementById('settings-body').dataset.ready === 'true'`)
	if now := admin.text("#wh-now"); !strings.Contains(now, "应急：30 分钟内到场") || !strings.Contains(now, "疑难：2 个工作小时内到场") || !strings.Contains(now, "500 米") {
		t.Errorf("the shipped rules read %q", now)
	}
	// A distance outside the bounds is refused in plain words, and nothing is stored.
	admin.do(chromedp.SetValue(chromedp.CSS("#wh-distance"), "20"))
	admin.click("#wh-save")
	admin.waitFor(`!document.getElementById('settings-message').hidden && document.getElementById('settings-message').textContent.includes('50 至 5000 米')`)
	if n := eval[int](admin, `document.querySelectorAll('#wh-versions li[data-state]').length`); n != 0 {
		t.Errorf("a refused save left %d versions", n)
	}
	admin.do(chromedp.SetValue(chromedp.CSS("#wh-value-emergency"), "20"), chromedp.SetValue(chromedp.CSS("#wh-distance"), "300"))
	admin.click("#wh-save")
	admin.waitFor(`document.querySelector('#wh-versions li[data-state="current"]') !== null`)
	if now := admin.text("#wh-now"); !strings.Contains(now, "应急：20 分钟内到场") || !strings.Contains(now, "300 米") {
		t.Errorf("the rules after saving read %q", now)
	}
	admin.shot("settings-whistle-rules")

	// The grid worker reports and whistles in one go.
	const lat, lng = 24.9250, 118.5750
	gw := b.tab(t, 390, 844)
	gw.login("donghai.grid_worker", apptest.DemoPassword)
	gw.geolocate(lat, lng)
	gw.open("/report", "#report-form")
	gw.waitFor(`document.querySelector('#where.where-ok') !== null`)
	gw.do(chromedp.SendKeys(chromedp.CSS("#description"), "河道护栏倒塌，行人有落水危险，需城管和水利到场"),
		chromedp.Click(chromedp.CSS("#then-whistle")))
	gw.click("#report-submit")
	gw.waitFor(`document.getElementById('whistle-dialog').open && document.querySelectorAll('#w-departments input').length > 1`)
	if kind := gw.text("#w-kind"); !strings.Contains(kind, "应急 · 20 分钟内到场") || !strings.Contains(kind, "日常 · 1 个工作日内到场") {
		t.Errorf("the kinds in the dialog read %q", kind)
	}
	caseNumber := gw.text("#result-number")
	gw.do(chromedp.Click(chromedp.CSS(`#f-kind-emergency`)),
		chromedp.Click(chromedp.CSS(`#w-departments input[value="350503D01"]`)),
		chromedp.SendKeys(chromedp.CSS("#w-ask"), "设置警戒，修复护栏"))
	gw.shot("report-then-whistle")
	gw.click("#whistle-submit")
	gw.do(chromedp.WaitVisible(chromedp.CSS(`#whistle-page[data-status="open"]`)))
	if head := gw.text("#whistle-head"); caseNumber == "" || !strings.Contains(head, caseNumber) || !strings.Contains(head, "应急") {
		t.Errorf("whistle head %q, case %q", head, caseNumber)
	}
	id := strings.TrimPrefix(eval[string](gw, `location.pathname`), "/whistles/")
	var w struct {
		FlagDistanceM int `json:"flag_distance_m"`
		Summons       []struct {
			DueAt time.Time `json:"due_at"`
		}
	}
	if st := s.Login(t, "donghai.grid_worker").Do("GET", "/api/v1/whistles/"+id, nil, &w); st != 200 || len(w.Summons) != 1 {
		t.Fatalf("whistle: %d %+v", st, w)
	}
	if w.FlagDistanceM != 300 || !w.Summons[0].DueAt.Equal(clock.Now().Add(20*time.Minute)) {
		t.Errorf("the whistle's rules: distance %d, due %s (blown at %s)", w.FlagDistanceM, w.Summons[0].DueAt, clock.Now())
	}

	gw.open("/whistles", "#whistles-table")
	gw.waitFor(`document.getElementById('whistle-rules').textContent !== ''`)
	if r := gw.text("#whistle-rules"); !strings.Contains(r, "应急：20 分钟内到场") || !strings.Contains(r, "300 米") {
		t.Errorf("the whistles page states the rules as %q", r)
	}
}
