package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// addUnit adds a handling unit (a department node) under parent and an account of its staff.
func addUnit(t *testing.T, s *apptest.Server, code, parent, name, username string) {
	t.Helper()
	ctx := context.Background()
	var parentPath string
	if err := s.App.DB.QueryRow(ctx, `SELECT path FROM org_nodes WHERE code = $1`, parent).Scan(&parentPath); err != nil {
		t.Fatalf("parent %s: %v", parent, err)
	}
	now := time.Now().UTC()
	if _, err := s.App.DB.Exec(ctx, `INSERT INTO org_nodes (code, kind, name, parent_code, path, created_at, updated_at)
		VALUES ($1, 'department', $2, $3, $4, $5, $5)`, code, name, parent, parentPath+code+"/", now); err != nil {
		t.Fatalf("add unit %s: %v", code, err)
	}
	if st, raw := s.Login(t, "secadmin").Raw("POST", "/api/v1/users", map[string]any{"username": username, "display_name": name + "队员",
		"password": apptest.DemoPassword, "must_change_password": false,
		"roles": []map[string]string{{"role": "department_staff", "org_code": code}}}); st != 201 {
		t.Fatalf("add staff of %s: %d %s", code, st, raw)
	}
}

// TestBrowserReportBack: issue 13's dispatch to any level and 反馈 with evidence. A dispatcher
// finds a subdistrict's 综合执法队 in the grouped, searchable dispatch dialog and sends it a case
// with a community handler assisting; the team's member signs on a phone and reports back —
// refused first with only a before-photo (the category requires photo evidence), accepted with
// the after-photo added; the grid worker's verification then shows before and after side by side.
func TestBrowserReportBack(t *testing.T) {
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) { c.IdleTimeout = 8 * time.Hour })
	sys := access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
	if err := s.App.Categories.SetRequiresPhoto(sys, category.Event, "06010", true); err != nil {
		t.Fatal(err)
	}
	const lead, assisting = "350503001T01", "350503001001T01"
	addUnit(t, s, lead, "350503001", "东海街道测试执法队", "team.member")
	addUnit(t, s, assisting, "350503001001", "东海社区测试处置组", "community.handler")

	var c struct{ ID, Number, Status string }
	if st := s.Login(t, "resident1").Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": 24.925, "lng": 118.575,
		"description": "人行道上垃圾堆放多日无人清运"}, &c); st != 201 {
		t.Fatalf("report: %d", st)
	}
	if c.Status == "confirming" {
		if st := s.Login(t, "donghai.grid_worker").Do("POST", "/api/v1/cases/"+c.ID+"/actions/confirm", map[string]any{"result": "pass"}, nil); st != 200 {
			t.Fatalf("confirm: %d", st)
		}
	}
	if st := s.Login(t, "donghai.shift_lead").Do("POST", "/api/v1/cases/"+c.ID+"/actions/register", nil, nil); st != 200 {
		t.Fatalf("register: %d", st)
	}
	b := startBrowser(t, s.URL)
	before := writeJPEG(t, "before.jpg", 220)
	after := writeJPEG(t, "after.jpg", 30)

	// The dispatcher: the dialog groups units by level; the search finds the team.
	d := b.tab(t, 1366, 900)
	d.login("donghai.dispatcher", apptest.DemoPassword)
	d.open("/cases/"+c.ID, "#case-head")
	d.statusIs("registered")
	d.click("#act-dispatch")
	d.do(chromedp.WaitVisible(chromedp.CSS("#action-dialog[open] #f-unit-search")))
	groups := eval[string](d, `[...document.querySelectorAll('#f-department optgroup')].map(g => g.dataset.group).join(' ')`)
	if !strings.HasPrefix(groups, "district subdistrict:350503001") || !strings.Contains(groups, "community:350503001001") {
		t.Errorf("dispatch groups %q: district first, then the case's subdistrict, and its community", groups)
	}
	d.do(chromedp.SendKeys(chromedp.CSS("#f-unit-search"), "测试执法"))
	// What is typed narrows the list to the team (the suggested unit, chosen already, stays).
	d.waitFor(`[...document.querySelectorAll('#f-department option:not([hidden])')].filter(o => o.value && !o.selected).map(o => o.value).join() === '` + lead + `'`)
	d.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const s = document.getElementById('f-department');
		s.value = %q;
		s.dispatchEvent(new Event('change'));
	})()`, lead)))
	d.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const q = document.getElementById('f-unit-search');
		q.value = '';
		q.dispatchEvent(new Event('input'));
	})()`))
	d.do(chromedp.SendKeys(chromedp.CSS("#f-unit-search"), "社区测试"))
	d.click("#f-units details summary")
	d.waitFor(`[...document.querySelectorAll('#f-assisting label:not([hidden])')].map(l => l.dataset.code).join() === '` + assisting + `'`)
	d.click("#assist-" + assisting)
	if got := d.text("#f-units-chosen"); !strings.Contains(got, "东海街道测试执法队") || !strings.Contains(got, "东海社区测试处置组") {
		t.Errorf("chosen units %q", got)
	}
	if eval[bool](d, `document.getElementById('assist-`+lead+`').disabled`) != true {
		t.Error("the lead unit is offered as assisting too")
	}
	d.shot("dispatch-units")
	d.click("#action-submit")
	d.statusIs("dispatched")
	if got := d.text("#case-department"); got != "东海街道测试执法队" {
		t.Errorf("lead unit %q", got)
	}
	if got := d.text("#case-facts"); !strings.Contains(got, "东海社区测试处置组") {
		t.Errorf("facts %q do not name the assisting unit", got)
	}

	// The team's member on a phone: signs, then reports back.
	m := b.tab(t, 390, 844)
	m.login("team.member", apptest.DemoPassword)
	m.open("/inbox", "#sign-list")
	m.waitFor(`document.querySelector('` + caseLink("#sign-list", c.ID) + `')`)
	m.click(caseLink("#sign-list", c.ID))
	m.act("sign", "handling")
	m.click("#act-report_back")
	m.do(chromedp.WaitVisible(chromedp.CSS("#action-dialog[open] #action-submit")),
		chromedp.SetUploadFiles(chromedp.CSS("#f-photos-before"), []string{before}),
		chromedp.SendKeys(chromedp.CSS("#f-note"), "已清运完毕"))
	m.waitFor(`document.querySelectorAll('#f-photos-before-previews img').length === 1`)
	m.click("#action-submit")
	m.waitFor(`!document.getElementById('action-message').hidden && document.getElementById('action-message').textContent.includes('处置后照片')`)
	m.do(chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), []string{after}))
	m.waitFor(`document.querySelectorAll('#f-photos-previews img').length === 1`)
	m.click("#action-submit")
	m.statusIs("reported_back")
	m.waitFor(`document.querySelectorAll('#case-photos li[data-stage]:not([data-stage=""])').length === 2`)
	if got := eval[string](m, `[...document.querySelectorAll('#case-photos li')].map(li => li.dataset.stage).join()`); got != "before,after" {
		t.Errorf("photos by stage %q, want before,after (the before-photo sent once)", got)
	}

	// Verification (核查) on the grid worker's phone: before and after side by side.
	w := b.tab(t, 390, 844)
	w.login("donghai.grid_worker", apptest.DemoPassword)
	w.open("/cases/"+c.ID, "#case-head")
	w.statusIs("reported_back")
	w.do(chromedp.WaitVisible(chromedp.CSS("#evidence-panel")))
	w.waitFor(`document.querySelectorAll('#evidence-before img').length === 1 && document.querySelectorAll('#evidence-after img').length === 1`)
	type box struct{ Left, Top, Width float64 }
	rect := func(sel string) box {
		return eval[box](w, `(() => { const r = document.querySelector('`+sel+`').getBoundingClientRect(); return {Left: r.left, Top: r.top, Width: r.width}; })()`)
	}
	lb, ra := rect("#evidence-before"), rect("#evidence-after")
	if lb.Top != ra.Top || lb.Left >= ra.Left || lb.Left+lb.Width > ra.Left {
		t.Errorf("before %+v and after %+v are not side by side", lb, ra)
	}
	if got := w.text("#evidence-before"); !strings.Contains(got, "处置前") {
		t.Errorf("before column %q", got)
	}
	w.fitsPhone("/cases/" + c.ID)
	w.shot("verify-before-after")
	w.act("verify", "verified")
}
