package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// The scope test: for every API endpoint that exists, every role is shown to be unable to read
// or change data outside its scope. Roles are held by the demo accounts of 东海街道 (350503001)
// and district-level accounts; the "other" data belongs to 城东街道 (350503002).

const (
	home      = "350503001" // 东海街道
	other     = "350503002" // 城东街道
	otherComm = "350503002001"
)

// every demo account, one per role (and the district-level ones).
var accounts = []string{"resident1", "donghai.grid_worker", "donghai.intake_operator", "donghai.shift_lead",
	"donghai.dispatcher", "dept01.staff", "donghai.leader", "district.leader", "sysadmin", "secadmin", "auditadmin",
	"donghai.community_staff", "donghai.volunteer", "donghai.mediator", "donghai.directory_editor", "donghai.finance_officer"}

// subdistrictStaff are the roles whose territory is their subdistrict.
var subdistrictStaff = []string{"donghai.grid_worker", "donghai.intake_operator", "donghai.shift_lead",
	"donghai.dispatcher", "donghai.leader"}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

type fixture struct {
	srv        *apptest.Server
	clients    map[string]*apptest.Client
	otherUser  string // id of chengdong.leader
	homeUser   string // id of donghai.grid_worker
	otherGrid  string // a grid code of 城东
	subSec     *apptest.Client
	subAudit   *apptest.Client
	subSys     *apptest.Client
	anonymous  *apptest.Client
	otherGrant string // a grant id of chengdong.leader
}

func newFixture(t *testing.T, engine db.Engine) *fixture {
	f := &fixture{srv: apptest.Start(t, engine), clients: map[string]*apptest.Client{}}
	for _, a := range accounts {
		f.clients[a] = f.srv.Login(t, a)
	}
	f.anonymous = f.srv.Anonymous(t)
	sec := f.clients["secadmin"]
	var list struct {
		Users []struct {
			ID       string `json:"id"`
			Username string `json:"username"`
			Roles    []struct {
				ID string `json:"id"`
			} `json:"roles"`
		} `json:"users"`
	}
	sec.Do("GET", "/api/v1/users?limit=500", nil, &list)
	for _, u := range list.Users {
		switch u.Username {
		case "chengdong.leader":
			f.otherUser, f.otherGrant = u.ID, u.Roles[0].ID
		case "donghai.grid_worker":
			f.homeUser = u.ID
		}
	}
	var grids struct {
		Grids []struct{ Code string } `json:"grids"`
	}
	f.clients["district.leader"].Do("GET", "/api/v1/grids?subdistrict="+other, nil, &grids)
	if f.otherUser == "" || f.homeUser == "" || len(grids.Grids) == 0 {
		t.Fatalf("fixture incomplete: %q %q %d grids", f.otherUser, f.homeUser, len(grids.Grids))
	}
	f.otherGrid = grids.Grids[0].Code
	// Administrators held at the subdistrict level, to show their reach stops at its border.
	for _, spec := range []struct {
		name, role string
		dst        **apptest.Client
	}{{"donghai.secadmin", "sec_admin", &f.subSec}, {"donghai.auditadmin", "audit_admin", &f.subAudit}, {"donghai.sysadmin", "sys_admin", &f.subSys}} {
		no := false
		status := sec.Do("POST", "/api/v1/users", map[string]any{"username": spec.name, "display_name": spec.name,
			"password": apptest.DemoPassword, "must_change_password": no,
			"roles": []map[string]string{{"role": spec.role, "org_code": home}}}, nil)
		if status != http.StatusCreated {
			t.Fatalf("create %s: %d", spec.name, status)
		}
		*spec.dst = f.srv.Login(t, spec.name)
	}
	return f
}

// scenario checks one endpoint for every caller.
type scenario struct {
	route string // the mux pattern it covers
	check func(t *testing.T, f *fixture)
}

func raw(t *testing.T, c *apptest.Client, method, path string, body any) (int, string) {
	t.Helper()
	status, b := c.Raw(method, path, body)
	return status, string(b)
}

// expectStatus asserts that every listed caller gets want.
func expectStatus(t *testing.T, f *fixture, callers []string, method, path string, body any, want int) {
	t.Helper()
	for _, name := range callers {
		if f.clients[name] == nil {
			f.clients[name] = f.srv.Login(t, name) // accounts beyond the standard set, on first use
		}
		if status, b := raw(t, f.clients[name], method, path, body); status != want {
			t.Errorf("%s %s as %s: status %d, want %d: %.200s", method, path, name, status, want, b)
		}
	}
}

func except(names ...string) []string {
	var out []string
	for _, a := range accounts {
		if !contains(names, a) {
			out = append(out, a)
		}
	}
	return out
}

// scenarios covers the foundation's routes; each domain adds its own from a file of its own
// (scope_<domain>_test.go) with an init function appending to this list.
var scenarios = []scenario{
	{"GET /api/v1/org/tree", func(t *testing.T, f *fixture) {
		for _, name := range subdistrictStaff {
			_, body := raw(t, f.clients[name], "GET", "/api/v1/org/tree", nil)
			if !strings.Contains(body, home+"001") || strings.Contains(body, otherComm) {
				t.Errorf("%s tree: must show its communities only: %.300s", name, body)
			}
		}
		for _, name := range []string{"resident1", "dept01.staff", "district.leader"} {
			if _, body := raw(t, f.clients[name], "GET", "/api/v1/org/tree", nil); !strings.Contains(body, otherComm) {
				t.Errorf("%s should see the whole district's public geography", name)
			}
		}
		_, body := raw(t, f.subSec, "GET", "/api/v1/org/tree", nil)
		if strings.Contains(body, otherComm) {
			t.Error("subdistrict sec_admin sees another subdistrict's communities")
		}
	}},
	{"GET /api/v1/zones", func(t *testing.T, f *fixture) {
		for _, name := range subdistrictStaff {
			_, body := raw(t, f.clients[name], "GET", "/api/v1/zones", nil)
			if !strings.Contains(body, home+"Z01") || strings.Contains(body, other+"Z01") {
				t.Errorf("%s zones not scoped: %.200s", name, body)
			}
		}
	}},
	{"GET /api/v1/departments", func(t *testing.T, f *fixture) {
		expectStatus(t, f, accounts, "GET", "/api/v1/departments", nil, 200)
	}},
	{"GET /api/v1/grids", func(t *testing.T, f *fixture) {
		for _, name := range subdistrictStaff {
			_, body := raw(t, f.clients[name], "GET", "/api/v1/grids", nil)
			if strings.Contains(body, `"subdistrict_code":"`+other) || !strings.Contains(body, `"subdistrict_code":"`+home) {
				t.Errorf("%s grid list not scoped", name)
			}
			_, body = raw(t, f.clients[name], "GET", "/api/v1/grids?format=geojson&subdistrict="+other, nil)
			if strings.Contains(body, f.otherGrid) {
				t.Errorf("%s reads another subdistrict's polygons by filter", name)
			}
		}
	}},
	{"GET /api/v1/grids/{code}", func(t *testing.T, f *fixture) {
		expectStatus(t, f, subdistrictStaff, "GET", "/api/v1/grids/"+f.otherGrid, nil, 404)
		expectStatus(t, f, []string{"district.leader", "dept01.staff"}, "GET", "/api/v1/grids/"+f.otherGrid, nil, 200)
	}},
	{"GET /api/v1/grids/export", func(t *testing.T, f *fixture) {
		for _, name := range subdistrictStaff {
			if _, body := raw(t, f.clients[name], "GET", "/api/v1/grids/export", nil); strings.Contains(body, f.otherGrid) {
				t.Errorf("%s exports another subdistrict's grids", name)
			}
		}
	}},
	{"GET /api/v1/grids/locate", func(t *testing.T, f *fixture) {
		expectStatus(t, f, accounts, "GET", "/api/v1/grids/locate?lat=24.91&lng=118.60", nil, 200)
		if s, _ := raw(t, f.anonymous, "GET", "/api/v1/grids/locate?lat=24.91&lng=118.60", nil); s != 401 {
			t.Errorf("anonymous locate: %d", s)
		}
	}},
	{"POST /api/v1/grids/import", func(t *testing.T, f *fixture) {
		var fc map[string]any
		f.clients["district.leader"].Do("GET", "/api/v1/grids/export", nil, &fc)
		body, _ := json.Marshal(fc)
		expectStatus(t, f, except("sysadmin"), "POST", "/api/v1/grids/import", body, 403)
		// A subdistrict's sys_admin cannot import grids of another subdistrict: refused, nothing written.
		if s, b := raw(t, f.subSys, "POST", "/api/v1/grids/import", body); s != 400 || !strings.Contains(b, otherComm) {
			t.Errorf("subdistrict sys_admin importing other grids: %d %.200s", s, b)
		}
	}},
	{"GET /api/v1/users", func(t *testing.T, f *fixture) {
		expectStatus(t, f, except("secadmin", "donghai.leader", "district.leader"), "GET", "/api/v1/users", nil, 403)
		for _, c := range []*apptest.Client{f.clients["donghai.leader"], f.subSec} {
			_, body := raw(t, c, "GET", "/api/v1/users", nil)
			if strings.Contains(body, "chengdong.") || !strings.Contains(body, "donghai.grid_worker") {
				t.Errorf("%s user list not scoped", c.Username)
			}
			if strings.Contains(body, "argon2id") || strings.Contains(body, "phone_hash") || strings.Contains(body, "13800000001") {
				t.Error("user list leaks credentials")
			}
		}
	}},
	{"GET /api/v1/users/{id}", func(t *testing.T, f *fixture) {
		path := "/api/v1/users/" + f.otherUser
		expectStatus(t, f, except("secadmin", "donghai.leader", "district.leader"), "GET", path, nil, 403)
		expectStatus(t, f, []string{"donghai.leader"}, "GET", path, nil, 404)
		if s, _ := raw(t, f.subSec, "GET", path, nil); s != 404 {
			t.Errorf("subdistrict sec_admin reads another subdistrict's user: %d", s)
		}
	}},
	{"POST /api/v1/users", func(t *testing.T, f *fixture) {
		body := map[string]any{"username": "intruder", "display_name": "x", "password": apptest.DemoPassword,
			"roles": []map[string]string{{"role": "leader", "org_code": other}}}
		expectStatus(t, f, except("secadmin"), "POST", "/api/v1/users", body, 403)
		if s, _ := raw(t, f.subSec, "POST", "/api/v1/users", body); s != 404 {
			t.Errorf("subdistrict sec_admin created a user in another subdistrict: %d", s)
		}
	}},
	{"POST /api/v1/users/{id}/disable", func(t *testing.T, f *fixture) {
		path := "/api/v1/users/" + f.otherUser + "/disable"
		expectStatus(t, f, except("secadmin"), "POST", path, nil, 403)
		if s, _ := raw(t, f.subSec, "POST", path, nil); s != 404 {
			t.Errorf("subdistrict sec_admin disabled another subdistrict's user: %d", s)
		}
	}},
	{"POST /api/v1/users/{id}/enable", func(t *testing.T, f *fixture) {
		path := "/api/v1/users/" + f.otherUser + "/enable"
		expectStatus(t, f, except("secadmin"), "POST", path, nil, 403)
		if s, _ := raw(t, f.subSec, "POST", path, nil); s != 404 {
			t.Errorf("subdistrict sec_admin enabled another subdistrict's user: %d", s)
		}
	}},
	{"POST /api/v1/users/{id}/password", func(t *testing.T, f *fixture) {
		path := "/api/v1/users/" + f.otherUser + "/password"
		body := map[string]string{"password": "Another-Passw0rd"}
		expectStatus(t, f, except("secadmin"), "POST", path, body, 403)
		if s, _ := raw(t, f.subSec, "POST", path, body); s != 404 {
			t.Errorf("subdistrict sec_admin reset another subdistrict's password: %d", s)
		}
	}},
	{"POST /api/v1/users/{id}/roles", func(t *testing.T, f *fixture) {
		path := "/api/v1/users/" + f.homeUser + "/roles"
		body := map[string]string{"role": "leader", "org_code": other}
		expectStatus(t, f, except("secadmin"), "POST", path, body, 403)
		if s, _ := raw(t, f.subSec, "POST", path, body); s != 404 {
			t.Errorf("subdistrict sec_admin granted a role in another subdistrict: %d", s)
		}
	}},
	{"DELETE /api/v1/users/{id}/roles/{grant}", func(t *testing.T, f *fixture) {
		path := "/api/v1/users/" + f.otherUser + "/roles/" + f.otherGrant
		expectStatus(t, f, except("secadmin"), "DELETE", path, nil, 403)
		if s, _ := raw(t, f.subSec, "DELETE", path, nil); s != 404 {
			t.Errorf("subdistrict sec_admin revoked another subdistrict's role: %d", s)
		}
	}},
	{"GET /api/v1/audit", func(t *testing.T, f *fixture) {
		expectStatus(t, f, except("auditadmin"), "GET", "/api/v1/audit", nil, 403)
		_, body := raw(t, f.subAudit, "GET", "/api/v1/audit?limit=500", nil)
		if strings.Contains(body, `"org_code":"`+other) || !strings.Contains(body, `"org_code":"`+home) {
			t.Errorf("subdistrict audit_admin sees records outside its subtree: %.300s", body)
		}
	}},
	{"GET /api/v1/audit/verify", func(t *testing.T, f *fixture) {
		expectStatus(t, f, except("auditadmin"), "GET", "/api/v1/audit/verify", nil, 403)
		if s, _ := raw(t, f.subAudit, "GET", "/api/v1/audit/verify", nil); s != 403 {
			t.Errorf("subdistrict audit_admin verified the whole chain: %d", s)
		}
	}},
	{"GET /api/v1/me", func(t *testing.T, f *fixture) {
		for _, name := range accounts {
			var me struct{ Username string }
			f.clients[name].Do("GET", "/api/v1/me", nil, &me)
			if me.Username != name {
				t.Errorf("/me as %s returned %q", name, me.Username)
			}
		}
	}},
	{"POST /api/v1/me/password", func(t *testing.T, f *fixture) {
		// Only one's own password, and only with the old one.
		body := map[string]string{"old_password": "wrong-Passw0rd", "new_password": "Another-Passw0rd"}
		expectStatus(t, f, accounts, "POST", "/api/v1/me/password", body, 400)
	}},
	{"POST /api/v1/auth/login", nil},
	{"POST /api/v1/auth/logout", nil},
	{"POST /api/v1/auth/signup/code", nil},
	{"POST /api/v1/auth/signup", nil},
	{"GET /api/v1/openapi.json", nil},
	{"/api/", nil},
}

// publicRoutes need no sign-in; every other API route answers 401 to an anonymous caller.
// Domains append their public routes from their own files too.
var publicRoutes = []string{"POST /api/v1/auth/login", "POST /api/v1/auth/logout", "POST /api/v1/auth/signup/code",
	"POST /api/v1/auth/signup", "GET /api/v1/openapi.json", "/api/"}

func TestEveryRoleIsScopedOnEveryEndpoint(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			covered := map[string]bool{}
			for _, sc := range scenarios {
				covered[sc.route] = true
			}
			for _, route := range f.srv.App.Routes() {
				if strings.Contains(route, "/api/") && !covered[route] {
					t.Errorf("route %q has no scope scenario: add one", route)
				}
			}
			for _, sc := range scenarios {
				if !contains(publicRoutes, sc.route) {
					method, path, _ := strings.Cut(sc.route, " ")
					path = strings.NewReplacer("{id}", f.otherUser, "{code}", f.otherGrid, "{grant}", f.otherGrant).Replace(path)
					if s, _ := raw(t, f.anonymous, method, path, nil); s != 401 {
						t.Errorf("anonymous %s: status %d, want 401", sc.route, s)
					}
				}
				if sc.check != nil {
					t.Run(sc.route, func(t *testing.T) { sc.check(t, f) })
				}
			}
			// Nothing that was refused changed anything: the other subdistrict's leader is intact.
			var u struct {
				Disabled bool
				Roles    []any
			}
			f.clients["secadmin"].Do("GET", "/api/v1/users/"+f.otherUser, nil, &u)
			if u.Disabled || len(u.Roles) != 1 {
				t.Errorf("a refused request changed chengdong.leader: %+v", u)
			}
			if s, _ := raw(t, f.clients["secadmin"], "GET", "/api/v1/users?q=intruder", nil); s != 200 {
				t.Error(s)
			} else if _, b := raw(t, f.clients["secadmin"], "GET", "/api/v1/users?q=intruder", nil); strings.Contains(b, "intruder") {
				t.Error("a refused create wrote a user")
			}
		})
	}
}
