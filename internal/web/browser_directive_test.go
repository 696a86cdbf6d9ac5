package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserDirective: 指令穿透. 东海's leader issues a directive to the whole subdistrict (its
// 30 grids in 5 communities) and watches the coverage on the directive's page, which follows the
// acknowledgements live, without a reload: two grid workers acknowledge their communities' grids
// on their phones, the other three communities' workers through the API, and the leader's page
// reaches 100 %.
func TestBrowserDirective(t *testing.T) {
	// 10:00 on Wednesday 2 December 2026, Beijing time.
	clock := apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) { c.Clock = clock.Now })
	sec := s.Login(t, "secadmin")
	for i := 2; i <= 5; i++ {
		if st := sec.Do("POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("donghai.grid_worker%d", i),
			"display_name": fmt.Sprintf("东海网格员%d", i), "password": apptest.DemoPassword, "must_change_password": false,
			"roles": []map[string]string{{"role": "grid_worker", "org_code": fmt.Sprintf("35050300100%d", i)}}}, nil); st != http.StatusCreated {
			t.Fatalf("create grid worker %d: %d", i, st)
		}
	}
	b := startBrowser(t, s.URL)

	leader := b.tab(t, 1366, 900)
	leader.login("donghai.leader", apptest.DemoPassword)
	if nav := leader.nav(); !strings.Contains(nav, "指令签收") {
		t.Errorf("the leader's menu %q has no 指令签收", nav)
	}
	leader.open("/directives", "#issue-open")
	leader.click("#issue-open")
	leader.waitFor(`document.getElementById('directive-dialog').open && document.querySelector('#d-target input[value="350503001"]') !== null`)
	leader.do(chromedp.SendKeys(chromedp.CSS("#d-title"), "台风“海燕”防御：全面排查危险房屋"),
		chromedp.SendKeys(chromedp.CSS("#d-instruction"), "请各网格今天 18 时前完成辖区危险房屋、广告牌排查，转移危房住户。"),
		chromedp.SetValue(chromedp.CSS("#d-category"), "Met"), chromedp.SetValue(chromedp.CSS("#d-urgency"), "Immediate"),
		chromedp.SetValue(chromedp.CSS("#d-severity"), "Severe"),
		chromedp.Click(chromedp.CSS(`#d-target input[value="350503001"]`)))
	leader.shot("directive-issue")
	leader.click("#directive-submit")
	leader.do(chromedp.WaitVisible(chromedp.CSS(`#directive-page[data-status="active"][data-targeted="30"]`)))
	id := strings.TrimPrefix(eval[string](leader, `location.pathname`), "/directives/")
	if got := eval[string](leader, `document.getElementById('directive-page').dataset.acknowledged`); got != "0" {
		t.Fatalf("acknowledged at the start: %s", got)
	}

	// Two grid workers acknowledge their grids on their phones.
	for _, account := range []string{"donghai.grid_worker", "donghai.grid_worker2"} {
		phone := b.tab(t, 390, 844)
		phone.login(account, apptest.DemoPassword)
		phone.open("/directives", "#directives-table")
		phone.waitFor(`document.querySelector('#directives-table a.directive-link') !== null`)
		phone.click(`#directives-table tr[data-id="` + id + `"] a.directive-link`)
		phone.do(chromedp.WaitVisible(chromedp.CSS(`#directive-page[data-status="active"]`)))
		if n := eval[int](phone, `document.querySelectorAll('#mine-grids li[data-status="unacknowledged"]').length`); n != 6 {
			t.Errorf("%s has %d grids to acknowledge, want 6", account, n)
		}
		phone.click("#ack-all")
		phone.waitFor(`document.querySelectorAll('#mine-grids li[data-status="acknowledged"]').length === 6`)
		phone.shot("directive-phone-" + account)
	}
	// The leader's page follows without a reload.
	leader.waitFor(`document.getElementById('directive-page').dataset.acknowledged === '12'`)

	// The other three communities acknowledge through the API.
	var grids struct {
		Targets []struct {
			GridCode      string `json:"grid_code"`
			CommunityCode string `json:"community_code"`
		}
	}
	if st := s.Login(t, "donghai.leader").Do("GET", "/api/v1/directives/"+id+"/targets?status=unacknowledged&limit=100", nil, &grids); st != 200 || len(grids.Targets) != 18 {
		t.Fatalf("unacknowledged targets: %d, %d", st, len(grids.Targets))
	}
	for _, g := range grids.Targets {
		worker := s.Login(t, "donghai.grid_worker"+g.CommunityCode[len(g.CommunityCode)-1:])
		if st, raw := worker.Raw("POST", "/api/v1/directives/"+id+"/acks", map[string]any{"grid_code": g.GridCode}); st != 201 {
			t.Fatalf("ack %s: %d %s", g.GridCode, st, raw)
		}
	}
	leader.waitFor(`document.getElementById('directive-page').dataset.percent === '100'`)
	if row := leader.text(`#by-subdistrict tr[data-code="350503001"]`); !strings.Contains(row, "30") || !strings.Contains(row, "100%") {
		t.Errorf("by subdistrict %q", row)
	}
	leader.shot("directive-coverage")
	// A directive that asks for action: the grid worker reports a grid done with a photo.
	var act struct{ ID string }
	if st := s.Login(t, "donghai.leader").Do("POST", "/api/v1/directives", map[string]any{"title": "清理消防通道", "instruction": "清理占用消防通道的杂物并拍照报告",
		"msg_type": "Alert", "urgency": "Expected", "severity": "Moderate", "certainty": "Likely", "action_required": true,
		"target":  map[string]any{"communities": []string{"350503001001"}, "subdistricts": []string{}, "zones": []string{}, "grids": []string{}},
		"ack_due": clock.Now().Add(4 * time.Hour).Format(time.RFC3339)}, &act); st != 201 {
		t.Fatalf("issue an action directive: %d", st)
	}
	phone := b.tab(t, 390, 844)
	phone.login("donghai.grid_worker", apptest.DemoPassword)
	phone.geolocate(24.9251, 118.5751)
	phone.open("/directives/"+act.ID, `#directive-page[data-status="active"]`)
	const grid = "350503001001001"
	phone.click("#done-" + grid)
	phone.waitFor(`document.getElementById('done-dialog').open && document.getElementById('done-photo') !== null`)
	phone.do(chromedp.SetUploadFiles(chromedp.CSS("#done-photo"), []string{writeJPEG(t, "cleared.jpg", 90)}),
		chromedp.SendKeys(chromedp.CSS("#done-note"), "通道杂物已清理"))
	phone.waitFor(`document.querySelectorAll('#done-photo-previews li').length === 1`)
	phone.click("#done-submit")
	phone.waitFor(`document.querySelector('#mine-grids li[data-grid="` + grid + `"]').dataset.status === 'done'`)
	var targets struct {
		Targets []struct {
			GridCode string   `json:"grid_code"`
			Note     string   `json:"note"`
			Lat      *float64 `json:"lat"`
		}
	}
	if st := s.Login(t, "donghai.leader").Do("GET", "/api/v1/directives/"+act.ID+"/targets?status=done", nil, &targets); st != 200 ||
		len(targets.Targets) != 1 || targets.Targets[0].Note != "通道杂物已清理" || targets.Targets[0].Lat == nil || *targets.Targets[0].Lat != 24.9251 {
		t.Errorf("the done report: %d %+v", st, targets)
	}
	var photos struct {
		Photos []struct {
			GridCode string `json:"grid_code"`
		}
	}
	if st := s.Login(t, "donghai.leader").Do("GET", "/api/v1/directives/"+act.ID+"/photos", nil, &photos); st != 200 || len(photos.Photos) != 1 || photos.Photos[0].GridCode != grid {
		t.Errorf("the done report's photos: %d %+v", st, photos)
	}
	// The CAP document is offered to the issuer.
	if href := eval[string](leader, `document.getElementById('cap-link').getAttribute('href')`); href != "/api/v1/directives/"+id+"/cap" {
		t.Errorf("CAP link %q", href)
	}
}
