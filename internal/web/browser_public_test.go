package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserPublicPageAndJoinedCaseCloses: issue 14 on the page. A visitor opens /public
// without signing in and sees a registered case — its public text, the unit's reply, its public
// timeline — but neither a report still awaiting confirmation nor any internal text (督办, a
// unit's note, the exact address, the reporter). Then a resident who pressed 我也遇到 on that
// case sees it in plain words on a step bar, and, when the desk closes it, gets the update in
// the bell and sees the step bar at 已办结. SQLite only: the pages do not depend on the engine.
func TestBrowserPublicPageAndJoinedCaseCloses(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	resident := s.Login(t, "resident1")
	var public, waiting struct{ ID, Number string }
	resident.Do("POST", "/api/v1/cases", map[string]any{"lat": 24.925, "lng": 118.575, "category_code": "06010",
		"description": "菜市场门口垃圾堆积，电话13812345678", "address": "丰海路28号"}, &public)
	resident.Do("POST", "/api/v1/cases", map[string]any{"lat": 24.926, "lng": 118.576, "category_code": "06010",
		"description": "还没核实的反映"}, &waiting)
	if public.ID == "" || waiting.ID == "" {
		t.Fatal("cases not created")
	}
	act := func(user, id, action string, body map[string]any) {
		t.Helper()
		if st, raw := s.Login(t, user).Raw("POST", "/api/v1/cases/"+id+"/actions/"+action, body); st != 200 {
			t.Fatalf("%s %s: %d %s", user, action, st, raw)
		}
	}
	act("donghai.grid_worker", public.ID, "confirm", map[string]any{"result": "pass"})
	act("donghai.shift_lead", public.ID, "register", nil)
	act("donghai.dispatcher", public.ID, "dispatch", map[string]any{"department_code": "350503D01"})
	act("dept01.staff", public.ID, "sign", nil)
	act("donghai.leader", public.ID, "supervise", map[string]any{"note": "内参督办：本周内必须解决"})
	act("dept01.staff", public.ID, "handle", map[string]any{"note": "内参：已联系环卫二队"})
	if st, raw := s.Login(t, "dept01.staff").Raw("PUT", "/api/v1/cases/"+public.ID+"/publication",
		map[string]any{"public_reply": "已安排环卫车辆今日清运"}); st != 200 {
		t.Fatalf("reply: %d %s", st, raw)
	}

	b := startBrowser(t, s.URL)
	// The desk words the public text on the case page before the public reads it.
	desk := b.tab(t, 1280, 900)
	desk.login("donghai.shift_lead", apptest.DemoPassword)
	desk.open("/cases/"+public.ID, "#case-page")
	desk.waitFor(`document.getElementById('public-text')`)
	if got := desk.text("#publication-state"); !strings.Contains(got, "已在") {
		t.Errorf("the desk is not told the case is public: %q", got)
	}
	desk.do(chromedp.SendKeys(chromedp.CSS("#public-text"), "菜市场门口垃圾堆积，请尽快清运"))
	desk.click("#publication-save")
	desk.waitFor(`document.getElementById('publication-status').textContent === '已保存。'`)

	visitor := b.tab(t, 390, 844)
	visitor.open("/public", "#public-map")
	card := `#public-list li[data-number="` + public.Number + `"]`
	visitor.waitFor(`document.querySelector('` + card + `')`)
	if n := eval[int](visitor, `document.querySelectorAll('#public-list li[data-number="`+waiting.Number+`"]').length`); n != 0 {
		t.Errorf("the public page lists a report awaiting confirmation")
	}
	visitor.click(card + " button")
	visitor.waitFor(`document.getElementById('public-detail').getAttribute('aria-busy') === 'false' && document.getElementById('detail-timeline')`)
	if got := visitor.text("#detail-reply"); !strings.Contains(got, "已安排环卫车辆今日清运") {
		t.Errorf("the unit's public reply: %q", got)
	}
	if got := visitor.text("#detail-timeline"); !strings.Contains(got, "已受理") || !strings.Contains(got, "处理单位已接单") {
		t.Errorf("the public timeline: %q", got)
	}
	visitor.waitFor(`document.querySelector('#figures-subdistricts tbody tr')`)
	page := visitor.text("main")
	for _, secret := range []string{"内参", "丰海路28号", "13812345678", "环卫二队"} {
		if strings.Contains(page, secret) {
			t.Errorf("the public page shows %q", secret)
		}
	}
	if !strings.Contains(page, "菜市场门口垃圾堆积，请尽快清运") {
		t.Errorf("the public page lacks the public text: %.300s", page)
	}
	visitor.fitsPhone("/public")
	visitor.shot("public-phone")

	// 我也遇到 on /public: resident2 follows the case, sees it in plain words, and hears when it closes.
	tab := b.tab(t, 390, 844)
	tab.login("resident2", apptest.DemoPassword)
	tab.open("/public", "#public-map")
	tab.waitFor(`document.querySelector('` + card + `')`)
	tab.click(card + " button")
	tab.waitFor(`document.getElementById('detail-join')`)
	tab.click("#detail-join")
	tab.do(chromedp.WaitVisible(chromedp.CSS("#following-note")))
	if loc := tab.location(); !strings.HasSuffix(loc, "/cases/"+public.ID) {
		t.Fatalf("after 我也遇到 the page is %s, want the case", loc)
	}
	tab.waitFor(`document.querySelector('#step-bar li.current')`)
	if got := tab.text("#step-bar li.current"); got != "处理中" {
		t.Errorf("the step bar stands at %q, want 处理中", got)
	}
	if got := tab.text("#case-head"); strings.Contains(got, "handling") || strings.Contains(got, "不计时") {
		t.Errorf("the resident's head shows codes or jargon: %q", got)
	}
	act("dept01.staff", public.ID, "report_back", map[string]any{"note": "已清理"})
	act("donghai.grid_worker", public.ID, "verify", map[string]any{"result": "pass"})
	act("donghai.shift_lead", public.ID, "close", nil)
	// The live stream brings the change: the bell counts it and the step bar moves to 已办结.
	tab.waitFor(`!document.getElementById('bell-count').hidden`)
	tab.waitFor(`document.querySelector('#step-bar li.current') && document.querySelector('#step-bar li.current').textContent === '已办结'`)
	tab.click("#bell-button")
	tab.waitFor(`document.querySelector('#bell-list a')`)
	// A follower reads someone else's case as the public does: the public text, no phone, and
	// no call to rate what they did not report.
	if got := tab.text("#bell-list"); !strings.Contains(got, "您关注的问题 "+public.Number+" 已办结") ||
		strings.Contains(got, "13812345678") || strings.Contains(got, "评价") {
		t.Errorf("the follower's notifications: %q", got)
	}
	tab.shot("follower-closed")
}
