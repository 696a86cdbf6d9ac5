package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

func TestSafeNext(t *testing.T) {
	cases := map[string]string{
		"":                         "/",
		"/":                        "/",
		"/org":                     "/org",
		"/audit?actor=x&result=ok": "/audit?actor=x&result=ok",
		"//evil.example/":          "/",
		"/\\evil.example":          "/",
		"https://evil.example/":    "/",
		"javascript:alert(1)":      "/",
		"org":                      "/",
		"/org\r\nSet-Cookie: x=1":  "/",
	}
	for in, want := range cases {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"/login": "/", "/login?next=/org": "/", "/signup": "/", "/logout": "/", "/users": "/users"} {
		if got := afterLogin(in); got != want {
			t.Errorf("afterLogin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMenuFollowsPermissions(t *testing.T) {
	label := func(key string, _ ...any) string { return key }
	paths := func(roles ...access.Role) string {
		p := &access.Principal{}
		for _, r := range roles {
			p.Grants = append(p.Grants, access.Grant{Role: r})
		}
		var out []string
		for _, item := range menu(p, pageOrg, label) {
			out = append(out, item.Path)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		roles []access.Role
		want  string
	}{
		{[]access.Role{access.Resident}, "/ /report /my /services /org /me/password /me/data"},
		{[]access.Role{access.DirectoryEditor}, "/ /directory /org /me/password"},
		{[]access.Role{access.GridWorker}, "/ /tasks /patrol /directives /whistles /org /me/password"},
		{[]access.Role{access.IntakeOperator}, "/ /desk /desk/new /org /me/password"},
		{[]access.Role{access.ShiftLead}, "/ /desk /directives /whistles /patrols/coverage /rosters /dashboard /league /racecourse /org /me/password"},
		{[]access.Role{access.Dispatcher}, "/ /desk /directives /whistles /patrols/coverage /dashboard /league /org /me/password"},
		{[]access.Role{access.DepartmentStaff}, "/ /inbox /whistles /org /me/password"},
		{[]access.Role{access.Leader}, "/ /desk /directives /whistles /patrols/coverage /rosters /dashboard /league /racecourse /org /users /me/password"},
		{[]access.Role{access.CommunityStaff}, "/ /directives /whistles /patrols/coverage /rosters /org /me/password"},
		{[]access.Role{access.Volunteer}, "/ /patrol /org /me/password"},
		{[]access.Role{access.SecAdmin}, "/ /org /users /me/password"},
		{[]access.Role{access.AuditAdmin}, "/ /org /audit /me/password"},
		{[]access.Role{access.SysAdmin}, "/ /org /me/password"}, // not held at the district node (TestAPIKeysPageIsTheDistrictSysAdmins)
		{[]access.Role{access.Leader, access.AuditAdmin}, "/ /desk /directives /whistles /patrols/coverage /rosters /dashboard /league /racecourse /org /users /audit /me/password"},
		{nil, "/ /me/password"},
	}
	for _, tc := range cases {
		if got := paths(tc.roles...); got != tc.want {
			t.Errorf("roles %v: menu %q, want %q", tc.roles, got, tc.want)
		}
	}
	items := menu(&access.Principal{Grants: []access.Grant{{Role: access.Resident}}}, pageOrg, label)
	if !items[4].Active || items[0].Active {
		t.Errorf("active item: %+v", items)
	}
}

// TestTextsExist checks that every catalogue key the templates and scripts name literally is in
// both languages, so no page shows a bare key.
func TestTextsExist(t *testing.T) {
	cat := i18n.MustLoad()
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.T "([a-z_.]+)"`),                               // templates
		regexp.MustCompile(`\bt\('([a-z_.]+)'`),                              // scripts
		regexp.MustCompile(`"((?:web|role|kind|auth|desk)\.[a-z_.]*[a-z])"`), // Go and templates
	}
	checked := 0
	check := func(name, text string) {
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				key := m[1]
				if strings.HasSuffix(key, ".") {
					continue // a prefix to which the code appends a value
				}
				checked++
				for _, lang := range []string{i18n.ZH, i18n.EN} {
					if !cat.Has(lang, key) {
						t.Errorf("%s: key %q has no %s text", name, key, lang)
					}
				}
			}
		}
	}
	for _, root := range []fs.FS{templateFiles, staticFiles} {
		fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(name, "vendor/") {
				return err
			}
			if strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".js") {
				b, _ := fs.ReadFile(root, name)
				check(name, string(b))
			}
			return nil
		})
	}
	for _, e := range navigation {
		check("navigation", `"`+e.Key+`"`)
	}
	for _, action := range auditActions {
		if !cat.Has(i18n.ZH, "web.action."+action) || !cat.Has(i18n.EN, "web.action."+action) {
			t.Errorf("audit action %q has no name", action)
		}
	}
	for _, suffix := range []string{"org", "import", "users_manage", "users_read", "audit", "apikeys", "password"} {
		check("home links", `"web.home.link.`+suffix+`.title" "web.home.link.`+suffix+`.text"`)
	}
	for _, suffix := range []string{"report", "my", "tasks", "desk", "hotline", "inbox"} {
		check("home links", `"desk.home.`+suffix+`.title" "desk.home.`+suffix+`.text"`)
	}
	if checked < 200 {
		t.Fatalf("only %d key uses found: the patterns no longer match the sources", checked)
	}
}
