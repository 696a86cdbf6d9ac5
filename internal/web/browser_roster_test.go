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

// TestBrowserRosterEdit: the community's staff keep their zone's 1+N roster on the phone. They add
// a firm with its contact (a bad phone number is refused beside the field), rename it, record
// what it pledged and move the pledge on to delivered; then they log a volunteer's service hours
// for the zone's team and confirm them, and the volunteer sees them counted on their own phone.
func TestBrowserRosterEdit(t *testing.T) {
	// 10:00 on Wednesday 2 December 2026, Beijing time.
	clock := apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Clock = clock.Now
		c.IdleTimeout = 8 * time.Hour
	})
	b := startBrowser(t, s.URL)
	cs := b.tab(t, 390, 844)
	cs.login("donghai.community_staff", apptest.DemoPassword)
	cs.open("/rosters", "#zone")
	cs.waitFor(`document.getElementById('roster-table').dataset.ready && !document.getElementById('roster-manage').hidden`)
	zone := eval[string](cs, `document.getElementById('zone').value`)

	// A firm joins the roster.
	cs.click("#participant-add")
	cs.waitFor(`document.getElementById('participant-dialog').open`)
	cs.do(chromedp.SetValue(chromedp.CSS("#participant-kind"), "firm"),
		chromedp.SendKeys(chromedp.CSS("#participant-name"), "海滨物业有限公司"),
		chromedp.SendKeys(chromedp.CSS("#participant-contact-name"), "林经理"),
		chromedp.SendKeys(chromedp.CSS("#participant-contact-phone"), "13800138000"))
	cs.click("#participant-submit")
	row := `[...document.querySelectorAll('#roster-table tbody tr[data-id]')].find(tr => tr.textContent.includes('海滨物业'))`
	cs.waitFor(`!document.getElementById('participant-dialog').open && ` + row + ` !== undefined`)
	id := eval[string](cs, row+`.dataset.id`)
	if text := cs.text(`#roster-table tr[data-id="` + id + `"]`); !strings.Contains(text, "13800138000") || !strings.Contains(text, "企业") {
		t.Errorf("the new firm's row %q", text)
	}
	// Renamed; a bad number is refused beside the phone field first.
	cs.click("#edit-" + id)
	cs.waitFor(`document.getElementById('participant-dialog').open && document.getElementById('participant-name').value === '海滨物业有限公司'`)
	cs.do(chromedp.SetValue(chromedp.CSS("#participant-contact-phone"), "123"))
	cs.click("#participant-submit")
	cs.waitFor(`document.getElementById('participant-contact-phone').getAttribute('aria-invalid') === 'true'`)
	cs.do(chromedp.SetValue(chromedp.CSS("#participant-contact-phone"), "13800138000"),
		chromedp.SetValue(chromedp.CSS("#participant-name"), "海滨物业服务有限公司"))
	cs.click("#participant-submit")
	cs.waitFor(`!document.getElementById('participant-dialog').open && document.querySelector('#roster-table tr[data-id="` + id + `"]').textContent.includes('海滨物业服务有限公司')`)

	// What it pledged, then delivered.
	cs.click("#pledge-" + id)
	cs.waitFor(`document.getElementById('pledge-dialog').open`)
	cs.do(chromedp.SendKeys(chromedp.CSS("#pledge-name"), "楼道消防器材捐赠"),
		chromedp.SetValue(chromedp.CSS("#pledge-kind"), "resource"))
	cs.click("#pledge-submit")
	pledge := `document.querySelector('#roster-table tr[data-id="` + id + `"] li[data-pledge]')`
	cs.waitFor(`!document.getElementById('pledge-dialog').open && ` + pledge + ` !== null && ` + pledge + `.dataset.status === 'pledged'`)
	pid := eval[string](cs, pledge+`.dataset.pledge`)
	cs.click("#pledge-edit-" + pid)
	cs.waitFor(`document.getElementById('pledge-dialog').open && document.getElementById('pledge-name').value === '楼道消防器材捐赠'`)
	cs.do(chromedp.SetValue(chromedp.CSS("#pledge-status"), "delivered"))
	cs.click("#pledge-submit")
	cs.waitFor(`!document.getElementById('pledge-dialog').open && ` + pledge + `.dataset.status === 'delivered'`)
	if text := cs.text(`#roster-table tr[data-id="` + id + `"]`); !strings.Contains(text, "已兑现") {
		t.Errorf("the delivered pledge's row %q", text)
	}
	var roster struct {
		Participants []struct {
			ID, Name, Kind string
			ContactPhone   string `json:"contact_phone"`
			Pledges        []struct{ Title, Kind, Status string }
		}
	}
	if st := s.Login(t, "donghai.community_staff").Do("GET", "/api/v1/zones/"+zone+"/roster", nil, &roster); st != 200 {
		t.Fatalf("roster: %d", st)
	}
	found := false
	for _, p := range roster.Participants {
		if p.ID == id {
			found = true
			if p.Name != "海滨物业服务有限公司" || p.Kind != "firm" || p.ContactPhone != "13800138000" || len(p.Pledges) != 1 ||
				p.Pledges[0].Kind != "resource" || p.Pledges[0].Status != "delivered" {
				t.Errorf("the firm as stored: %+v", p)
			}
		}
	}
	if !found {
		t.Errorf("the firm is not in zone %s's roster", zone)
	}
	cs.shot("roster-edit")

	// The volunteer logs an hour of service outside patrols on the phone: pending until confirmed.
	v := b.tab(t, 390, 844)
	v.login("donghai.volunteer", apptest.DemoPassword)
	v.open("/patrol", "#hours-form")
	v.do(chromedp.SetValue(chromedp.CSS("#hours-day"), "2026-12-01"),
		chromedp.SendKeys(chromedp.CSS("#hours-minutes"), "60"),
		chromedp.SendKeys(chromedp.CSS("#hours-note"), "协助疏导学校门口交通"))
	v.click("#hours-submit")
	v.waitFor(`document.querySelector('#hours-table tr[data-status="pending"]') !== null`)
	if st := v.text("#hours-status"); !strings.Contains(st, "另有 1") {
		t.Errorf("the volunteer's pending hours %q", st)
	}

	// The community's staff confirm it from the zone's volunteer team, and log 90 minutes more
	// themselves (a manager's entry counts at once).
	team := eval[string](cs, `document.querySelector('#roster-table tr[data-kind="volunteer_team"]').dataset.id`)
	cs.click("#hours-" + team)
	cs.waitFor(`document.getElementById('hours-dialog').open && document.getElementById('hours-list').dataset.ready`)
	entry := `([...document.querySelectorAll('#hours-list li[data-id]')].find(li => li.textContent.includes('协助疏导学校门口交通')) || {dataset: {}})`
	cs.waitFor(entry + `.dataset.status === 'pending'`)
	cs.click("#confirm-" + eval[string](cs, entry+`.dataset.id`))
	cs.waitFor(entry + `.dataset.status === 'confirmed'`)
	cs.do(chromedp.SetValue(chromedp.CSS("#hours-day"), "2026-12-02"),
		chromedp.SendKeys(chromedp.CSS("#hours-minutes"), "90"),
		chromedp.SendKeys(chromedp.CSS("#hours-note"), "整理社区图书角"))
	cs.click("#hours-submit")
	cs.waitFor(`[...document.querySelectorAll('#hours-list li[data-status="confirmed"]')].length === 2`)
	if total := cs.text("#hours-total"); !strings.Contains(total, "已确认的其他服务 2.5 小时") {
		t.Errorf("the team member's hours %q", total)
	}
	cs.shot("roster-hours")

	// The volunteer sees both counted.
	v.open("/patrol", "#hours-table")
	v.waitFor(`document.querySelectorAll('#hours-table tr[data-status="confirmed"]').length === 2`)
	if st := v.text("#hours-status"); !strings.Contains(st, "已确认的其他服务 2.5 小时") {
		t.Errorf("the volunteer's hours %q", st)
	}
	v.shot("volunteer-hours")
}
