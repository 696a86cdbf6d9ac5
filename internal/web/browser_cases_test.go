package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// The case loop in the browser, on every engine: a resident reports with a photo from a phone,
// the grid worker confirms it, the shift lead registers it from the desk (bulk), the dispatcher
// dispatches it, the department signs, handles and reports back with a photo, the grid worker
// verifies, the shift lead closes, and the resident — whose open page follows live — rates it
// unsatisfied, which reopens it (重办). Each role works in its own browser context.

// A point in 东梅社区第1网格, the grid of donghai.grid_worker's community.
const (
	reportLat  = 24.9265
	reportLng  = 118.5740
	reportGrid = "350503001001001"
)

// caseLink is the case card or row of the case id.
func caseLink(list, id string) string {
	return fmt.Sprintf(`%s [data-id="%s"] a[href="/cases/%s"]`, list, id, id)
}

// statusIs waits until the case page shows status.
func (tb *tab) statusIs(status string) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf(`document.getElementById('case-page')?.dataset.status === %q`, status))
}

// act opens the form of action on the case page, lets fill complete it and submits it.
func (tb *tab) act(action, next string, fill ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	tb.click("#act-" + action)
	tb.do(chromedp.WaitVisible(chromedp.CSS("#action-dialog[open] #action-submit")))
	if len(fill) > 0 {
		tb.do(fill...)
	}
	tb.click("#action-submit")
	tb.statusIs(next)
	tb.waitFor(fmt.Sprintf(`document.querySelector('#timeline li[data-action=%q]')`, action))
}

func TestBrowserCaseLoop(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			start := time.Now()
			s := apptest.Start(t, engine)
			b := startBrowser(t, s.URL)
			report := writeJPEG(t, "report.jpg", 200)
			evidence := writeJPEG(t, "evidence.jpg", 40)
			var where struct {
				Inside bool `json:"inside"`
				Grid   struct {
					Code string `json:"code"`
				} `json:"grid"`
			}
			if st := s.Login(t, "resident1").Do("GET", fmt.Sprintf("/api/v1/grids/locate?lat=%v&lng=%v", reportLat, reportLng), nil, &where); st != http.StatusOK || where.Grid.Code != reportGrid {
				t.Fatalf("test point: %d %+v, want grid %s", st, where, reportGrid)
			}
			t.Logf("%s: server and browser up in %v", engine, time.Since(start).Round(time.Millisecond))

			// The resident reports from a phone: GPS finds the place, one photo, a category
			// found by name, a sentence.
			resident := b.tab(t, 390, 844)
			resident.geolocate(reportLat, reportLng)
			resident.login("resident1", apptest.DemoPassword)
			resident.open("/report", "#report-form")
			resident.waitFor(`document.querySelector('#where.where-ok')?.dataset.grid === '` + reportGrid + `'`)
			resident.do(chromedp.SetUploadFiles(chromedp.CSS("#photos"), []string{report}))
			resident.waitFor(`document.querySelectorAll('#photo-previews img').length === 1`)
			resident.do(chromedp.SendKeys(chromedp.CSS("#category-search"), "暴露垃圾"))
			resident.click(`#category-options [data-code="06010"]`)
			resident.do(chromedp.SendKeys(chromedp.CSS("#description"), "小区门口暴露垃圾堆放多日无人清运"))
			if got := resident.text("#where"); !strings.Contains(got, "东梅社区") {
				t.Errorf("located place %q, want 东梅社区", got)
			}
			resident.fitsPhone("/report")
			resident.fullShot("report-phone")
			resident.click("#report-submit")
			resident.do(chromedp.WaitVisible(chromedp.CSS("#result-number")))
			number := resident.text("#result-number")
			caseID := strings.TrimPrefix(eval[string](resident, `document.getElementById('result-open').getAttribute('href')`), "/cases/")
			if got := resident.text("#result-photos"); !strings.Contains(got, "1") {
				t.Errorf("photo upload: %q", got)
			}
			t.Logf("reported %s (%s)", number, caseID)

			// The same problem again, anonymously: the form offers the first case as related
			// and gives the private follow link.
			resident.open("/report", "#report-form")
			resident.waitFor(`document.querySelector('#where.where-ok')`)
			// The public map shows the first report, anonymised, among the open cases nearby.
			resident.waitFor(`document.getElementById('public-count').textContent.includes('1 件')`)
			resident.do(chromedp.SendKeys(chromedp.CSS("#category-search"), "垃圾"))
			resident.click(`#category-options [data-code="06010"]`)
			resident.do(chromedp.SendKeys(chromedp.CSS("#description"), "门口垃圾没人清理"),
				chromedp.Click(chromedp.CSS("#anonymous")))
			resident.click("#report-submit")
			resident.do(chromedp.WaitVisible(chromedp.CSS("#duplicates")), chromedp.WaitVisible(chromedp.CSS("#follow-link")))
			if got := resident.text("#duplicates"); !strings.Contains(got, number) {
				t.Errorf("duplicates %q do not name %s", got, number)
			}
			second := resident.text("#result-number")
			followPath := eval[string](resident, `document.getElementById('follow-link').getAttribute('href')`)
			resident.click("#dup-follow")
			resident.waitFor(`document.querySelector('.dup-answer')?.textContent.includes('合并')`)
			visitor := b.tab(t, 390, 844)
			visitor.open(followPath, "#follow-number")
			if got := visitor.text("#follow-number"); got != second {
				t.Errorf("follow page shows %q, want %s", got, second)
			}

			// The resident keeps the case page open: it follows the case live.
			resident.open("/cases/"+caseID, "#case-head")
			resident.statusIs("confirming")
			if n := eval[int](resident, `document.querySelectorAll('#case-photos li[data-kind="report"] img').length`); n != 1 {
				t.Errorf("case page shows %d report photos, want 1", n)
			}

			// The grid worker confirms on site (phone).
			worker := b.tab(t, 390, 844)
			worker.login("donghai.grid_worker", apptest.DemoPassword)
			worker.open("/tasks", "#confirm-list")
			worker.waitFor(`document.querySelector('` + caseLink("#confirm-list", caseID) + `')`)
			worker.fitsPhone("/tasks")
			worker.fullShot("tasks-phone")
			worker.click(caseLink("#confirm-list", caseID))
			worker.act("confirm", "reported")

			// The shift lead registers it from the desk, as a bulk action of one row.
			lead := b.tab(t, 1366, 900)
			lead.login("donghai.shift_lead", apptest.DemoPassword)
			lead.open("/desk", "#desk-table")
			row := fmt.Sprintf(`#desk-table tr[data-id="%s"]`, caseID)
			lead.waitFor(`document.querySelector('` + row + `[data-status="reported"]')`)
			lead.click(row + " .row-check")
			lead.do(chromedp.WaitVisible(chromedp.CSS("#bulk-bar")), chromedp.SetValue(chromedp.CSS("#bulk-action"), "register"))
			lead.click("#bulk-run")
			lead.waitFor(`document.querySelector('#bulk-report.alert-ok') && document.querySelector('` + row + `[data-status="registered"]')`)
			if got := lead.text(row + " td:last-child"); !strings.Contains(got, "✓") {
				t.Errorf("bulk result of the row %q", got)
			}

			// The dispatcher dispatches it to 区城市管理局 from the case page.
			dispatcher := b.tab(t, 1366, 900)
			dispatcher.login("donghai.dispatcher", apptest.DemoPassword)
			dispatcher.open("/desk", "#desk-table")
			dispatcher.waitFor(`document.querySelector('` + row + `[data-status="registered"]')`)
			dispatcher.fullShot("desk")
			dispatcher.click(row + " .case-link")
			dispatcher.act("dispatch", "dispatched", chromedp.SetValue(chromedp.CSS("#f-department"), "350503D01"))
			if got := dispatcher.text("#case-department"); got != "区城市管理局" {
				t.Errorf("lead department %q, want 区城市管理局", got)
			}

			// The department signs, handles and reports back with a photo.
			staff := b.tab(t, 1366, 900)
			staff.login("dept01.staff", apptest.DemoPassword)
			staff.open("/inbox", "#sign-list")
			staff.waitFor(`document.querySelector('` + caseLink("#sign-list", caseID) + `')`)
			staff.click(caseLink("#sign-list", caseID))
			staff.act("sign", "handling")
			staff.act("handle", "handling", chromedp.SendKeys(chromedp.CSS("#f-note"), "已安排环卫车辆清运"))
			staff.act("report_back", "reported_back",
				chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), []string{evidence}),
				chromedp.SendKeys(chromedp.CSS("#f-note"), "垃圾已清运完毕"))
			staff.waitFor(`document.querySelectorAll('#case-photos li[data-kind="evidence"]').length === 1`)

			// The grid worker verifies on site.
			worker.open("/tasks", "#verify-list")
			worker.waitFor(`document.querySelector('` + caseLink("#verify-list", caseID) + `')`)
			worker.click(caseLink("#verify-list", caseID))
			worker.act("verify", "verified")

			// From patrol the grid worker reports through the same form (channel patrol: no
			// confirmation step). The place comes through the form's lat/lng fields here.
			worker.open("/tasks", "#patrol-report")
			worker.click("#patrol-report")
			worker.do(chromedp.WaitVisible(chromedp.CSS(`#report-form[data-mode="patrol"][data-ready]`)))
			worker.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
				document.getElementById('lat').value = '%v';
				document.getElementById('lng').value = '%v';
				document.getElementById('lng').dispatchEvent(new Event('change'));
			})()`, reportLat-0.0008, reportLng+0.0008)))
			worker.waitFor(`document.querySelector('#where.where-ok')`)
			if got := worker.text("#where"); !strings.Contains(got, "东梅社区") {
				t.Errorf("patrol report located at %q, want 东梅社区", got)
			}
			worker.do(chromedp.SendKeys(chromedp.CSS("#description"), "巡查发现井盖松动"))
			worker.click("#report-submit")
			worker.do(chromedp.WaitVisible(chromedp.CSS("#result-number")))
			if got := worker.text("#report-result .status"); got != "待立案" {
				t.Errorf("patrol report status %q, want 待立案", got)
			}

			// The shift lead closes it.
			lead.open("/cases/"+caseID, "#case-head")
			lead.act("close", "closed")

			// The resident's open page has followed: the rating buttons are there without a reload.
			resident.do(chromedp.WaitVisible(chromedp.CSS("#rate-unsatisfied")))
			resident.statusIs("closed")
			resident.waitFor(`!document.getElementById('bell-count').hidden`)

			// On 我的反映 the resident opens the case and rates it 不满意: it reopens (重办).
			resident.open("/my", "#my-cases")
			card := fmt.Sprintf(`#my-cases li[data-id="%s"]`, caseID)
			resident.waitFor(`document.querySelector('` + card + `[data-status="closed"]')`)
			resident.fitsPhone("/my")
			resident.fullShot("my-phone")
			resident.click(card + " a")
			resident.click("#rate-unsatisfied")
			resident.statusIs("handling")
			resident.waitFor(`document.querySelector('#timeline li[data-action="reopen"]')`)
			if got := resident.text("#case-status"); got != "处置中" {
				t.Errorf("status after the unsatisfied rating %q, want 处置中", got)
			}
			if got := resident.text(`#timeline li[data-action="reopen"] .timeline-action`); got != "重办" {
				t.Errorf("timeline shows %q, want 重办", got)
			}
			if got := resident.text("#case-rating"); got != "不满意" {
				t.Errorf("rating shown %q, want 不满意", got)
			}
			resident.fitsPhone("/cases/{id}")
			resident.fullShot("case-phone")

			// The notification bell: the resident was told of each step; one click reads all.
			resident.click("#bell-button")
			resident.waitFor(`document.querySelectorAll('#bell-list .bell-item.unread').length > 0`)
			resident.shot("bell-phone")
			resident.click("#bell-read-all")
			resident.waitFor(`document.getElementById('bell-count').hidden`)

			// The shift lead's page shows the reopened case with its whole history.
			lead.statusIs("handling")
			lead.waitFor(`document.querySelector('#timeline li[data-action="reopen"]') && document.querySelector('#flag-reopened')`)
			lead.fullShot("case-desktop")

			// The hotline desk records a call, placing it with a tap on the map.
			operator := b.tab(t, 1366, 900)
			operator.login("donghai.intake_operator", apptest.DemoPassword)
			operator.open("/desk/new", "#report-form")
			operator.waitFor(`document.querySelectorAll('.leaflet-overlay-pane svg path').length >= 30`)
			// Tap the middle of a grid that lies wholly on the visible map.
			xy := eval[[]float64](operator, `(() => {
				const map = document.getElementById('map');
				map.scrollIntoView({ block: 'center' });
				const m = map.getBoundingClientRect();
				const inside = (r) => r.left > m.left + 50 && r.right < m.right && r.top > m.top && r.bottom < m.bottom;
				const rects = [...document.querySelectorAll('.leaflet-overlay-pane svg path')].map((p) => p.getBoundingClientRect()).filter(inside);
				const r = rects[Math.floor(rects.length / 2)];
				return [r.x + r.width / 2, r.y + r.height / 2];
			})()`)
			operator.do(chromedp.MouseClickXY(xy[0], xy[1]))
			operator.waitFor(`document.querySelector('#where.where-ok')`)
			operator.do(
				chromedp.SendKeys(chromedp.CSS("#reporter-name"), "王先生"),
				chromedp.SendKeys(chromedp.CSS("#reporter-phone"), "13912345678"),
				chromedp.SendKeys(chromedp.CSS("#description"), "来电反映路灯不亮"),
			)
			operator.fullShot("hotline")
			operator.click("#report-submit")
			operator.do(chromedp.WaitVisible(chromedp.CSS("#result-number")))
			t.Logf("%s: the case loop took %v", engine, time.Since(start).Round(time.Millisecond))
		})
	}
}
