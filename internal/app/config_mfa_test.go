package app

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
)

// The second factor is required of the administrators and leaders of a real deployment; --demo
// keeps its one-command start (no role required) unless told otherwise.
func TestMFARequiredRolesFlag(t *testing.T) {
	t.Setenv("YIWANG_MFA_REQUIRED_ROLES", "") // restored afterwards
	os.Unsetenv("YIWANG_MFA_REQUIRED_ROLES")
	parse := func(args ...string) (Config, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		get := Flags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return get()
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"sys_admin", "sec_admin", "audit_admin", "leader"}},
		{[]string{"--demo"}, nil},
		{[]string{"--demo", "--mfa-required-roles=leader, sec_admin"}, []string{"leader", "sec_admin"}},
		{[]string{"--mfa-required-roles="}, nil},
	} {
		cfg, err := parse(c.args...)
		if err != nil || !slices.Equal(cfg.MFARequiredRoles, c.want) {
			t.Errorf("%v: %v %v, want %v", c.args, cfg.MFARequiredRoles, err, c.want)
		}
	}
	if _, err := parse("--mfa-required-roles=king"); err == nil || !strings.Contains(err.Error(), "king") {
		t.Errorf("unknown role: %v", err)
	}
}
