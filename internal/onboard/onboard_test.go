package onboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/onboard"
)

type report struct {
	DryRun  bool `json:"dry_run"`
	Applied bool `json:"applied"`
	Rows    int  `json:"rows"`
	Org     map[string]struct {
		Add, Update, Unchanged int
	} `json:"org"`
	Users *struct {
		Create, Update, Unchanged, Grants int
	} `json:"users"`
	Errors []struct {
		Sheet, Column, Message, Key string
		Row                         int
	} `json:"errors"`
	Passwords []struct{ Username, Password string } `json:"passwords"`
	// Key and Details are those of an error answer (a refused real run).
	Key     string `json:"key"`
	Details []struct {
		Field, Message string
		Line           int
	} `json:"details"`
}

func (r report) hasError(row int, column, key string) bool {
	for _, e := range r.Errors {
		if e.Row == row && e.Column == column && e.Key == key && e.Message != "" && e.Message != key {
			return true
		}
	}
	return false
}

// workbook builds an xlsx file of one sheet from rows.
func workbook(t *testing.T, sheet string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	for i, rec := range rows {
		cells := make([]any, len(rec))
		for j, v := range rec {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvOf(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return []byte(b.String())
}

// post uploads a file and decodes the report.
func post(t *testing.T, c *apptest.Client, kind string, dryRun bool, file []byte, lang string) (int, report) {
	t.Helper()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/onboard/%s?dry_run=%v", c.Base, kind, dryRun), bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return resp.StatusCode, rep
}

var orgHeader = []string{"类型 kind", "编码 code", "名称 name", "英文名称 name_en", "上级编码 parent_code", "牵头组织 lead_organisation"}

// newSubdistrict is a subdistrict of the demo district with a community, a zone and handling
// units at the district, subdistrict and community levels.
var newSubdistrict = [][]string{
	orgHeader,
	{"街道", "350503901", "新港街道", "Xingang", "", ""},
	{"社区", "350503901001", "新港社区", "", "350503901", ""},
	{"片区", "350503901Z01", "新港片区", "", "350503901", "新港街道党工委"},
	{"处置单位", "350503D90", "区数据局", "", "350503", ""},
	{"unit", "350503901D01", "新港街道综合执法队", "", "350503901", ""},
	{"处置单位", "350503901001D1", "新港社区居委会", "", "350503901001", ""},
}

func nodeCount(t *testing.T, srv *apptest.Server, prefix string) int {
	t.Helper()
	var n int
	if err := srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM org_nodes WHERE code LIKE $1`, prefix+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	var z int
	if err := srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM zones WHERE code LIKE $1`, prefix+"%").Scan(&z); err != nil {
		t.Fatal(err)
	}
	return n + z
}

func TestOrgImport(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := srv.Login(t, "sysadmin")
			file := workbook(t, onboard.OrgSheet, newSubdistrict)

			status, rep := post(t, sys, "org", true, file, "")
			if status != 200 || len(rep.Errors) != 0 || rep.Applied || rep.Rows != 6 {
				t.Fatalf("dry run: %d %+v", status, rep)
			}
			want := map[string][3]int{"subdistrict": {1, 0, 0}, "community": {1, 0, 0}, "zone": {1, 0, 0}, "department": {3, 0, 0}}
			for kind, w := range want {
				if c := rep.Org[kind]; [3]int{c.Add, c.Update, c.Unchanged} != w {
					t.Errorf("dry run plan %s: %+v, want %v", kind, c, w)
				}
			}
			if n := nodeCount(t, srv, "350503901"); n != 0 {
				t.Fatalf("a dry run wrote %d nodes", n)
			}

			status, rep = post(t, sys, "org", false, file, "")
			if status != 200 || !rep.Applied || rep.Org["department"].Add != 3 {
				t.Fatalf("import: %d %+v", status, rep)
			}
			if n := nodeCount(t, srv, "350503901"); n != 5 {
				t.Fatalf("imported %d nodes under 350503901, want 5", n)
			}
			var parent, path string
			if err := srv.App.DB.QueryRow(context.Background(), `SELECT parent_code, path FROM org_nodes WHERE code = '350503901001D1'`).Scan(&parent, &path); err != nil ||
				parent != "350503901001" || path != "/350503/350503901/350503901001/350503901001D1/" {
				t.Fatalf("the community's unit: %q %q %v", parent, path, err)
			}

			// The same file again changes nothing; a renamed community is an update.
			status, rep = post(t, sys, "org", false, file, "")
			if status != 200 || rep.Org["community"].Unchanged != 1 || rep.Org["department"].Unchanged != 3 || rep.Org["subdistrict"].Add != 0 {
				t.Fatalf("re-import: %d %+v", status, rep)
			}
			renamed := [][]string{orgHeader, {"社区", "350503901001", "新港新社区", "", "350503901", ""}}
			status, rep = post(t, sys, "org", false, csvOf(renamed), "")
			if status != 200 || rep.Org["community"].Update != 1 {
				t.Fatalf("rename: %d %+v", status, rep)
			}
			var name string
			srv.App.DB.QueryRow(context.Background(), `SELECT name FROM org_nodes WHERE code = '350503901001'`).Scan(&name)
			if name != "新港新社区" {
				t.Fatalf("renamed community: %q", name)
			}
		})
	}
}

func TestOrgImportBadRowsWriteNothing(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := srv.Login(t, "sysadmin")
			bad := [][]string{
				orgHeader,
				{"街道", "350503902", "好街道", "", "", ""},               // row 2: good, must not be written
				{"街道", "35050390", "短编码", "", "", ""},                // row 3: 8 digits
				{"社区", "350503999001", "孤儿社区", "", "350503999", ""},  // row 4: parent missing
				{"街道", "350503902", "重复街道", "", "", ""},              // row 5: duplicate in the file
				{"城市", "350503903", "未知类型", "", "", ""},              // row 6: unknown kind
				{"处置单位", "d1", "小写编码", "", "350503", ""},             // row 7: bad unit code
				{"社区", "350503001001", "东海社区", "", "350503002", ""},  // row 8: exists under another parent
				{"街道", "350503904", "", "", "", ""},                  // row 9: no name
				{"处置单位", "350503D91", "单位", "", "350503001001D", ""}, // row 10: parent missing
			}
			status, rep := post(t, sys, "org", true, workbook(t, onboard.OrgSheet, bad), "en")
			if status != 200 {
				t.Fatalf("dry run: %d %+v", status, rep)
			}
			for _, w := range []struct {
				row         int
				column, key string
			}{{3, "code", "org.import.code_length"}, {4, "parent_code", "org.import.unknown_parent"}, {5, "code", "org.import.duplicate"},
				{6, "kind", "onboard.bad_kind"}, {7, "code", "org.import.other_code"}, {8, "code", "org.import.exists_elsewhere"},
				{9, "name", "org.import.name_empty"}, {10, "parent_code", "org.import.unit_parent"}} {
				if !rep.hasError(w.row, w.column, w.key) {
					t.Errorf("no error %s at row %d column %s: %+v", w.key, w.row, w.column, rep.Errors)
				}
			}
			for _, e := range rep.Errors {
				if e.Row == 2 {
					t.Errorf("the good row has an error: %+v", e)
				}
				if e.Sheet != onboard.OrgSheet {
					t.Errorf("sheet %q", e.Sheet)
				}
			}
			if !strings.Contains(rep.Errors[0].Message+rep.Errors[1].Message, "digits") {
				t.Errorf("messages not in English: %+v", rep.Errors[:2])
			}
			status, rep = post(t, sys, "org", false, workbook(t, onboard.OrgSheet, bad), "zh-CN")
			if status != 400 || rep.Key != "onboard.refused" || rep.Applied || len(rep.Details) < 8 || rep.Details[0].Line < 2 {
				t.Fatalf("real run with bad rows: %d %+v", status, rep)
			}
			if !strings.Contains(rep.Details[0].Message+rep.Details[1].Message, "编码") {
				t.Errorf("messages not in Chinese: %+v", rep.Details[:2])
			}
			if n := nodeCount(t, srv, "350503902"); n != 0 {
				t.Fatalf("a refused import wrote the good row")
			}
		})
	}
}

func TestOrgImportBrokenFiles(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	sys := srv.Login(t, "sysadmin")
	for _, tc := range []struct {
		name string
		file []byte
		want int
		key  string
	}{
		{"broken workbook", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff}, 200)...), 400, "onboard.bad_xlsx"},
		{"wrong headers", csvOf([][]string{{"a", "b", "c"}, {"1", "2", "3"}}), 400, "onboard.missing_column"},
		{"not UTF-8", []byte("类型 kind\n\xff\xfe\n"), 400, "onboard.not_utf8"},
		{"header only", csvOf([][]string{orgHeader}), 400, "onboard.empty_file"},
	} {
		status, rep := post(t, sys, "org", true, tc.file, "")
		if status != tc.want || rep.Key != tc.key && (len(rep.Details) == 0 || rep.Key != "onboard.refused") {
			t.Errorf("%s: %d %+v", tc.name, status, rep)
		}
	}
	// NUL bytes in a cell: that cell's row error, not a 500.
	status, rep := post(t, sys, "org", true, csvOf([][]string{orgHeader, {"街道", "350503905", "有\x00空字符", "", "", ""}}), "")
	if status != 200 || !rep.hasError(2, "name", "onboard.bad_text") {
		t.Errorf("NUL: %d %+v", status, rep)
	}
	// Too large: 413.
	big := bytes.Repeat([]byte("a"), onboard.MaxFileBytes+10)
	if s, b := sys.Raw("POST", "/api/v1/onboard/org?dry_run=true", big); s != 413 || !strings.Contains(string(b), "request.too_large") {
		t.Errorf("too large: %d %.200s", s, b)
	}
	// A multipart upload as the page sends it.
	if s, b := sys.Upload("/api/v1/onboard/org?dry_run=true", "file", "org.csv", csvOf(newSubdistrict)); s != 200 || !strings.Contains(b, `"errors":[]`) {
		t.Errorf("multipart: %d %.300s", s, b)
	}
	if s, _ := sys.Raw("POST", "/api/v1/onboard/org?dry_run=maybe", csvOf(newSubdistrict)); s != 400 {
		t.Errorf("dry_run=maybe: %d", s)
	}
}

func TestTemplates(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	sys := srv.Login(t, "sysadmin")
	sec := srv.Login(t, "secadmin")
	for _, tc := range []struct {
		c    *apptest.Client
		file string
	}{{sys, "org.xlsx"}, {sys, "org.csv"}, {sec, "users.xlsx"}, {sec, "users.csv"}} {
		s, b := tc.c.Raw("GET", "/api/v1/onboard/templates/"+tc.file, nil)
		if s != 200 {
			t.Fatalf("%s: %d", tc.file, s)
		}
		// A template read back is read whole; its example is an invented district, outside the
		// demo's administrators' reach.
		kind := strings.TrimSuffix(strings.TrimSuffix(tc.file, ".xlsx"), ".csv")
		if kind == "org" {
			if s, b := tc.c.Raw("POST", "/api/v1/onboard/org", b); s != 403 || !strings.Contains(string(b), "auth.out_of_scope") {
				t.Errorf("%s read back: %d %.200s", tc.file, s, b)
			}
			continue
		}
		_, rep := post(t, tc.c, kind, true, b, "")
		if rep.Rows != 2 || len(rep.Errors) != 2 || !rep.hasError(2, "org_code", "org.node_not_found") || !rep.hasError(3, "org_code", "org.node_not_found") {
			t.Errorf("%s read back: %+v", tc.file, rep)
		}
	}
	if s, _ := sys.Raw("GET", "/api/v1/onboard/templates/org.pdf", nil); s != 404 {
		t.Errorf("org.pdf: %d", s)
	}
}

var usersHeader = []string{"用户名 username", "姓名 display_name", "手机号 phone", "角色 role", "机构编码 org_code"}

// login signs in with a password and answers the status and whether it must be changed.
func login(t *testing.T, srv *apptest.Server, username, password string) (int, bool) {
	t.Helper()
	var res struct {
		MustChangePassword bool `json:"must_change_password"`
	}
	s := srv.Anonymous(t).Do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &res)
	return s, res.MustChangePassword
}

func TestUsersImport(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sec := srv.Login(t, "secadmin")
			file := csvOf([][]string{
				usersHeader,
				{"xg.operator", "王五", "13900001111", "intake_operator", "350503001"},
				{"XG.operator", "", "", "值班长", "350503001"}, // a second grant, role by its Chinese name
				{"xg.staff", "赵六", "", "department_staff", "350503D01"},
				{"donghai.leader", "", "", "dispatcher", "350503001"}, // an existing account: a grant added
			})
			var auditedBefore int
			srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action IN ('user.create', 'user.grant') AND object_id IN (SELECT id FROM users WHERE username IN ('xg.operator', 'xg.staff', 'donghai.leader'))`).Scan(&auditedBefore)
			status, rep := post(t, sec, "users", true, file, "")
			if status != 200 || len(rep.Errors) != 0 || rep.Users == nil || rep.Users.Create != 2 || rep.Users.Update != 1 || rep.Users.Grants != 4 || len(rep.Passwords) != 0 {
				t.Fatalf("dry run: %d %+v %+v", status, rep, rep.Users)
			}
			if s, _ := login(t, srv, "xg.operator", apptest.DemoPassword); s == 200 {
				t.Fatal("a dry run created an account")
			}
			status, rep = post(t, sec, "users", false, file, "")
			if status != 200 || !rep.Applied || len(rep.Passwords) != 2 {
				t.Fatalf("import: %d %+v", status, rep)
			}
			for _, p := range rep.Passwords {
				if s, must := login(t, srv, p.Username, p.Password); s != 200 || !must {
					t.Errorf("%s signs in with the answered password: %d, must change %v", p.Username, s, must)
				}
			}
			var grants int
			srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'xg.operator'`).Scan(&grants)
			if grants != 2 {
				t.Errorf("xg.operator holds %d grants, want 2", grants)
			}
			var audited int
			srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action IN ('user.create', 'user.grant') AND object_id IN (SELECT id FROM users WHERE username IN ('xg.operator', 'xg.staff', 'donghai.leader'))`).Scan(&audited)
			// One entry per account the import touched (the demo's own creation of donghai.leader before).
			if audited-auditedBefore != 3 {
				t.Errorf("%d audit entries, want 3", audited-auditedBefore)
			}
			// Again: nothing changes, no new password.
			status, rep = post(t, sec, "users", false, file, "")
			if status != 200 || rep.Users.Unchanged != 3 || rep.Users.Create+rep.Users.Update != 0 || len(rep.Passwords) != 0 {
				t.Fatalf("re-import: %d %+v %+v", status, rep, rep.Users)
			}
		})
	}
}

func TestUsersImportBadRowsWriteNothing(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sec := srv.Login(t, "secadmin")
			file := workbook(t, onboard.UsersSheet, [][]string{
				usersHeader,
				{"good.one", "好人", "", "leader", "350503001"},          // 2: good, must not be written
				{"bad.role", "甲", "", "king", "350503001"},             // 3: unknown role
				{"bad.kind", "乙", "", "department_staff", "350503001"}, // 4: role not at a subdistrict
				{"two.duties", "丙", "", "sys_admin", "350503"},         // 5
				{"two.duties", "", "", "audit_admin", "350503"},        // 6: two admin duties
				{"张三", "丁", "", "leader", "350503001"},                 // 7: bad username
				{"no.node", "戊", "", "leader", "999999"},               // 8: unknown node
				{"bad.phone", "己", "123", "leader", "350503001"},       // 9: bad phone
				{"good.one", "另一个名字", "", "dispatcher", "350503001"},   // 10: differs from row 2
				{"outside", "庚", "", "leader", "350599001"},            // 11: no such node
			})
			status, rep := post(t, sec, "users", true, file, "en")
			if status != 200 {
				t.Fatalf("dry run: %d %+v", status, rep)
			}
			for _, w := range []struct {
				row         int
				column, key string
			}{{3, "role", "user.bad_role"}, {4, "role", "user.role_node_kind"}, {5, "role", "user.admin_duties_separate"},
				{7, "username", "user.bad_username"}, {8, "org_code", "org.node_not_found"}, {9, "phone", "auth.bad_phone"},
				{10, "display_name", "onboard.user_rows_differ"}, {11, "org_code", "org.node_not_found"}} {
				if !rep.hasError(w.row, w.column, w.key) {
					t.Errorf("no error %s at row %d column %s: %+v", w.key, w.row, w.column, rep.Errors)
				}
			}
			status, rep = post(t, sec, "users", false, file, "")
			if status != 400 || rep.Key != "onboard.refused" || len(rep.Details) < 8 || rep.Applied || len(rep.Passwords) != 0 {
				t.Fatalf("real run: %d %+v", status, rep)
			}
			var n int
			srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE username = 'good.one'`).Scan(&n)
			if n != 0 {
				t.Fatal("a refused import created the good row's account")
			}
			// The same username twice with different cases in one file is one account; the
			// sec_admin's own account is not theirs to change.
			status, rep = post(t, sec, "users", true, csvOf([][]string{usersHeader, {"secadmin", "", "", "leader", "350503001"},
				{"nul.name", "有\x00字", "", "leader", "350503001"}}), "")
			if status != 200 || !rep.hasError(2, "username", "user.not_self") || !rep.hasError(3, "display_name", "onboard.bad_text") {
				t.Errorf("own account: %d %+v", status, rep)
			}
		})
	}
}

// TestOnboardSecondDistrict onboards an invented district as the operator at the machine
// ("yiwang import org|users FILE"), then its hotline operator signs in.
func TestOnboardSecondDistrict(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	ctx := context.Background()
	orgFile, _, err := onboard.Template("org", onboard.XLSX)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := srv.App.ImportOnboard(ctx, "org", orgFile, false)
	if err != nil || !rep.Applied || rep.Org["district"].Add != 1 || rep.Org["department"].Add != 3 {
		t.Fatalf("org: %+v %v", rep, err)
	}
	users := csvOf([][]string{usersHeader,
		{"sl.hotline", "热线受理员", "", "intake_operator", "350599"},
		{"sl.secadmin", "示例安全管理员", "", "sec_admin", "350599"}})
	rep, err = srv.App.ImportOnboard(ctx, "users", users, false)
	if err != nil || len(rep.Passwords) != 2 {
		t.Fatalf("users: %+v %v", rep, err)
	}
	if s, must := login(t, srv, rep.Passwords[0].Username, rep.Passwords[0].Password); s != 200 || !must {
		t.Fatalf("the new district's hotline operator: %d %v", s, must)
	}
	// The demo district's security administrator does not reach the new district.
	sec := srv.Login(t, "secadmin")
	status, r := post(t, sec, "users", true, csvOf([][]string{usersHeader, {"sl.other", "某", "", "leader", "350599001"}}), "")
	if status != 200 || !r.hasError(2, "org_code", "org.node_not_found") {
		t.Errorf("across districts: %d %+v", status, r)
	}
}
