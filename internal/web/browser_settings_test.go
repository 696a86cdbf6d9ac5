package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserSettings: the district's sys_admin opens 工作日历, makes Tuesday 2 June 2026 a
// holiday effective from that day, saves, and sees the version pending; today's deadlines do not
// change until the clock passes that time, then the day shows as a holiday. In 派遣规则 they try
// a point in 东海 with 噪声扰民 at night and by day, and see which rule wins and why.
func TestBrowserSettings(t *testing.T) {
	// 10:00 on Monday 1 June 2026, Beijing time.
	clock := apptest.NewClock(time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Clock = clock.Now
		c.IdleTimeout = 8 * time.Hour
	})
	var plans struct {
		Plans []struct{ Route []struct{ Lat, Lng float64 } }
	}
	if st := s.Login(t, "donghai.volunteer").Do("GET", "/api/v1/patrol-plans", nil, &plans); st != 200 || len(plans.Plans) == 0 || len(plans.Plans[0].Route) == 0 {
		t.Fatalf("a point in 东海: %d %+v", st, plans)
	}
	point := plans.Plans[0].Route[0]
	start := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	oneDay := calendar.Limit{Value: 1, Unit: calendar.Days}
	deadline := func() string {
		t.Helper()
		cal, err := s.App.Calendar.Calendar(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return cal.Deadline(start, oneDay).In(calendar.Zone).Format("01-02 15:04")
	}

	b := startBrowser(t, s.URL)
	v := b.tab(t, 1366, 900)
	v.login("sysadmin", apptest.DemoPassword)
	v.open("/settings/calendar", "#cal-months")
	v.waitFor(`document.getElementById('settings-body').dataset.ready === 'true'`)
	settingsValue(v, "#cal-year", "2026")
	day := `#cal-months button[data-date="2026-06-02"]`
	v.waitFor(`document.querySelector('` + day + `') && document.querySelector('` + day + `').dataset.kind === 'normal'`)
	v.click(day)
	settingsValue(v, "#cal-day-kind", "holiday")
	v.do(chromedp.SendKeys(chromedp.CSS("#cal-day-name"), "临时调整"))
	v.click("#cal-day-apply")
	v.waitFor(`document.querySelector('` + day + `').dataset.kind === 'holiday'`)
	settingsValue(v, "#cal-from", "2026-06-02T00:00")
	v.click("#cal-save")
	v.waitFor(`document.querySelector('#cal-versions li[data-state="pending"]') !== null`)
	if msg := v.text("#settings-message"); !strings.Contains(msg, "2026") || !strings.Contains(msg, "起生效") {
		t.Errorf("after saving: %q", msg)
	}
	if got := deadline(); got != "06-02 10:00" {
		t.Errorf("an edit effective tomorrow changed today's deadline: %s", got)
	}
	v.shot("settings-calendar")

	clock.Advance(15 * time.Hour) // Tuesday 01:00
	if got := deadline(); got != "06-03 10:00" {
		t.Errorf("past effective_from, the new calendar does not apply: %s", got)
	}
	v.login("sysadmin", apptest.DemoPassword) // 15 hours on: the session has ended
	v.open("/settings/calendar", "#cal-months")
	v.waitFor(`document.getElementById('settings-body').dataset.ready === 'true'`)
	settingsValue(v, "#cal-year", "2026")
	v.waitFor(`document.querySelector('` + day + `') && document.querySelector('` + day + `').dataset.kind === 'holiday'`)
	v.waitFor(`document.querySelector('#cal-versions li[data-state="current"]') !== null`)

	// 派遣规则: try a point in 东海 with 噪声扰民 (06028).
	v.open("/settings/routing", "#rt-rules")
	v.waitFor(`document.getElementById('settings-body').dataset.ready === 'true'`)
	if n := eval[int](v, `document.querySelectorAll('#rt-rules tbody tr').length`); n < 10 {
		t.Errorf("%d rules listed", n)
	}
	place := `(() => { const lat = document.getElementById('rt-lat'), lng = document.getElementById('rt-lng');
		lat.value = '` + ftoa(point.Lat) + `'; lng.value = '` + ftoa(point.Lng) + `'; lat.dispatchEvent(new Event('change')); return true; })()`
	eval[bool](v, place)
	v.waitFor(`document.getElementById('rt-where').dataset.grid`)
	settingsValue(v, "#rt-try_category", "06028")
	settingsValue(v, "#rt-try_at", "2026-06-03T22:00")
	v.click("#rt-try-run")
	v.waitFor(`document.getElementById('rt-winner') !== null`)
	if w := v.text("#rt-winner"); !strings.Contains(w, "东海街道非工作时间噪声扰民") || !strings.Contains(w, "350503D11") {
		t.Errorf("at night: %q", w)
	}
	// By day the night rule does not fit on its time; the general noise rule wins.
	settingsValue(v, "#rt-try_at", "2026-06-03T10:00")
	eval[bool](v, `document.getElementById('rt-result').replaceChildren() || true`)
	v.click("#rt-try-run")
	v.waitFor(`document.getElementById('rt-winner') !== null`)
	if w := v.text("#rt-winner"); !strings.Contains(w, "350503D04") {
		t.Errorf("by day: %q", w)
	}
	if why := v.text(`#rt-steps li[data-id="demo-noise-donghai-night"]`); !strings.Contains(why, "时段不同") {
		t.Errorf("why the night rule did not win: %q", why)
	}
	if why := v.text(`#rt-steps li[data-id="demo-noise"]`); !strings.Contains(why, "生效") {
		t.Errorf("the winner's line: %q", why)
	}
	v.shot("settings-routing")

	// 类别与时限 lists the catalogue and the calendar is not in its history.
	v.open("/settings", "#cat-list")
	v.waitFor(`document.getElementById('settings-body').dataset.ready === 'true' && document.querySelector('#cat-list button[data-code="06028"]') !== null`)
	// 积存垃圾渣土 now needs an after-photo before report_back: one tick, saved, in the history.
	v.click(`#cat-list button[data-code="06010"]`)
	v.waitFor(`!document.getElementById('cat-editor').hidden && document.getElementById('cat-requires-photo').checked === false`)
	v.click("#cat-requires-photo")
	v.click(`#cat-editor button[type=submit]`)
	v.waitFor(`document.getElementById('settings-message').textContent.includes('06010') && document.querySelector('#cat-history') && document.querySelector('#cat-history').textContent.includes('处置后照片')`)
	var minor struct {
		RequiresPhoto bool `json:"requires_photo"`
	}
	if st := s.Login(t, "sysadmin").Do("GET", "/api/v1/categories/event/06010", nil, &minor); st != 200 || !minor.RequiresPhoto {
		t.Errorf("06010 after the tick: %d requires_photo=%v", st, minor.RequiresPhoto)
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// settingsValue sets a form control's value as a person would choose it (a select's option is added
// when missing, e.g. a year the page does not offer by default) and fires its change event.
func settingsValue(v *tab, selector, value string) {
	v.t.Helper()
	v.waitFor(`document.querySelector('` + selector + `') !== null`)
	eval[bool](v, `(() => { const c = document.querySelector('`+selector+`');
		if (c.tagName === 'SELECT' && ![...c.options].some(o => o.value === '`+value+`')) c.append(new Option('`+value+`', '`+value+`'));
		c.value = '`+value+`'; c.dispatchEvent(new Event('input', {bubbles: true})); c.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
}
