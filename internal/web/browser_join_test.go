package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserResidentJoinsACase: issue 10 item 1 on the page. A resident sees the same problem
// reported by someone else among the cases near theirs, presses 我也遇到, and lands on that case's
// public face: the other reporter's phone is blacked out, there is nothing to act on, and
// 不再关注 takes it off their list. SQLite only: the page does not depend on the engine.
func TestBrowserResidentJoinsACase(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)
	var first, mine struct{ ID string }
	s.Login(t, "resident1").Do("POST", "/api/v1/cases", map[string]any{"lat": 24.925, "lng": 118.575, "category_code": "06010",
		"description": "路口垃圾桶满溢，有事打我 13812345678"}, &first)
	s.Login(t, "resident2").Do("POST", "/api/v1/cases", map[string]any{"lat": 24.925, "lng": 118.575, "category_code": "06010",
		"description": "路口垃圾桶满了"}, &mine)
	if first.ID == "" || mine.ID == "" {
		t.Fatal("cases not created")
	}

	resident := b.tab(t, 390, 844)
	resident.login("resident2", apptest.DemoPassword)
	resident.open("/cases/"+mine.ID, "#case-page")
	join := `#nearby-list .join-case[data-target="` + first.ID + `"]`
	resident.waitFor(`document.querySelector('` + join + `')`)
	if got := resident.text("#nearby-list"); strings.Contains(got, "13812345678") {
		t.Errorf("the nearby list shows another reporter's phone: %q", got)
	}
	resident.click(join)
	resident.do(chromedp.WaitVisible(chromedp.CSS("#following-note")))
	if loc := resident.location(); !strings.HasSuffix(loc, "/cases/"+first.ID) {
		t.Fatalf("after 我也遇到 the page is %s, want the joined case", loc)
	}
	resident.waitFor(`document.getElementById('case-page').getAttribute('aria-busy') === 'false'`)
	if got := resident.text("#case-description"); strings.Contains(got, "13812345678") || !strings.Contains(got, "垃圾桶满溢") {
		t.Errorf("the followed case shows %q, want its public text", got)
	}
	if n := eval[int](resident, `document.querySelectorAll('#case-actions button').length`); n != 0 {
		t.Errorf("a follower sees %d action buttons", n)
	}
	resident.fitsPhone("/cases/" + first.ID)
	resident.shot("case-following")
	resident.click("#leave-case")
	resident.do(chromedp.WaitVisible(chromedp.CSS("#my-cases")))
	if st, _ := s.Login(t, "resident2").Raw("GET", "/api/v1/cases/"+first.ID, nil); st != 404 {
		t.Errorf("after 不再关注 the case still reads: %d", st)
	}
}
