package onboard

import (
	"context"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/users"
)

// UsersSheet is the one sheet of the users template: one row per role grant; an account holding
// several roles takes several rows with the same username (name and phone may be left empty on
// the later rows). There is no password column: each new account gets a generated first
// password, answered once, that it must change at its first sign-in.
const UsersSheet = "用户"

var usersColumns = []column{
	{Code: "username", Chinese: "用户名", Required: true},
	{Code: "display_name", Chinese: "姓名", Required: true},
	{Code: "phone", Chinese: "手机号"},
	{Code: "role", Chinese: "角色", Required: true},
	{Code: "org_code", Chinese: "机构编码", Required: true},
}

var usersExample = [][]string{
	{"example.operator", "张三", "13800000000", "intake_operator", "350599"},
	{"example.operator", "", "", "shift_lead", "350599"},
}

// account is the rows of one username.
type account struct {
	user  users.BulkUser
	rows  []row // first row, then one per role
	roles []row
}

func (s *Service) usersFile(rows []row) ([]*account, []RowError) {
	var out []*account
	var problems []RowError
	byName := map[string]*account{}
	for _, r := range rows {
		c := r.Cells
		key := strings.ToLower(c["username"])
		a, ok := byName[key]
		if !ok || key == "" {
			a = &account{user: users.BulkUser{Username: c["username"], DisplayName: c["display_name"], Phone: c["phone"]}, rows: []row{r}}
			byName[key] = a
			out = append(out, a)
		} else {
			for _, f := range []struct {
				column, have string
			}{{"display_name", a.user.DisplayName}, {"phone", a.user.Phone}} {
				if v := c[f.column]; v != "" && v != f.have {
					problems = append(problems, RowError{Sheet: r.Sheet, Row: r.Line, Column: f.column, Key: "onboard.user_rows_differ", Args: []any{a.rows[0].Line}})
				}
			}
		}
		if c["role"] == "" && c["org_code"] == "" {
			continue // an account without roles (granted later)
		}
		a.user.Roles = append(a.user.Roles, users.RoleAt{Role: s.roleByName(c["role"]), OrgCode: c["org_code"]})
		a.roles = append(a.roles, r)
	}
	return out, problems
}

// usersColumnOf names the template column of a field of the users import.
func usersColumnOf(field string) string {
	if field == "role" {
		return "role"
	}
	return field
}

func (s *Service) importUsers(ctx context.Context, raw []byte, dryRun bool, _ string, rep *Report) error {
	rows, problems := readTable(raw, UsersSheet, usersColumns)
	rep.Rows = len(rows)
	if rows == nil {
		rep.Errors = problems // the file as a whole: not a workbook, no header, too many rows
		return errRefused
	}
	accounts, more := s.usersFile(rows)
	problems = append(problems, more...)
	in := make([]users.BulkUser, len(accounts))
	for i, a := range accounts {
		in[i] = a.user
	}
	res, err := s.Users.CreateMany(ctx, in, dryRun || len(problems) > 0)
	if err != nil && err != users.ErrBulkProblems {
		return err
	}
	for _, p := range res.Problems {
		if p.Index < 0 {
			problems = append(problems, RowError{Key: p.Err.Key, Args: p.Err.Args})
			continue
		}
		a := accounts[p.Index]
		r := a.rows[0]
		if p.Role >= 0 && p.Role < len(a.roles) {
			r = a.roles[p.Role]
		}
		column := usersColumnOf(p.Field)
		if p.Err.Key == "org.node_not_found" {
			column = "org_code"
		}
		problems = append(problems, RowError{Sheet: r.Sheet, Row: r.Line, Column: column, Key: p.Err.Key, Args: p.Err.Args})
	}
	rep.Errors = append(rep.Errors, problems...)
	rep.Users = &res.Plan
	rep.Passwords = res.Passwords
	return nil
}
