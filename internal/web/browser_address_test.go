package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserAddressSearch: a hotline operator finds the caller's address by typing its pinyin
// initials (fhl28 for 丰海路28号) in the demo gazetteer, picks the suggestion — the point goes on
// the map, the grid is located and the address field is filled — and files the case there. The
// case carries the address and the gazetteer's grid. Residents' form has no such box.
func TestBrowserAddressSearch(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	desk := s.Login(t, "donghai.intake_operator")
	var found struct {
		Results []struct {
			Address  string
			Lat, Lng float64
			GridCode string `json:"grid_code"`
		}
	}
	if st := desk.Do("GET", "/api/v1/addresses/search?q="+url.QueryEscape("fhl28"), nil, &found); st != 200 ||
		len(found.Results) == 0 || found.Results[0].Address != "丰海路28号" {
		t.Fatalf("the demo gazetteer: %d %+v", st, found)
	}
	want := found.Results[0]
	b := startBrowser(t, s.URL)

	op := b.tab(t, 1366, 900)
	op.login("donghai.intake_operator", apptest.DemoPassword)
	op.open("/desk/new", "#address-search")
	op.waitFor(`document.getElementById('report-form').dataset.ready === 'true'`)
	op.do(chromedp.SendKeys(chromedp.CSS("#address-search"), "fhl28"))
	op.waitFor(`!document.getElementById('address-options').hidden && document.querySelector('#address-options .address-option')`)
	if got := op.text("#address-options .address-option .address-text"); got != "丰海路28号" {
		t.Errorf("first suggestion %q, want 丰海路28号", got)
	}
	if got := eval[string](op, `document.getElementById('address-search').getAttribute('aria-expanded')`); got != "true" {
		t.Errorf("aria-expanded %q while the list shows", got)
	}
	op.shot("address-suggestions")
	op.click("#address-options .address-option")
	op.waitFor(`document.querySelector('#where.where-ok') && document.getElementById('where').dataset.grid`)
	if grid := eval[string](op, `document.getElementById('where').dataset.grid`); grid != want.GridCode {
		t.Errorf("located grid %s, want the gazetteer's %s", grid, want.GridCode)
	}
	if got := eval[string](op, `document.getElementById('address').value`); !strings.HasPrefix(got, "丰海路28号") {
		t.Errorf("address field %q", got)
	}
	if got := eval[[]float64](op, `[Number(document.getElementById('lat').value), Number(document.getElementById('lng').value)]`); len(got) != 2 ||
		got[0] != want.Lat || got[1] != want.Lng {
		t.Errorf("point %v, want %v, %v", got, want.Lat, want.Lng)
	}
	if !eval[bool](op, `document.getElementById('address-options').hidden`) {
		t.Error("the suggestions stay open after the choice")
	}
	op.do(
		chromedp.SendKeys(chromedp.CSS("#reporter-name"), "李女士"),
		chromedp.SendKeys(chromedp.CSS("#reporter-phone"), "13900002222"),
		chromedp.SendKeys(chromedp.CSS("#description"), "来电反映丰海路28号门口井盖破损"),
	)
	op.fullShot("address-hotline")
	op.click("#report-submit")
	op.do(chromedp.WaitVisible(chromedp.CSS("#result-number")))
	caseURL := eval[string](op, `document.getElementById('result-open').getAttribute('href')`)
	var c struct {
		Address  string
		GridCode string `json:"grid_code"`
		Lat, Lng float64
	}
	if st := desk.Do("GET", "/api/v1"+caseURL, nil, &c); st != 200 {
		t.Fatalf("GET %s: %d", caseURL, st)
	}
	if !strings.HasPrefix(c.Address, "丰海路28号") || c.GridCode != want.GridCode || c.Lat != want.Lat || c.Lng != want.Lng {
		t.Errorf("the filed case: %+v, want at %+v", c, want)
	}

	// The case page names the gazetteer's address nearest to the case.
	op.open(caseURL, "#case-facts")
	op.waitFor(`document.getElementById('case-gazetteer') && document.getElementById('case-gazetteer').textContent.startsWith('丰海路28号')`)

	// Keyboard: the arrow keys and Enter choose too; Escape closes the list.
	op.open("/desk/new", "#address-search")
	op.waitFor(`document.getElementById('report-form').dataset.ready === 'true'`)
	// The same number calls again: its earlier case is listed, the number masked.
	op.do(chromedp.SendKeys(chromedp.CSS("#reporter-phone"), "13900002222"))
	op.waitFor(`document.querySelectorAll('#caller-history .caller-cases li').length === 1`)
	if got := op.text("#caller-history"); strings.Contains(got, "13900002222") || !strings.Contains(got, "2222") {
		t.Errorf("caller history %q: the number must show masked", got)
	}
	op.do(chromedp.SendKeys(chromedp.CSS("#address-search"), "丰海路"))
	op.waitFor(`document.querySelectorAll('#address-options .address-option').length >= 2`)
	second := op.text("#address-options li:nth-child(2) .address-text")
	op.do(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	op.waitFor(`document.getElementById('address').value !== ''`)
	if got := eval[string](op, `document.getElementById('address').value`); !strings.HasPrefix(got, second) {
		t.Errorf("keyboard choice %q, want the second suggestion %q", got, second)
	}

	// A resident's form has no gazetteer box (residents may not search it).
	res := b.tab(t, 390, 844)
	res.login("resident1", apptest.DemoPassword)
	res.open("/report", "#report-form")
	if eval[bool](res, `document.getElementById('address-search') !== null`) {
		t.Error("the resident's form shows the gazetteer search")
	}
}
