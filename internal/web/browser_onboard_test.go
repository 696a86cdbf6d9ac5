package web_test

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/users"
)

// fillTemplate downloads an onboarding template as its importer would, replaces its example
// rows with rows and saves the workbook for the page's file input.
func fillTemplate(t *testing.T, c *apptest.Client, name string, rows [][]string) string {
	t.Helper()
	status, raw := c.Raw("GET", "/api/v1/onboard/templates/"+name+".xlsx", nil)
	if status != 200 {
		t.Fatalf("template %s: %d", name, status)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("template %s: %v", name, err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	old, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(old); i > 1; i-- { // keep the header row, drop the examples
		if err := f.RemoveRow(sheet, i); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name+".xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// importOnPage runs a file through the onboarding page: the dry run first (its plan shown, no
// problem), then the import.
func importOnPage(tb *tab, kind, file string) {
	tb.t.Helper()
	panel := "#onboard-" + kind
	tb.open("/onboard", panel)
	tb.do(chromedp.SetUploadFiles(chromedp.CSS(panel+" input[type=file]"), []string{file}))
	if eval[bool](tb, `document.querySelector('`+panel+` [data-run=real]').disabled`) != true {
		tb.t.Errorf("%s: the import is offered before a dry run", kind)
	}
	tb.click(panel + " [data-run=dry]")
	tb.waitFor(`document.querySelector('` + panel + ` .onboard-plan') && document.querySelector('` + panel + ` .alert-ok') && !document.querySelector('` + panel + ` [data-run=real]').disabled`)
	tb.shot("onboard-" + kind + "-dry-run")
	tb.click(panel + " [data-run=real]")
	tb.waitFor(`document.querySelector('` + panel + ` .alert-ok') && document.querySelector('` + panel + ` .alert-ok').textContent.includes('已导入')`)
}

// firstLogin signs in with a first password and sets a new one, as the page asks.
func firstLogin(tb *tab, username, initial, password string) {
	tb.t.Helper()
	tb.open("/login", "#login-form")
	tb.do(
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), initial),
		chromedp.Click(chromedp.CSS("#login-submit")),
		// The first sign-in leads to the password page, which says why.
		chromedp.WaitVisible(chromedp.CSS("#must-change")),
	)
	tb.waitFor(`location.pathname === '/me/password' && document.readyState === 'complete'`)
	tb.do(
		chromedp.SendKeys(chromedp.CSS("#old-password"), initial),
		chromedp.SendKeys(chromedp.CSS("#new-password"), password),
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), password),
		chromedp.Click(chromedp.CSS(`#password-form button[type=submit]`)),
	)
	tb.waitFor(`!document.getElementById('must-change') && document.getElementById('password-continue')`)
}

// TestBrowserOnboardNewDistrict is issue 13's "done when": a second, invented district (新港区,
// 350599) goes live on an empty installation. Its installer creates the district and its two
// administrators on the command line; the sys_admin imports the org tree and handling units from
// the xlsx template on the onboarding page, the sec_admin the accounts (their first passwords
// shown once); the district's grids and gazetteer are imported; its hotline operator finds an
// address by typing pinyin initials and files a case there; its dispatcher sends the case to the
// subdistrict's 综合执法队, whose member reports back with before and after photos.
func TestBrowserOnboardNewDistrict(t *testing.T) {
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Demo = false
		c.IdleTimeout = 8 * time.Hour
	})
	ctx := context.Background()
	const district, sub, comm, team = "350599", "350599001", "350599001001", "350599001D01"

	// The installer, on the command line: the district node and its sys_admin and sec_admin.
	districtRow := "类型 kind,编码 code,名称 name,英文名称 name_en,上级编码 parent_code,牵头组织 lead_organisation\n区," + district + ",新港区,Xingang District,,\n"
	if _, err := s.App.ImportOnboard(ctx, "org", []byte(districtRow), false); err != nil {
		t.Fatalf("import the district: %v", err)
	}
	no := false
	for _, a := range []struct {
		name string
		role access.Role
	}{{"xg.sysadmin", access.SysAdmin}, {"xg.secadmin", access.SecAdmin}} {
		if _, err := s.App.Users.Create(app.System(ctx, "install"), users.NewUser{Username: a.name, DisplayName: a.name,
			Password: apptest.DemoPassword, MustChangePassword: &no, Roles: []users.RoleAt{{Role: a.role, OrgCode: district}}}); err != nil {
			t.Fatalf("create %s: %v", a.name, err)
		}
	}
	sysAPI := s.Login(t, "xg.sysadmin")
	secAPI := s.Login(t, "xg.secadmin")
	orgFile := fillTemplate(t, sysAPI, "org", [][]string{
		{"区", district, "新港区", "Xingang District", "", ""},
		{"街道", sub, "港湾街道", "Gangwan", "", ""},
		{"社区", comm, "海滨社区", "Haibin", sub, ""},
		{"片区", sub + "Z01", "港湾示范片区", "", sub, "港湾街道党工委"},
		{"处置单位", district + "D01", "新港区城市管理局", "", district, ""},
		{"处置单位", team, "港湾街道综合执法队", "Gangwan Enforcement Team", sub, ""},
		{"处置单位", comm + "D1", "海滨社区居委会", "", comm, ""},
	})
	usersFile := fillTemplate(t, secAPI, "users", [][]string{
		{"xg.operator", "王接线", "13900001111", "intake_operator", district},
		{"xg.operator", "", "", "shift_lead", district},
		{"xg.dispatcher", "李派遣", "", "dispatcher", district},
		{"xg.team", "陈队员", "", "department_staff", team},
		{"xg.grid", "周网格", "", "grid_worker", comm},
	})

	b := startBrowser(t, s.URL)
	admin := b.tab(t, 1366, 900)
	admin.login("xg.sysadmin", apptest.DemoPassword)
	if nav := admin.nav(); !strings.Contains(nav, "上线导入") {
		t.Errorf("the sys_admin's menu %q has no 上线导入", nav)
	}
	importOnPage(admin, "org", orgFile)
	if eval[bool](admin, `document.getElementById('onboard-users') !== null`) {
		t.Error("the sys_admin is offered the accounts import (the sec_admin's duty)")
	}
	if got := eval[string](admin, `[...document.querySelectorAll('#onboard-org .onboard-plan tbody tr')].map(r => r.textContent).join('|')`); !strings.Contains(got, "处置单位") {
		t.Errorf("the plan %q does not count the handling units", got)
	}

	// The district's grid and its gazetteer, as the administrator imports them.
	grids := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"` + comm + `001","name":"海滨社区第1网格","kind":"basic","community_code":"` + comm + `","zone_code":"` + sub + `Z01"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[118.600,24.950],[118.610,24.950],[118.610,24.960],[118.600,24.960],[118.600,24.950]]]}}]}`
	if st, body := sysAPI.Raw("POST", "/api/v1/grids/import", grids); st != 200 {
		t.Fatalf("grids: %d %s", st, body)
	}
	gazetteer := "address,name,lat,lng\n海滨路18号,海滨花园,24.9541,118.6043\n海滨路20号,,24.9545,118.6047\n港湾大道1号,港湾中心,24.9570,118.6080\n"
	if st, body := sysAPI.Upload("/api/v1/addresses/import", "file", "addresses.csv", []byte(gazetteer)); st != 200 {
		t.Fatalf("gazetteer: %d %s", st, body)
	}

	// The sec_admin imports the accounts; the first passwords show once.
	sec := b.tab(t, 1366, 900)
	sec.login("xg.secadmin", apptest.DemoPassword)
	importOnPage(sec, "users", usersFile)
	passwords := eval[map[string]string](sec, `Object.fromEntries([...document.querySelectorAll('#onboard-users .onboard-passwords tr')].map(r => [r.querySelector('th').textContent, r.querySelector('.initial-password').textContent]))`)
	if len(passwords) != 4 {
		t.Fatalf("first passwords shown for %v, want the 4 new accounts", passwords)
	}
	sec.shot("onboard-users-passwords")

	// The hotline operator: first sign-in, then the address by its pinyin initials.
	const own = "Xg-Hotline-2026!"
	op := b.tab(t, 1366, 900)
	firstLogin(op, "xg.operator", passwords["xg.operator"], own)
	op.open("/desk/new", "#address-search")
	op.waitFor(`document.getElementById('report-form').dataset.ready === 'true'`)
	op.do(chromedp.SendKeys(chromedp.CSS("#address-search"), "hbl18"))
	op.waitFor(`!document.getElementById('address-options').hidden && document.querySelector('#address-options .address-option')`)
	if got := op.text("#address-options .address-option .address-text"); got != "海滨路18号" {
		t.Errorf("first suggestion for hbl18 %q, want 海滨路18号", got)
	}
	op.click("#address-options .address-option")
	op.waitFor(`document.querySelector('#where.where-ok') && document.getElementById('where').dataset.grid === '` + comm + `001'`)
	op.do(
		chromedp.SendKeys(chromedp.CSS("#reporter-name"), "林先生"),
		chromedp.SendKeys(chromedp.CSS("#description"), "来电反映海滨路18号门前占道经营，堵塞人行道"),
	)
	op.click("#report-submit")
	op.do(chromedp.WaitVisible(chromedp.CSS("#result-number")))
	caseURL := eval[string](op, `document.getElementById('result-open').getAttribute('href')`)
	caseID := strings.TrimPrefix(caseURL, "/cases/")
	opAPI := s.LoginWith(t, "xg.operator", own)
	var c struct {
		Status   string
		GridCode string `json:"grid_code"`
	}
	if st := opAPI.Do("GET", "/api/v1/cases/"+url.PathEscape(caseID), nil, &c); st != 200 || c.GridCode != comm+"001" {
		t.Fatalf("the filed case %s: %d %+v", caseURL, st, c)
	}
	if c.Status != "registered" {
		if c.Status == "confirming" {
			gridAPI := s.LoginWith(t, "xg.grid", passwords["xg.grid"])
			if st := gridAPI.Do("POST", "/api/v1/me/password", map[string]string{"old_password": passwords["xg.grid"], "new_password": own}, nil); st != 204 {
				t.Fatalf("the grid worker's first password change: %d", st)
			}
			gridAPI = s.LoginWith(t, "xg.grid", own)
			if st := gridAPI.Do("POST", "/api/v1/cases/"+caseID+"/actions/confirm", map[string]any{"result": "pass"}, nil); st != 200 {
				t.Fatalf("confirm: %d", st)
			}
		}
		if st, body := opAPI.Raw("POST", "/api/v1/cases/"+caseID+"/actions/register", nil); st != 200 {
			t.Fatalf("register (as the shift lead): %d %s", st, body)
		}
	}

	// The dispatcher sends it to the subdistrict's 综合执法队.
	d := b.tab(t, 1366, 900)
	firstLogin(d, "xg.dispatcher", passwords["xg.dispatcher"], own)
	d.open("/cases/"+caseID, "#case-head")
	d.statusIs("registered")
	d.click("#act-dispatch")
	d.do(chromedp.WaitVisible(chromedp.CSS("#action-dialog[open] #f-unit-search")))
	d.do(chromedp.SendKeys(chromedp.CSS("#f-unit-search"), "综合执法"))
	d.waitFor(`[...document.querySelectorAll('#f-department option:not([hidden])')].some(o => o.value === '` + team + `')`)
	d.do(chromedp.SetValue(chromedp.CSS("#f-department"), team), chromedp.Evaluate[chromedp.Void](`document.getElementById('f-department').dispatchEvent(new Event('change'))`))
	d.click("#action-submit")
	d.statusIs("dispatched")
	if got := d.text("#case-department"); got != "港湾街道综合执法队" {
		t.Errorf("lead unit %q", got)
	}

	// The team's member, on a phone: signs, reports back with before and after photos.
	before := writeJPEG(t, "before.jpg", 200)
	after := writeJPEG(t, "after.jpg", 40)
	m := b.tab(t, 390, 844)
	firstLogin(m, "xg.team", passwords["xg.team"], own)
	m.open("/inbox", "#sign-list")
	m.waitFor(`document.querySelector('` + caseLink("#sign-list", caseID) + `')`)
	m.click(caseLink("#sign-list", caseID))
	m.act("sign", "handling")
	m.click("#act-report_back")
	m.do(chromedp.WaitVisible(chromedp.CSS("#action-dialog[open] #action-submit")),
		chromedp.SetUploadFiles(chromedp.CSS("#f-photos-before"), []string{before}),
		chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), []string{after}),
		chromedp.SendKeys(chromedp.CSS("#f-note"), "已劝离占道摊贩，恢复通行"))
	m.waitFor(`document.querySelectorAll('#f-photos-before-previews img').length === 1 && document.querySelectorAll('#f-photos-previews img').length === 1`)
	m.click("#action-submit")
	m.statusIs("reported_back")
	m.waitFor(`document.querySelectorAll('#case-photos li[data-stage]:not([data-stage=""])').length === 2`)
	if got := eval[string](m, `[...document.querySelectorAll('#case-photos li')].map(li => li.dataset.stage).join()`); got != "before,after" {
		t.Errorf("photos by stage %q, want before,after", got)
	}
	m.shot("onboard-report-back")
	// The team's finished work: in the inbox's 已办 tab, found by a word of its address.
	m.open("/inbox", "#tab-done")
	m.click("#tab-done")
	m.do(chromedp.SendKeys(chromedp.CSS("#done-q"), "海滨路"))
	m.click(`#done-filter button[type=submit]`)
	m.waitFor(`document.querySelector('` + caseLink("#done-list", caseID) + `') !== null`)
	// Nothing of the demo district was ever there: the new district stands alone.
	var nodes int
	s.App.DB.QueryRow(ctx, `SELECT count(*) FROM org_nodes WHERE code NOT LIKE '350599%'`).Scan(&nodes)
	if nodes != 0 {
		t.Errorf("%d org nodes outside the new district", nodes)
	}
}
