package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// The browser tests drive Chromium (headless) through the real pages of a real server with the
// demo district: sign in through the form as each role, check the navigation and that the data
// shown is scoped, and save a screenshot of each main page.

const (
	navHome       = "首页"
	navOrg        = "组织与网格"
	navUsers      = "用户与角色"
	navAudit      = "审计日志"
	navPassword   = "修改密码"
	navReport     = "我要反映"
	navMine       = "我的反映"
	navTasks      = "网格任务"
	navDesk       = "受理台"
	navHotline    = "热线录入"
	navInbox      = "部门待办"
	navAPIKeys    = "Open311 接入密钥"
	navDeliveries = "外发消息"
	navDashboard  = "领导驾驶舱"
	navRacecourse = "赛马场"
	navLeague     = "部门排行"
	navWhistles   = "吹哨报到"
	navDirectives = "指令签收"
	navPatrol     = "巡查"
	navCoverage   = "巡查覆盖"
	navRosters    = "共建名册"
	navSchemes    = "考评方案"
	navOnboard    = "上线导入"
	navSettings   = "系统配置"
	navMyData     = "我的数据"
	navServices   = "一网速查"
)

func navOf(items ...string) string { return strings.Join(items, ",") }

func TestBrowserRoles(t *testing.T) {
	start := time.Now()
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)
	t.Logf("server and browser up in %v", time.Since(start).Round(time.Millisecond))

	t.Run("bad sign-in shows the Chinese message", func(t *testing.T) {
		tb := b.tab(t, 1366, 900)
		tb.open("/login", "#login-form")
		if lang := eval[string](tb, `document.documentElement.lang`); lang != "zh-CN" {
			t.Errorf("page language %q, want zh-CN", lang)
		}
		tb.shot("login")
		tb.do(
			chromedp.SendKeys(chromedp.CSS("#username"), "nobody.here"),
			chromedp.SendKeys(chromedp.CSS("#password"), "Wrong-Passw0rd!"),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#login-error")),
		)
		if got := strings.TrimSpace(tb.text("#login-error")); got != "用户名或密码错误。" {
			t.Errorf("error message %q, want 用户名或密码错误。", got)
		}
		if loc := tb.location(); !strings.HasSuffix(loc, "/login") {
			t.Errorf("left the sign-in page for %s", loc)
		}
	})

	t.Run("sign-in returns to the page asked for", func(t *testing.T) {
		tb := b.tab(t, 1366, 900)
		tb.do(chromedp.Navigate(s.URL+"/org"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
		tb.do(
			chromedp.SendKeys(chromedp.CSS("#username"), "13800000001"), // resident1 by phone
			chromedp.SendKeys(chromedp.CSS("#password"), apptest.DemoPassword),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#map")),
		)
		if loc := tb.location(); !strings.HasSuffix(loc, "/org") {
			t.Errorf("after sign-in at %s, want /org", loc)
		}
	})

	cases := []struct {
		username string
		nav      string
		check    func(t *testing.T, tb *tab)
	}{
		{"resident1", navOf(navHome, navReport, navMine, navServices, navOrg, navPassword, navMyData), func(t *testing.T, tb *tab) {
			tb.open("/org", "#map")
			tb.waitFor(gridPaths + ` >= 150`)
			// Locate mode: a click on the map asks which grid holds the point.
			tb.do(chromedp.Click(chromedp.CSS("#locate-toggle")), chromedp.Click(chromedp.CSS("#map")),
				chromedp.WaitVisible(chromedp.CSS("#locate-result")))
			if got := tb.text("#locate-result"); !strings.Contains(got, "该点位于") && !strings.Contains(got, "不在") {
				t.Errorf("locate result %q", got)
			}
		}},
		{"donghai.grid_worker", navOf(navHome, navTasks, navPatrol, navDirectives, navWhistles, navOrg, navPassword), func(t *testing.T, tb *tab) {
			tb.open("/org", "#map")
			tb.waitFor(`document.querySelector('#org-tree .tree-node') && document.getElementById('map-status').textContent !== ''`)
			if n := eval[int](tb, gridPaths); n != 6 {
				t.Errorf("grid worker of one community sees %d grids, want its 6", n)
			}
			tree := tb.text("#org-tree")
			if !strings.Contains(tree, "东梅社区") || strings.Contains(tree, "东星社区") {
				t.Errorf("grid worker's tree %q: want 东梅社区 only", tree)
			}
			tb.shot("org-community") // zoomed in: grid labels show
			tb.open("/me/password", "#password-form")
			tb.shot("password")
		}},
		{"donghai.intake_operator", navOf(navHome, navDesk, navHotline, navOrg, navPassword), subdistrictMap},
		{"donghai.shift_lead", navOf(navHome, navDesk, navDirectives, navWhistles, navCoverage, navRosters, navDashboard, navLeague, navRacecourse, navOrg, navPassword), subdistrictMap},
		{"donghai.dispatcher", navOf(navHome, navDesk, navDirectives, navWhistles, navCoverage, navDashboard, navLeague, navOrg, navPassword), subdistrictMap},
		{"dept01.staff", navOf(navHome, navInbox, navWhistles, navOrg, navPassword), func(t *testing.T, tb *tab) {
			tb.open("/org", "#map")
			tb.waitFor(gridPaths + ` >= 150`)
		}},
		{"donghai.leader", navOf(navHome, navDesk, navDirectives, navWhistles, navCoverage, navRosters, navDashboard, navLeague, navRacecourse, navOrg, navUsers, navPassword), func(t *testing.T, tb *tab) {
			subdistrictMap(t, tb)
			tb.open("/users", "#users-table")
			tb.waitFor(`document.querySelectorAll('#users-table tbody tr').length > 0`)
			names := eval[[]string](tb, `[...document.querySelectorAll('#users-table tbody tr')].map(r => r.dataset.username)`)
			for _, name := range names {
				if !strings.HasPrefix(name, "donghai.") {
					t.Errorf("东海 leader sees account %s outside 东海街道", name)
				}
			}
			if len(names) < 5 {
				t.Errorf("东海 leader sees %d accounts, want the 5 of 东海街道", len(names))
			}
			if eval[bool](tb, `!!document.getElementById('create-form') || !!document.querySelector('.row-actions')`) {
				t.Error("leader's users page offers changes")
			}
		}},
		{"sysadmin", navOf(navHome, navOrg, navOnboard, navSettings, navAPIKeys, navDeliveries, navSchemes, navPassword), func(t *testing.T, tb *tab) {
			tb.open("/org", "#map")
			tb.waitFor(gridPaths + ` >= 150 && document.querySelector('#org-tree .tree-node')`)
			if !eval[bool](tb, `!!document.getElementById('import-form') && !!document.getElementById('export-link')`) {
				t.Error("sys_admin has no import form or export link")
			}
			// A click on a grid shows it; a click on a tree node zooms to its grids.
			// Click the middle of a grid near the middle of the map (clear of the zoom buttons).
			xy := eval[[]float64](tb, `(() => {
				const paths = [...document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')];
				const r = paths[Math.floor(paths.length / 2)].getBoundingClientRect();
				return [r.x + r.width / 2, r.y + r.height / 2];
			})()`)
			tb.do(chromedp.MouseClickXY(xy[0], xy[1]), chromedp.WaitVisible(chromedp.CSS("#info-grid-name")))
			tb.do(chromedp.Click(chromedp.CSS(`.tree-node[data-code="350503001"] > .tree-row .tree-name`)))
			tb.waitFor(`document.querySelector('#info-body .info-title')?.textContent === '东海街道'`)
			tb.do(chromedp.Click(chromedp.CSS("#fit-all")))
			tb.shot("org-map")
			// A broken grid file is refused as a whole, with a line per problem.
			bad := filepath.Join(t.TempDir(), "bad.geojson")
			os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",
				"properties":{"code":"350503001001999","name":"测试网格","community_code":"999999999999"},
				"geometry":{"type":"Polygon","coordinates":[[[100,20],[100.001,20],[100.001,20.001],[100,20.001],[100,20]]]}}]}`), 0o644)
			tb.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{bad}),
				chromedp.Click(chromedp.CSS("#import-submit")),
				chromedp.WaitVisible(chromedp.CSS("#import-result.alert-error .details li")))
			if got := tb.text("#import-result"); !strings.Contains(got, "未导入任何网格") || !strings.Contains(got, "999999999999 不存在") {
				t.Errorf("import result %q: want the refusal and each problem", got)
			}
			if n := eval[int](tb, gridPaths); n < 150 {
				t.Errorf("after a refused import the map shows %d grids", n)
			}
		}},
		{"secadmin", navOf(navHome, navOrg, navUsers, navOnboard, navPassword), func(t *testing.T, tb *tab) {
			tb.open("/users", "#users-table")
			tb.waitFor(`document.querySelectorAll('#users-table tbody tr').length >= 60`)
			if !eval[bool](tb, `!!document.getElementById('create-form') && !!document.querySelector('.row-actions')`) {
				t.Error("secadmin's users page offers no changes")
			}
			// Phones are shown masked.
			if phone := tb.text(`#users-table tr[data-username="resident1"] td:nth-child(3)`); phone == "13800000001" || !strings.Contains(phone, "*") {
				t.Errorf("resident1's phone shown as %q, want it masked", phone)
			}
			tb.do(chromedp.Click(chromedp.CSS("#create-panel summary")))
			tb.waitFor(`document.querySelectorAll('#new-org option').length > 0 && document.getElementById('new-org').value !== ''`)
			tb.shot("users")
			// Create a grid worker of 东梅社区 through the form, then disable the account.
			tb.do(
				chromedp.SendKeys(chromedp.CSS("#new-username"), "donghai.tester"),
				chromedp.SendKeys(chromedp.CSS("#new-display-name"), "网页测试员"),
				chromedp.SendKeys(chromedp.CSS("#new-user-password"), "Tester-Passw0rd!"),
				chromedp.Evaluate[chromedp.Void](`(s => { s.value = 'grid_worker'; s.dispatchEvent(new Event('change')); })(document.getElementById('new-role'))`),
			)
			tb.waitFor(`[...document.querySelectorAll('#new-org option')].some(o => o.value === '350503001001')`)
			tb.do(chromedp.SetValue(chromedp.CSS("#new-org"), "350503001001"),
				chromedp.Click(chromedp.CSS("#create-form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#create-message.alert-ok")),
				chromedp.WaitVisible(chromedp.CSS(`tr[data-username="donghai.tester"]`)))
			if got := tb.text(`tr[data-username="donghai.tester"]`); !strings.Contains(got, "网格员") || !strings.Contains(got, "东梅社区") || !strings.Contains(got, "待改密") {
				t.Errorf("new account's row %q", got)
			}
			tb.do(chromedp.Click(chromedp.CSS(`tr[data-username="donghai.tester"] .row-actions .btn-danger-outline`)))
			tb.waitFor(`document.querySelector('tr[data-username="donghai.tester"]')?.textContent.includes('已停用')`)
		}},
		{"auditadmin", navOf(navHome, navOrg, navAudit, navPassword), func(t *testing.T, tb *tab) {
			tb.open("/audit", "#audit-table")
			tb.waitFor(`[...document.querySelectorAll('#audit-table tbody tr')].some(r => r.dataset.action === 'auth.login' && r.textContent.includes('登录'))`)
			tb.do(chromedp.Click(chromedp.CSS("#verify-button")))
			tb.waitFor(`document.getElementById('verify-result').classList.contains('intact') || document.getElementById('verify-result').classList.contains('broken')`)
			if got := tb.text("#verify-result"); !strings.Contains(got, "审计链完整") {
				t.Errorf("verify: %q, want the chain intact", got)
			}
			tb.shot("audit")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.username, func(t *testing.T) {
			tb := b.tab(t, 1366, 900)
			tb.login(tc.username, apptest.DemoPassword)
			if got := tb.nav(); got != tc.nav {
				t.Errorf("navigation %q, want %q", got, tc.nav)
			}
			if got := tb.text("#user-name"); got == "" {
				t.Error("top bar shows no user name")
			}
			if tc.username == "donghai.leader" {
				tb.shot("home")
			}
			tc.check(t, tb)
		})
	}

	t.Run("language switch", func(t *testing.T) {
		tb := b.tab(t, 1366, 900)
		tb.login("donghai.leader", apptest.DemoPassword)
		tb.do(chromedp.Click(chromedp.CSS("#lang-en")), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #greeting`)))
		if got := tb.nav(); got != "Home,Case desk,Directives,Whistles,Patrol coverage,Rosters,Leaders' dashboard,Department league,Racecourse,Org & grid map,Users & roles,Change password" {
			t.Errorf("English navigation %q", got)
		}
		tb.open("/org", "#map")
		tb.waitFor(`document.querySelector('#org-tree .tree-node') !== null`)
		if tree := tb.text("#org-tree"); !strings.Contains(tree, "Donghai Subdistrict") {
			t.Errorf("English tree %q lacks Donghai Subdistrict", tree)
		}
		tb.shot("org-en")
		tb.do(chromedp.Click(chromedp.CSS("#lang-zh")), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #map`)))
	})

	t.Run("change password", func(t *testing.T) {
		tb := b.tab(t, 1366, 900)
		tb.login("resident2", apptest.DemoPassword)
		tb.open("/me/password", "#password-form")
		tb.do(
			chromedp.SendKeys(chromedp.CSS("#old-password"), apptest.DemoPassword),
			chromedp.SendKeys(chromedp.CSS("#new-password"), "Another-Passw0rd!"),
			chromedp.SendKeys(chromedp.CSS("#confirm-password"), "Another-Passw0rd!"),
			chromedp.Click(chromedp.CSS("#password-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#password-continue")),
		)
		if got := tb.text("#password-message"); !strings.Contains(got, "密码已修改") {
			t.Errorf("message %q", got)
		}
	})

	t.Run("resident sign-up", func(t *testing.T) {
		const phone = "13900000009"
		tb := b.tab(t, 1366, 900)
		tb.open("/login", "#login-form")
		tb.do(chromedp.Click(chromedp.CSS("#signup-link")), chromedp.WaitVisible(chromedp.CSS("#signup-form")))
		tb.do(chromedp.SendKeys(chromedp.CSS("#phone"), phone), chromedp.Click(chromedp.CSS("#send-code")),
			chromedp.WaitVisible(chromedp.CSS("#signup-message.alert-ok")))
		sms, ok := s.App.SMS.Last(phone)
		if !ok || len(sms.Params) == 0 {
			t.Fatal("no verification code was sent")
		}
		tb.do(
			chromedp.SendKeys(chromedp.CSS("#code"), fmt.Sprint(sms.Params[0])),
			chromedp.SendKeys(chromedp.CSS("#display-name"), "居民赵六"),
			chromedp.SendKeys(chromedp.CSS("#new-password"), "Resident-Passw0rd!"),
			chromedp.SendKeys(chromedp.CSS("#confirm-password"), "Resident-Passw0rd!"),
			chromedp.Click(chromedp.CSS("#consent")),
			chromedp.Click(chromedp.CSS("#signup-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#greeting")),
		)
		if got := tb.text("#greeting"); !strings.Contains(got, "居民赵六") {
			t.Errorf("greeting %q", got)
		}
		if got := tb.nav(); got != navOf(navHome, navReport, navMine, navServices, navOrg, navPassword, navMyData) {
			t.Errorf("new resident's navigation %q", got)
		}
	})

	t.Run("sign out", func(t *testing.T) {
		tb := b.tab(t, 1366, 900)
		tb.login("resident3", apptest.DemoPassword)
		tb.do(chromedp.Click(chromedp.CSS("#logout-button")), chromedp.WaitVisible(chromedp.CSS("#login-form")))
		tb.do(chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	})
	t.Logf("browser suite took %v", time.Since(start).Round(time.Millisecond))
}

// subdistrictMap checks the org page of a 东海街道 role: its 30 grids, and 东海街道 but no other
// subdistrict's communities in the tree.
func subdistrictMap(t *testing.T, tb *tab) {
	t.Helper()
	tb.open("/org", "#map")
	tb.waitFor(`document.querySelector('#org-tree .tree-node') && document.getElementById('map-status').textContent !== ''`)
	if n := eval[int](tb, gridPaths); n != 30 {
		t.Errorf("东海街道 role sees %d grids, want 30", n)
	}
	tree := tb.text("#org-tree")
	if !strings.Contains(tree, "东海街道") || !strings.Contains(tree, "东梅社区") {
		t.Errorf("tree %q lacks 东海街道 and its communities", tree)
	}
	for _, other := range []string{"城东街道", "北峰街道"} {
		if strings.Contains(tree, other) {
			t.Errorf("tree shows %s, outside 东海街道", other)
		}
	}
}

func TestBrowserPhone(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)
	tb := b.tab(t, 390, 844)
	tb.open("/login", "#login-form")
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("sign-in page is %d px wide on a 390 px phone", w)
	}
	tb.shot("login-phone")
	tb.login("district.leader", apptest.DemoPassword)
	// On a phone the navigation hides behind the menu button.
	if eval[bool](tb, `getComputedStyle(document.getElementById('nav')).display !== 'none'`) {
		t.Error("navigation shown before the menu button is pressed")
	}
	tb.do(chromedp.Click(chromedp.CSS("#menu-button")), chromedp.WaitVisible(chromedp.CSS(`#nav a[href="/org"]`)))
	tb.do(chromedp.Click(chromedp.CSS(`#nav a[href="/org"]`)), chromedp.WaitVisible(chromedp.CSS("#map")))
	tb.waitFor(gridPaths + ` >= 150`)
	mapWidth := eval[float64](tb, `document.getElementById('map').getBoundingClientRect().width`)
	if mapWidth < 340 {
		t.Errorf("map is %.0f px wide on a 390 px phone, want the full width", mapWidth)
	}
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("org page is %d px wide on a 390 px phone", w)
	}
	tb.shot("org-phone")
	tb.open("/users", "#users-table")
	tb.waitFor(`document.querySelectorAll('#users-table tbody tr').length > 0`)
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("users page is %d px wide on a 390 px phone", w)
	}
	tb.shot("users-phone")
}
