package users_test

import (
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

type user struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Phone    string `json:"phone"`
	Disabled bool   `json:"disabled"`
	Roles    []struct {
		ID      string `json:"id"`
		Role    string `json:"role"`
		OrgCode string `json:"org_code"`
	} `json:"roles"`
}

func TestAccountLifecycleAndRules(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sec := srv.Login(t, "secadmin")
			create := func(body map[string]any) (int, string) {
				st, raw := sec.Raw("POST", "/api/v1/users", body)
				return st, string(raw)
			}
			base := func(name string, roles ...map[string]string) map[string]any {
				return map[string]any{"username": name, "display_name": "张三", "password": "Initial-Passw0rd",
					"phone": "13812341234", "roles": roles}
			}
			role := func(r, org string) map[string]string { return map[string]string{"role": r, "org_code": org} }

			rules := []struct {
				name string
				body map[string]any
				want int
				key  string
			}{
				{"unknown role", base("zz.one", role("king", "350503")), 400, "user.bad_role"},
				{"role at wrong node kind", base("zz.two", role("department_staff", "350503001")), 400, "user.role_node_kind"},
				{"unknown node", base("zz.three", role("leader", "999999")), 404, "org.node_not_found"},
				{"two admin duties", base("zz.four", role("sys_admin", "350503"), role("audit_admin", "350503")), 400, "user.admin_duties_separate"},
				{"weak password", map[string]any{"username": "zz.five", "display_name": "x", "password": "short", "roles": []any{}}, 400, "auth.weak_password"},
				{"bad username", map[string]any{"username": "张三", "display_name": "x", "password": "Initial-Passw0rd"}, 400, "user.bad_username"},
				{"bad phone", map[string]any{"username": "zz.six", "display_name": "x", "password": "Initial-Passw0rd", "phone": "123"}, 400, "auth.bad_phone"},
				{"taken username", base("DONGHAI.LEADER", role("leader", "350503001")), 409, "user.username_taken"},
			}
			for _, r := range rules {
				st, raw := create(r.body)
				if st != r.want || !strings.Contains(raw, `"key":"`+r.key+`"`) {
					t.Errorf("%s: %d %s", r.name, st, raw)
				}
			}
			var list struct{ Users []user }
			sec.Do("GET", "/api/v1/users?q=zz.", nil, &list)
			if len(list.Users) != 0 {
				t.Fatalf("refused creates wrote accounts: %+v", list.Users)
			}

			var u user
			if st := sec.Do("POST", "/api/v1/users", base("zhang.san", role("grid_worker", "350503001001")), &u); st != 201 {
				t.Fatalf("create: %d", st)
			}
			if u.Phone != "138****1234" {
				t.Errorf("phone not masked: %q", u.Phone)
			}
			// Grant, refuse a duplicate, revoke.
			if st := sec.Do("POST", "/api/v1/users/"+u.ID+"/roles", role("intake_operator", "350503001"), &u); st != 200 || len(u.Roles) != 2 {
				t.Fatalf("grant: %d %+v", st, u.Roles)
			}
			if st := sec.Do("POST", "/api/v1/users/"+u.ID+"/roles", role("intake_operator", "350503001"), nil); st != 409 {
				t.Fatalf("duplicate grant: %d", st)
			}
			if st := sec.Do("DELETE", "/api/v1/users/"+u.ID+"/roles/"+u.Roles[1].ID, nil, &u); st != 200 || len(u.Roles) != 1 {
				t.Fatalf("revoke: %d %+v", st, u.Roles)
			}
			// The user signs in after changing the first password; disabling ends the session
			// and refuses new sign-ins; enabling lets them in again.
			c := srv.Anonymous(t)
			var res struct{ Token string }
			c.Do("POST", "/api/v1/auth/login", map[string]string{"username": "zhang.san", "password": "Initial-Passw0rd"}, &res)
			c.Token = res.Token
			c.Do("POST", "/api/v1/me/password", map[string]string{"old_password": "Initial-Passw0rd", "new_password": "Second-Passw0rd"}, nil)
			if st := c.Do("GET", "/api/v1/org/tree", nil, nil); st != 200 {
				t.Fatalf("working session: %d", st)
			}
			if st := sec.Do("POST", "/api/v1/users/"+u.ID+"/disable", nil, &u); st != 200 || !u.Disabled {
				t.Fatalf("disable: %d", st)
			}
			if st := c.Do("GET", "/api/v1/org/tree", nil, nil); st != 401 {
				t.Fatalf("disabled user's session still works: %d", st)
			}
			if st, raw := srv.Anonymous(t).Raw("POST", "/api/v1/auth/login", map[string]string{"username": "zhang.san", "password": "Second-Passw0rd"}); st != 403 || !strings.Contains(string(raw), "auth.disabled") {
				t.Fatalf("disabled login: %d %s", st, raw)
			}
			sec.Do("POST", "/api/v1/users/"+u.ID+"/enable", nil, nil)
			if st, _ := srv.Anonymous(t).Raw("POST", "/api/v1/auth/login", map[string]string{"username": "zhang.san", "password": "Second-Passw0rd"}); st != 200 {
				t.Fatalf("enabled login: %d", st)
			}
			// An administrator reset forces a change at the next sign-in.
			sec.Do("POST", "/api/v1/users/"+u.ID+"/password", map[string]string{"password": "Reset-Passw0rd1"}, nil)
			var again struct {
				Must bool `json:"must_change_password"`
			}
			srv.Anonymous(t).Do("POST", "/api/v1/auth/login", map[string]string{"username": "zhang.san", "password": "Reset-Passw0rd1"}, &again)
			if !again.Must {
				t.Fatal("reset password need not be changed")
			}
			// A security administrator cannot change their own rights.
			var me struct{ ID string }
			sec.Do("GET", "/api/v1/me", nil, &me)
			if st, raw := sec.Raw("POST", "/api/v1/users/"+me.ID+"/roles", role("leader", "350503")); st != 403 || !strings.Contains(string(raw), "user.not_self") {
				t.Fatalf("self grant: %d %s", st, raw)
			}
			// Every change is audited with the actor.
			var recs struct {
				Records []struct {
					Action    string `json:"action"`
					ActorName string `json:"actor_name"`
				} `json:"records"`
			}
			srv.Login(t, "auditadmin").Do("GET", "/api/v1/audit?action=user.&object_id="+u.ID, nil, &recs)
			want := []string{"user.reset_password", "user.enable", "user.disable", "user.revoke", "user.grant", "user.create"}
			if len(recs.Records) != len(want) {
				t.Fatalf("audit records: %+v", recs.Records)
			}
			for i, r := range recs.Records {
				if r.Action != want[i] || r.ActorName != "secadmin" {
					t.Errorf("record %d: %+v, want %s by secadmin", i, r, want[i])
				}
			}
		})
	}
}
