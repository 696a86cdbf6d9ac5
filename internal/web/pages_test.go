package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// page is one answer of the server, redirects not followed.
type page struct {
	status int
	header http.Header
	body   string
}

// fetch requests path from the server as the holder of token ("" for anonymous), with extra
// headers given as name, value pairs.
func fetch(t *testing.T, s *apptest.Server, method, path, token string, headers ...string) page {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func TestAnonymousVisitorsAreSentToSignIn(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	for _, path := range []string{"/", "/org", "/users", "/audit", "/me/password", "/logout", "/org?x=1",
		"/report", "/my", "/desk", "/desk/new", "/inbox", "/tasks", "/cases/01a21b4c-a18c-78f9-9c70-1a70ce8a1323", "/directory"} {
		p := fetch(t, s, "GET", path, "")
		want := "/login?next=" + url.QueryEscape(path)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != want {
			t.Errorf("GET %s: %d Location %q, want 303 %q", path, p.status, p.header.Get("Location"), want)
		}
	}
	for _, path := range []string{"/login", "/signup"} {
		p := fetch(t, s, "GET", path, "")
		if p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="zh-CN">`) {
			t.Errorf("GET %s: %d, want 200 and a Chinese page", path, p.status)
		}
	}
	p := fetch(t, s, "GET", "/login", "")
	for _, want := range []string{`id="login-form"`, `href="/signup"`, "用户名或手机号", `/static/js/login.js`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
	// An anonymous reporter's private link needs no sign-in (the API checks its key).
	if p := fetch(t, s, "GET", "/follow/AbCdEfGhIjKlMnOpQrStUvWxYz012345", ""); p.status != http.StatusOK ||
		!strings.Contains(p.body, `id="follow-body"`) || !strings.Contains(p.body, `"token":"AbCdEfGhIjKlMnOpQrStUvWxYz012345"`) {
		t.Errorf("GET /follow/{token}: %d, want the public follow page", p.status)
	}
	// 一网速查 needs no sign-in either (the API serves the directory to everyone).
	for _, path := range []string{"/services?q=yb", "/services/01a21b4c-a18c-78f9-9c70-1a70ce8a1323"} {
		if p := fetch(t, s, "GET", path, ""); p.status != http.StatusOK || !strings.Contains(p.body, `id="svc-`) {
			t.Errorf("GET %s: %d, want the public service page", path, p.status)
		}
	}
	if p := fetch(t, s, "GET", "/no-such-page", ""); p.status != http.StatusNotFound || !strings.Contains(p.body, "页面不存在") {
		t.Errorf("unknown page: %d, want a 404 page", p.status)
	}
}

// navLabels returns the labels of the main navigation of a page.
func navLabels(t *testing.T, body string) []string {
	t.Helper()
	start := strings.Index(body, `<nav id="nav"`)
	if start < 0 {
		return nil
	}
	end := strings.Index(body[start:], "</ul>")
	var labels []string
	for _, m := range regexp.MustCompile(`<a href="[^"]*"[^>]*>([^<]+)</a>`).FindAllStringSubmatch(body[start:start+end], -1) {
		labels = append(labels, m[1])
	}
	return labels
}

func TestNavigationFollowsRoles(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	const (
		home, org, users, audit, pw             = "首页", "组织与网格", "用户与角色", "审计日志", "修改密码"
		apikeys                                 = "Open311 接入密钥"
		deliveries                              = "外发消息"
		onboard, settings                       = "上线导入", "系统配置"
		dashboard, racecourse, schemes          = "领导驾驶舱", "赛马场", "考评方案"
		league, whistles, directives            = "部门排行", "吹哨报到", "指令签收"
		patrol, coverage, rosters               = "巡查", "巡查覆盖", "共建名册"
		report, my, tasks, desk, hotline, inbox = "我要反映", "我的反映", "网格任务", "受理台", "热线录入", "部门待办"
		myData                                  = "我的数据"
		services, directory                     = "一网速查", "办事指南维护"
	)
	cases := []struct {
		username string
		nav      []string
		refused  []string // pages answered with 403
		opens    []string // pages answered with 200 besides /org and /me/password
	}{
		{"resident1", []string{home, report, my, services, org, pw, myData}, []string{"/users", "/audit", "/desk", "/desk/new", "/inbox", "/tasks", "/apikeys", "/onboard", "/settings", "/directory"}, []string{"/report", "/my", "/cases/some-id", "/me/data", "/services", "/services/some-id"}},
		{"donghai.directory_editor", []string{home, directory, org, pw}, []string{"/users", "/audit", "/report", "/desk", "/inbox", "/tasks", "/apikeys"}, []string{"/directory", "/services"}},
		{"donghai.grid_worker", []string{home, tasks, patrol, directives, whistles, org, pw}, []string{"/users", "/audit", "/desk", "/desk/new", "/inbox", "/apikeys"}, []string{"/tasks", "/report", "/cases/some-id"}},
		{"donghai.intake_operator", []string{home, desk, hotline, org, pw}, []string{"/users", "/audit", "/inbox", "/tasks", "/apikeys"}, []string{"/desk", "/desk/new", "/report"}},
		{"donghai.shift_lead", []string{home, desk, directives, whistles, coverage, rosters, dashboard, league, racecourse, org, pw}, []string{"/users", "/audit", "/inbox", "/tasks", "/apikeys"}, []string{"/desk", "/desk/new"}},
		{"donghai.dispatcher", []string{home, desk, directives, whistles, coverage, dashboard, league, org, pw}, []string{"/users", "/audit", "/report", "/desk/new", "/inbox", "/tasks", "/apikeys", "/onboard", "/settings/routing"}, []string{"/desk", "/cases/some-id"}},
		{"dept01.staff", []string{home, inbox, whistles, org, pw}, []string{"/users", "/audit", "/report", "/desk", "/tasks", "/apikeys"}, []string{"/inbox", "/cases/some-id"}},
		{"donghai.leader", []string{home, desk, directives, whistles, coverage, rosters, dashboard, league, racecourse, org, users, pw}, []string{"/audit", "/report", "/inbox", "/tasks", "/apikeys"}, []string{"/desk"}},
		{"sysadmin", []string{home, org, onboard, settings, apikeys, deliveries, schemes, pw}, []string{"/users", "/audit", "/report", "/desk", "/inbox", "/tasks", "/cases/x"}, []string{"/apikeys", "/deliveries", "/onboard", "/settings", "/settings/routing", "/settings/calendar"}},
		{"secadmin", []string{home, org, users, onboard, pw}, []string{"/audit", "/desk", "/apikeys", "/deliveries", "/settings"}, []string{"/onboard"}},
		{"auditadmin", []string{home, org, audit, pw}, []string{"/users", "/desk", "/apikeys"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.username, func(t *testing.T) {
			token := s.Login(t, tc.username).Token
			p := fetch(t, s, "GET", "/", token)
			if p.status != http.StatusOK {
				t.Fatalf("GET /: %d", p.status)
			}
			if got := navLabels(t, p.body); strings.Join(got, ",") != strings.Join(tc.nav, ",") {
				t.Errorf("navigation %v, want %v", got, tc.nav)
			}
			for _, path := range tc.refused {
				if p := fetch(t, s, "GET", path, token); p.status != http.StatusForbidden {
					t.Errorf("GET %s: %d, want 403", path, p.status)
				}
			}
			for _, path := range append([]string{"/org", "/me/password"}, tc.opens...) {
				if p := fetch(t, s, "GET", path, token); p.status != http.StatusOK {
					t.Errorf("GET %s: %d, want 200", path, p.status)
				}
			}
		})
	}

	t.Run("only sys_admin gets the grid import form", func(t *testing.T) {
		for user, want := range map[string]bool{"sysadmin": true, "district.leader": false, "donghai.grid_worker": false} {
			p := fetch(t, s, "GET", "/org", s.Login(t, user).Token)
			if got := strings.Contains(p.body, `id="import-form"`); got != want {
				t.Errorf("%s: import form shown %v, want %v", user, got, want)
			}
		}
	})
	t.Run("leaders read users, security administrators manage them", func(t *testing.T) {
		leader := fetch(t, s, "GET", "/users", s.Login(t, "donghai.leader").Token)
		admin := fetch(t, s, "GET", "/users", s.Login(t, "secadmin").Token)
		if strings.Contains(leader.body, `id="create-form"`) || !strings.Contains(leader.body, `id="read-only"`) {
			t.Error("leader's users page is not read-only")
		}
		if !strings.Contains(admin.body, `id="create-form"`) || !strings.Contains(admin.body, `"can_write":true`) {
			t.Error("secadmin's users page has no create form")
		}
	})
	t.Run("home shows roles with their org", func(t *testing.T) {
		p := fetch(t, s, "GET", "/", s.Login(t, "donghai.leader").Token)
		for _, want := range []string{"东海街道领导，您好", "领导", "东海街道", "350503001"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("home lacks %q", want)
			}
		}
	})
}

func TestLanguageSwitch(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	p := fetch(t, s, "GET", "/lang/en?next="+url.QueryEscape("/org?x=1"), "")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/org?x=1" {
		t.Fatalf("switch: %d Location %q", p.status, p.header.Get("Location"))
	}
	cookie := p.header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "lang=en;") || !strings.Contains(cookie, "Path=/") {
		t.Errorf("switch set cookie %q, want lang=en for the whole site", cookie)
	}
	token := s.Login(t, "secadmin").Token
	en := fetch(t, s, "GET", "/", token, "Cookie", "lang=en")
	if !strings.Contains(en.body, `<html lang="en">`) || !strings.Contains(en.body, "Users &amp; roles") ||
		!strings.Contains(en.body, "Sign out") || strings.Contains(en.body, "用户与角色") {
		t.Error("with lang=en the page is not in English")
	}
	if got := navLabels(t, en.body); strings.Join(got, ",") != "Home,Org &amp; grid map,Users &amp; roles,Onboarding,Change password" {
		t.Errorf("English navigation %v", got)
	}
	zh := fetch(t, s, "GET", "/", token, "Accept-Language", "en-US", "Cookie", "lang=zh-CN")
	if !strings.Contains(zh.body, `<html lang="zh-CN">`) || !strings.Contains(zh.body, "用户与角色") {
		t.Error("the lang cookie does not win over Accept-Language")
	}
	if p := fetch(t, s, "GET", "/", token, "Accept-Language", "en-US,en;q=0.9"); !strings.Contains(p.body, `<html lang="en">`) {
		t.Error("Accept-Language en does not give English")
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		if p := fetch(t, s, "GET", "/lang/zh-CN?next="+url.QueryEscape(next), ""); p.header.Get("Location") != "/" {
			t.Errorf("next=%q: Location %q, want /", next, p.header.Get("Location"))
		}
	}
	// The switch's way back drops a ?lang= that would overrule the choice.
	if p := fetch(t, s, "GET", "/org?lang=en&x=1", token); !strings.Contains(p.body, `href="/lang/zh-CN?next=%2forg%3fx%3d1"`) {
		t.Error("the language switch keeps ?lang= in its way back")
	}
	if p := fetch(t, s, "GET", "/lang/fr", ""); p.status != http.StatusNotFound {
		t.Errorf("unknown language: %d, want 404", p.status)
	}
}

func TestMustChangePasswordComesFirst(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	admin := s.Login(t, "secadmin")
	status := admin.Do("POST", "/api/v1/users", map[string]any{
		"username": "newcomer", "display_name": "新同事", "password": "First-Passw0rd!",
		"roles": []map[string]string{{"role": "grid_worker", "org_code": "350503001001"}},
	}, nil)
	if status != http.StatusCreated {
		t.Fatalf("create user: %d", status)
	}
	var res struct {
		Token string `json:"token"`
		Must  bool   `json:"must_change_password"`
	}
	if st := s.Anonymous(t).Do("POST", "/api/v1/auth/login", map[string]string{"username": "newcomer", "password": "First-Passw0rd!"}, &res); st != http.StatusOK || !res.Must {
		t.Fatalf("login: %d must_change_password=%v", st, res.Must)
	}
	for _, path := range []string{"/", "/org"} {
		if p := fetch(t, s, "GET", path, res.Token); p.status != http.StatusSeeOther || p.header.Get("Location") != "/me/password" {
			t.Errorf("GET %s: %d Location %q, want 303 /me/password", path, p.status, p.header.Get("Location"))
		}
	}
	p := fetch(t, s, "GET", "/me/password", res.Token)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="must-change"`) {
		t.Errorf("password page: %d, want 200 with the must-change notice", p.status)
	}
	c := &apptest.Client{T: t, Base: s.URL, Token: res.Token, HTTP: http.DefaultClient}
	if st := c.Do("POST", "/api/v1/me/password", map[string]string{"old_password": "First-Passw0rd!", "new_password": "Second-Passw0rd!"}, nil); st != http.StatusNoContent {
		t.Fatalf("change password: %d", st)
	}
	if p := fetch(t, s, "GET", "/", res.Token); p.status != http.StatusOK {
		t.Errorf("after the change GET /: %d, want 200", p.status)
	}
}

func TestSignInPageSendsSignedInUsersOn(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	token := s.Login(t, "resident1").Token
	p := fetch(t, s, "GET", "/login?next="+url.QueryEscape("/org"), token)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/org" {
		t.Errorf("signed in GET /login: %d Location %q, want 303 /org", p.status, p.header.Get("Location"))
	}
	p = fetch(t, s, "GET", "/login?next="+url.QueryEscape("https://evil.example/"), "")
	if !strings.Contains(p.body, `data-next="/"`) {
		t.Error("the sign-in page keeps a next that leads off the site")
	}
	p = fetch(t, s, "POST", "/login", "")
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "JavaScript") {
		t.Errorf("POST /login without a script: %d, want 400 asking for JavaScript", p.status)
	}
}

func TestSignOut(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	var res struct {
		Token string `json:"token"`
	}
	s.Anonymous(t).Do("POST", "/api/v1/auth/login", map[string]string{"username": "resident1", "password": apptest.DemoPassword}, &res)
	cookie := "yiwang_session=" + res.Token

	// Another site cannot sign the user out.
	p := fetch(t, s, "POST", "/logout", "", "Cookie", cookie, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if p.status != http.StatusForbidden {
		t.Errorf("cross-site POST /logout: %d, want 403", p.status)
	}
	if p := fetch(t, s, "GET", "/", "", "Cookie", cookie); p.status != http.StatusOK {
		t.Fatalf("session ended by a cross-site request: %d", p.status)
	}
	if p := fetch(t, s, "GET", "/logout", "", "Cookie", cookie); p.status != http.StatusOK || !strings.Contains(p.body, `action="/logout"`) {
		t.Errorf("GET /logout: %d, want a confirmation page", p.status)
	}
	p = fetch(t, s, "POST", "/logout", "", "Cookie", cookie, "Sec-Fetch-Site", "same-origin")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Errorf("POST /logout: %d Location %q, want 303 /login", p.status, p.header.Get("Location"))
	}
	if !strings.Contains(p.header.Get("Set-Cookie"), "yiwang_session=;") {
		t.Errorf("POST /logout did not clear the cookie: %q", p.header.Get("Set-Cookie"))
	}
	if p := fetch(t, s, "GET", "/", "", "Cookie", cookie); p.status != http.StatusSeeOther {
		t.Errorf("after sign-out GET /: %d, want 303 to sign in", p.status)
	}
}

func TestStaticAssets(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	cases := []struct {
		path, contentType, contains string
	}{
		{"/static/css/app.css", "text/css; charset=utf-8", "WenQuanYi Micro Hei"},
		{"/static/js/api.js", "text/javascript; charset=utf-8", "export async function api"},
		{"/static/js/org.js", "text/javascript; charset=utf-8", "grids?format=geojson"},
		{"/static/img/favicon.svg", "image/svg+xml", "<svg"},
		// Leaflet comes from npm (scripts/web-assets.sh); these fail when the assets were not built.
		{"/static/vendor/leaflet/leaflet.js", "text/javascript; charset=utf-8", "Leaflet 1.9.4"},
		{"/static/vendor/leaflet/leaflet.css", "text/css; charset=utf-8", ".leaflet-pane"},
		{"/static/vendor/leaflet/images/layers.png", "image/png", "PNG"},
	}
	for _, tc := range cases {
		p := fetch(t, s, "GET", tc.path, "")
		if p.status != http.StatusOK {
			t.Errorf("GET %s: %d (run `make assets` when a vendor file is missing)", tc.path, p.status)
			continue
		}
		if got := p.header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		if !strings.Contains(p.body, tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		etag := p.header.Get("ETag")
		if etag == "" || p.header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: ETag %q Cache-Control %q", tc.path, etag, p.header.Get("Cache-Control"))
			continue
		}
		if again := fetch(t, s, "GET", tc.path, "", "If-None-Match", etag); again.status != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", tc.path, again.status)
		}
	}
	for _, path := range []string{"/static/js/missing.js", "/static/", "/static/vendor/"} {
		if p := fetch(t, s, "GET", path, ""); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.status)
		}
	}
	// Every page carries the CSP; the pages run no inline script, so it holds.
	p := fetch(t, s, "GET", "/login", "")
	if !strings.Contains(p.header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Error("sign-in page without the Content-Security-Policy")
	}
	if regexp.MustCompile(`<script(?: type="module")?>|\son[a-z]+="`).MatchString(p.body) {
		t.Error("sign-in page has an inline script or event handler, which the CSP blocks")
	}
}
