package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// fullBriefing is a week of Donghai with every list of the briefing full: 12 open cases in ten
// categories at ten places, with long addresses, all overdue by the clock of the test.
func fullBriefing() string {
	var lines []string
	for i := range 12 {
		day := 2 + i%5
		lines = append(lines, fmt.Sprintf(`{"external_id":"B-%02d","channel":"patrol","kind":"report","category_code":"060%d","lat":24.925,"lng":%.4f,"address":"东海街道东海大道与滨海路交叉口往北二百米处第 %d 号商铺门前人行道","description":"简报打印测试 %d","reported_at":"2026-11-%02dT09:00:00+08:00","events":[{"action":"register","at":"2026-11-%02dT09:30:00+08:00"}]}`,
			i, 10+i%10, 118.575+0.0006*float64(i%10), i+1, i, day, day))
	}
	return strings.Join(lines, "\n") + "\n"
}

// pdfPages counts the pages of a PDF (its /Type /Page objects; /Type /Pages is the page tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestBrowserBriefingPrintsOnOneA4Page: a subdistrict's briefing with every list full prints on
// one A4 page, in Chinese and in English, and offers the print button and the workbook.
func TestBrowserBriefingPrintsOnOneA4Page(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) { c.Clock = clock.Now })
	if st, raw := s.Login(t, "sysadmin").Raw("POST", "/api/v1/import/cases", fullBriefing()); st != 200 {
		t.Fatalf("import: %d %s", st, raw)
	}
	if _, err := s.App.Eval.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, s.URL)
	tb := b.tab(t, 1366, 900)
	tb.login("donghai.leader", apptest.DemoPassword)
	link := "/briefing?level=subdistrict&code=350503001&from=2026-11-02&to=2026-11-08"
	for _, lang := range []string{"zh-CN", "en"} {
		tb.open(link+"&lang="+lang, "#briefing")
		tb.waitFor(`document.querySelector('#briefing[data-ready="true"]')`)
		title := tb.text("#briefing-title")
		if lang == "zh-CN" && title != "东海街道 工作简报" || lang == "en" && title != "Donghai Subdistrict Briefing" {
			t.Errorf("%s title %q", lang, title)
		}
		for table, want := range map[string]int{"#briefing-overdue": 10, "#briefing-categories": 10, "#briefing-places": 10} {
			if n := eval[int](tb, fmt.Sprintf(`document.querySelectorAll('%s tbody tr[data-id], %s tbody tr[data-key]').length`, table, table)); n != want {
				t.Errorf("%s: %s has %d rows, want %d", lang, table, n, want)
			}
		}
		if n := eval[int](tb, `document.querySelectorAll('#briefing-figures .briefing-figure').length`); n != 14 {
			t.Errorf("%s: %d key figures, want 14", lang, n)
		}
		if href := eval[string](tb, `document.getElementById('briefing-xlsx').getAttribute('href')`); !strings.Contains(href, "format=xlsx") ||
			!strings.Contains(href, "code=350503001") {
			t.Errorf("workbook link %q", href)
		}
		if !eval[bool](tb, `!!document.getElementById('briefing-print')`) {
			t.Error("no print button")
		}
		tb.shot("briefing-" + lang)

		// Chromium prints it on A4 paper (8.27 × 11.69 in) with the page's own @page rules.
		var pdf []byte
		preferCSS := true
		tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			res, err := cdp.Call(ctx, target, cdppage.PrintToPDF, cdppage.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69,
				PreferCSSPageSize: &preferCSS})
			pdf = res.Data
			return err
		}))
		if !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("%s: not a PDF: %.20q", lang, pdf)
		}
		if err := os.WriteFile(filepath.Join(b.shots.keep, "briefing-"+lang+".pdf"), pdf, 0o644); err != nil {
			t.Log(err)
		}
		if n := len(pdfPage.FindAll(pdf, -1)); n != 1 {
			t.Errorf("%s: the briefing prints on %d A4 pages, want 1", lang, n)
		}
		// For people to look at: the print layout at the A4 page's printable size (190 × 277 mm
		// at 96 px per inch), and how much of its height the briefing takes.
		tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}), chromedp.EmulateViewport(718, 1047))
		tb.waitFor(`window.innerWidth === 718`)
		t.Logf("%s: the briefing takes %d of the page's 1047 px", lang, eval[int](tb, `Math.ceil(document.getElementById('briefing').getBoundingClientRect().height)`))
		tb.shot("briefing-print-" + lang)
		tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
			return err
		}), chromedp.EmulateViewport(1366, 900))
	}

	// On a phone the page fits the screen.
	phone := b.tab(t, 390, 844)
	phone.login("donghai.leader", apptest.DemoPassword)
	phone.open(link, "#briefing")
	phone.waitFor(`document.querySelector('#briefing[data-ready="true"]')`)
	phone.fitsPhone("the briefing")
	phone.shot("briefing-phone")

	// Without a link the page shows the caller's own unit.
	tb.open("/briefing", "#briefing")
	tb.waitFor(`document.querySelector('#briefing[data-ready="true"]')`)
	if got := eval[string](tb, `document.getElementById('b-code').value`); got != "350503001" {
		t.Errorf("default unit %q, want Donghai", got)
	}
	// Another subdistrict's briefing is refused in words.
	tb.open("/briefing?level=subdistrict&code=350503002&from=2026-11-02&to=2026-11-08", "#briefing")
	tb.waitFor(`!document.getElementById('briefing-alert').hidden`)
	if msg := tb.text("#briefing-alert"); msg == "" || strings.Contains(msg, "eval.") {
		t.Errorf("out-of-scope briefing: %q", msg)
	}
}

// TestBriefingPageAccess: the briefing opens for whoever reads indicators, set to the unit of
// their role, with its texts; it is in nobody's menu; others are refused.
func TestBriefingPageAccess(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	for _, tc := range []struct {
		user, config string
	}{
		{"district.leader", `{"level":"district","code":"350503"}`},
		{"donghai.shift_lead", `{"level":"subdistrict","code":"350503001"}`},
		{"dept01.staff", `{"level":"department","code":"350503D01"}`},
	} {
		p := fetch(t, s, "GET", "/briefing", s.Login(t, tc.user).Token)
		if p.status != http.StatusOK {
			t.Fatalf("GET /briefing as %s: %d", tc.user, p.status)
		}
		for _, want := range []string{tc.config, `id="briefing"`, "/static/js/briefing.js", "@page { size: A4 portrait",
			`"briefing.section.overdue"`, `"eval.rate.on_time_closure_rate"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s: the page lacks %s", tc.user, want)
			}
		}
		if strings.Contains(p.body, `href="/briefing"`) {
			t.Errorf("%s: the briefing is in the menu", tc.user)
		}
	}
	for _, user := range []string{"resident1", "sysadmin"} {
		if p := fetch(t, s, "GET", "/briefing", s.Login(t, user).Token); p.status != http.StatusForbidden {
			t.Errorf("GET /briefing as %s: %d, want 403", user, p.status)
		}
	}
}
