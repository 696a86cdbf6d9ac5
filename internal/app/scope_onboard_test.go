package app_test

import (
	"strings"
	"testing"
)

// Scope scenarios of onboarding (上线导入): the org tree is the district's sys_admin's to import,
// accounts the sec_admin's (三员分立); everyone else is refused before the file is read, and a
// subdistrict's sys_admin cannot add to another subdistrict.

// orgRowsOfOther adds a community under 城东: outside 东海's sys_admin's subtree.
func orgRowsOfOther() string {
	return "类型 kind,编码 code,名称 name,英文名称 name_en,上级编码 parent_code,牵头组织 lead_organisation\n" +
		"社区," + other + "951,越权社区,,," + other + ",\n"
}

func init() {
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/onboard/templates/{file}", check: func(t *testing.T, f *fixture) {
			expectStatus(t, f, []string{"sysadmin"}, "GET", "/api/v1/onboard/templates/org.xlsx", nil, 200)
			expectStatus(t, f, []string{"secadmin"}, "GET", "/api/v1/onboard/templates/users.csv", nil, 200)
			expectStatus(t, f, except("sysadmin"), "GET", "/api/v1/onboard/templates/org.csv", nil, 403)
			expectStatus(t, f, except("secadmin"), "GET", "/api/v1/onboard/templates/users.xlsx", nil, 403)
			expectStatus(t, f, []string{"sysadmin", "secadmin"}, "GET", "/api/v1/onboard/templates/org.pdf", nil, 404)
			if s, _ := raw(t, f.srv.Anonymous(t), "GET", "/api/v1/onboard/templates/org.csv", nil); s != 401 {
				t.Errorf("anonymous: %d", s)
			}
		}},
		scenario{route: "POST /api/v1/onboard/{kind}", check: func(t *testing.T, f *fixture) {
			file := orgRowsOfOther()
			expectStatus(t, f, except("sysadmin"), "POST", "/api/v1/onboard/org?dry_run=true", file, 403)
			expectStatus(t, f, except("secadmin"), "POST", "/api/v1/onboard/users?dry_run=true", "username\n", 403)
			// 东海's sys_admin may not place a community under 城东, not even in a dry run.
			if s, b := raw(t, f.subSys, "POST", "/api/v1/onboard/org?dry_run=false", file); s != 403 && s != 400 ||
				!strings.Contains(b, "out_of_scope") && !strings.Contains(b, "onboard.refused") {
				t.Errorf("东海's sys_admin importing under 城东: %d %.300s", s, b)
			}
			var n int
			f.srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM org_nodes WHERE code = $1`, other+"951").Scan(&n)
			if n != 0 {
				t.Errorf("a refused import wrote %s951", other)
			}
			expectStatus(t, f, []string{"sysadmin"}, "POST", "/api/v1/onboard/nothing", file, 404)
		}},
	)
}
