package users_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// Separated duties (等保 2.0 level 3, GB/T 22239-2019 8.1.4.2 访问控制 and 8.1.10.2 审计管理/
// 安全管理: 三权分立): no account holds two of sys_admin, sec_admin and audit_admin, however the
// grants arrive; nobody grants themself; only the audit_admin reads the audit log.
func TestSeparatedDuties(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sec := srv.Login(t, "secadmin")
			role := func(r, org string) map[string]string { return map[string]string{"role": r, "org_code": org} }
			create := func(name string, roles ...map[string]string) user {
				var u user
				if st := sec.Do("POST", "/api/v1/users", map[string]any{"username": name, "display_name": "测试",
					"password": "Initial-Passw0rd", "roles": roles}, &u); st != 201 {
					t.Fatalf("create %s: %d", name, st)
				}
				return u
			}
			// sys_admin to a sec_admin: refused, and nothing changes.
			second := create("zz.sec2", role("sec_admin", "350503"))
			if st, raw := sec.Raw("POST", "/api/v1/users/"+second.ID+"/roles", role("sys_admin", "350503")); st != 400 || !strings.Contains(string(raw), "user.admin_duties_separate") {
				t.Fatalf("sys_admin granted to a sec_admin: %d %s", st, raw)
			}
			// The same duty held at another node is no second duty.
			if st := sec.Do("POST", "/api/v1/users/"+second.ID+"/roles", role("sec_admin", "350503001"), nil); st != 200 {
				t.Fatalf("second sec_admin grant: %d", st)
			}
			// An administrator granting themself anything: refused.
			var me struct{ ID string }
			sec.Do("GET", "/api/v1/me", nil, &me)
			for _, r := range []string{"sys_admin", "audit_admin", "sec_admin", "leader"} {
				if st, raw := sec.Raw("POST", "/api/v1/users/"+me.ID+"/roles", role(r, "350503001")); st != 403 || !strings.Contains(string(raw), "user.not_self") {
					t.Fatalf("self grant of %s: %d %s", r, st, raw)
				}
			}
			// Two duties granted at the same moment: at most one may win.
			fresh := create("zz.race")
			duties := []string{"sys_admin", "audit_admin", "sys_admin", "audit_admin", "sys_admin", "audit_admin"}
			var wg sync.WaitGroup
			statuses := make([]int, len(duties))
			for i, d := range duties {
				wg.Add(1)
				go func() {
					defer wg.Done()
					org := "350503"
					if i >= 2 {
						org = []string{"350503001", "350503002"}[i%2]
					}
					statuses[i], _ = sec.Raw("POST", "/api/v1/users/"+fresh.ID+"/roles", role(d, org))
				}()
			}
			wg.Wait()
			var got user
			sec.Do("GET", "/api/v1/users/"+fresh.ID, nil, &got)
			held := map[string]bool{}
			for _, g := range got.Roles {
				held[g.Role] = true
			}
			for i, st := range statuses {
				if st != 200 && st != 400 && st != 409 {
					t.Errorf("racing grant %d (%s): %d, want 200, 400 or 409", i, duties[i], st)
				}
			}
			if held["sys_admin"] && held["audit_admin"] {
				t.Fatalf("concurrent grants gave two duties: %+v (statuses %v)", got.Roles, statuses)
			}
			// Only the audit_admin reads the audit log.
			for _, name := range []string{"sysadmin", "secadmin", "donghai.leader"} {
				if st := srv.Login(t, name).Do("GET", "/api/v1/audit", nil, nil); st != 403 {
					t.Errorf("%s read the audit log: %d", name, st)
				}
			}
			if st := srv.Login(t, "auditadmin").Do("GET", "/api/v1/audit", nil, nil); st != 200 {
				t.Errorf("audit_admin: %d", st)
			}
		})
	}
}
