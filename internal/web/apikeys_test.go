package web

import (
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The Open311 keys page belongs to the sys_admin of the whole district: a sys_admin held at a
// subdistrict gets neither the menu entry nor the page (the API would refuse it anyway).
func TestAPIKeysPageIsTheDistrictSysAdmins(t *testing.T) {
	label := func(key string, _ ...any) string { return key }
	at := func(role access.Role, path string) *access.Principal {
		return &access.Principal{Grants: []access.Grant{{Role: role, OrgPath: path}}}
	}
	paths := func(p *access.Principal) string {
		var out []string
		for _, item := range menu(p, pageAPIKeys, label) {
			out = append(out, item.Path)
			if item.Path == "/apikeys" && !item.Active {
				t.Error("the keys page is not marked active on itself")
			}
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		p     *access.Principal
		menu  string
		opens bool
	}{
		{at(access.SysAdmin, "/350503/"), "/ /org /onboard /settings /apikeys /deliveries /schemes /me/password", true},
		{at(access.SysAdmin, "/350503/350503001/"), "/ /org /me/password", false},
		{at(access.SecAdmin, "/350503/"), "/ /org /users /onboard /me/password", false},
		{at(access.AuditAdmin, "/350503/"), "/ /org /audit /me/password", false},
		{at(access.Leader, "/350503/"), "/ /desk /directives /whistles /patrols/coverage /rosters /dashboard /league /racecourse /org /users /me/password", false},
		{at(access.Resident, "/350503/"), "/ /report /my /services /org /me/password /me/data", false},
		// A subdistrict grant beside a district one: the district one counts.
		{&access.Principal{Grants: []access.Grant{{Role: access.SysAdmin, OrgPath: "/350503/350503001/"},
			{Role: access.SysAdmin, OrgPath: "/350503/"}}}, "/ /org /onboard /settings /apikeys /deliveries /schemes /me/password", true},
	}
	for _, tc := range cases {
		if got := paths(tc.p); got != tc.menu {
			t.Errorf("%+v: menu %q, want %q", tc.p.Grants, got, tc.menu)
		}
		if got := opens(tc.p, pageAPIKeys); got != tc.opens {
			t.Errorf("%+v: opens the keys page %v, want %v", tc.p.Grants, got, tc.opens)
		}
		var linked bool
		for _, l := range quickLinks(tc.p, label) {
			linked = linked || l.Path == "/apikeys"
		}
		if linked != tc.opens {
			t.Errorf("%+v: home links the keys page %v, want %v", tc.p.Grants, linked, tc.opens)
		}
	}
}
