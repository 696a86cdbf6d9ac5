package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/password"
	"github.com/yiwang-gov/yiwang/internal/users"
)

const usersUsage = `usage:
  yiwang users list [--json]
  yiwang users create USERNAME --name NAME [--phone P] --role ROLE --org CODE [--password P]
  yiwang users set-password USERNAME [--password P]
  yiwang users reset-mfa USERNAME      (the account enrols its second factor again at its next sign-in)
  yiwang users disable USERNAME | yiwang users enable USERNAME
  yiwang users grant USERNAME --role ROLE --org CODE
  yiwang users revoke USERNAME --role ROLE --org CODE
A password that is not given is generated and printed once; the user must change it at first sign-in.
Roles: ` + "resident grid_worker intake_operator shift_lead dispatcher department_staff leader sys_admin sec_admin audit_admin"

// listedUser is the shape of "users list --json" (other programs read it).
type listedUser struct {
	Username string       `json:"username"`
	Name     string       `json:"display_name"`
	Disabled bool         `json:"disabled"`
	Roles    []listedRole `json:"roles"`
}

type listedRole struct {
	Role    string `json:"role"`
	OrgCode string `json:"org_code"`
}

func usersCmd(ctx context.Context, args []string) error {
	sub, args := splitFirst(args)
	var username string
	if sub != "list" && sub != "" {
		username, args = splitFirst(args)
	}
	var asJSON bool
	var name, phone, role, orgCode, pw string
	a, fs, err := open(ctx, "users "+sub, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.StringVar(&name, "name", "", "display name")
		fs.StringVar(&phone, "phone", "", "mobile number (stored encrypted)")
		fs.StringVar(&role, "role", "", "role")
		fs.StringVar(&orgCode, "org", "", "org node code where the role is held")
		fs.StringVar(&pw, "password", "", "password (generated when empty)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if username == "" && fs.NArg() > 0 {
		username = fs.Arg(0)
	}
	sctx := app.System(ctx, "users "+sub)
	needUser := func() (users.User, error) {
		if username == "" {
			return users.User{}, fmt.Errorf("%s", usersUsage)
		}
		return a.Users.ByUsername(sctx, username)
	}
	generated := false
	if pw == "" {
		pw, generated = password.Generate(), true
	}
	switch sub {
	case "list":
		list, err := a.Users.List(sctx, users.Filter{Limit: 500})
		if err != nil {
			return err
		}
		out := make([]listedUser, 0, len(list))
		for _, u := range list {
			lu := listedUser{Username: u.Username, Name: u.DisplayName, Disabled: u.Disabled, Roles: []listedRole{}}
			for _, g := range u.Roles {
				lu.Roles = append(lu.Roles, listedRole{Role: string(g.Role), OrgCode: g.OrgCode})
			}
			out = append(out, lu)
		}
		if asJSON {
			return printJSON(out)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tNAME\tROLES\tSTATUS")
		for _, u := range out {
			var roles []string
			for _, r := range u.Roles {
				roles = append(roles, r.Role+"@"+r.OrgCode)
			}
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Name, strings.Join(roles, ","), status)
		}
		return tw.Flush()
	case "create":
		if username == "" || name == "" || role == "" || orgCode == "" {
			return fmt.Errorf("%s", usersUsage)
		}
		u, err := a.Users.Create(sctx, users.NewUser{Username: username, DisplayName: name, Phone: phone, Password: pw,
			Roles: []users.RoleAt{{Role: access.Role(role), OrgCode: orgCode}}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s)\n", u.Username, u.ID)
	case "set-password":
		u, err := needUser()
		if err != nil {
			return err
		}
		if err := a.Users.ResetPassword(sctx, u.ID, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s reset; it must be changed at the next sign-in\n", u.Username)
	case "reset-mfa":
		u, err := needUser()
		if err != nil {
			return err
		}
		if err := a.Users.ResetSecondFactor(sctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "second factor of %s reset; it enrols again at the next sign-in\n", u.Username)
	case "disable", "enable":
		u, err := needUser()
		if err != nil {
			return err
		}
		if _, err := a.Users.SetDisabled(sctx, u.ID, sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%sd %s\n", sub, u.Username)
		return nil
	case "grant":
		u, err := needUser()
		if err != nil {
			return err
		}
		if _, err := a.Users.Grant(sctx, u.ID, users.RoleAt{Role: access.Role(role), OrgCode: orgCode}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "granted %s@%s to %s\n", role, orgCode, u.Username)
		return nil
	case "revoke":
		u, err := needUser()
		if err != nil {
			return err
		}
		for _, g := range u.Roles {
			if string(g.Role) == role && g.OrgCode == orgCode {
				_, err := a.Users.Revoke(sctx, u.ID, g.ID)
				if err == nil {
					fmt.Fprintf(stdout, "revoked %s@%s from %s\n", role, orgCode, u.Username)
				}
				return err
			}
		}
		return fmt.Errorf("%s does not hold %s at %s", u.Username, role, orgCode)
	default:
		return fmt.Errorf("%s", usersUsage)
	}
	if generated {
		fmt.Fprintf(stdout, "initial password (shown once): %s\n", pw)
	}
	return nil
}
