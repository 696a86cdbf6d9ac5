package module_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
)

func TestCheckFindsTwoOwners(t *testing.T) {
	run := func(context.Context, time.Time) error { return nil }
	kind := access.Kind{Name: "case", Read: access.CaseRead, Path: "path"}
	ok := module.Set{
		{Name: "cases", Permissions: []access.Permission{access.CaseRead}, Kinds: []access.Kind{kind},
			Jobs: []jobs.Job{{Name: "cases.sla", Every: time.Minute, Run: run}}, Events: []string{"case.report"}},
		{Name: "audit", Permissions: []access.Permission{access.AuditRead}},
	}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		extra module.Module
		want  string
	}{
		{module.Module{Name: "cases"}, "module cases"},
		{module.Module{Name: "x", Permissions: []access.Permission{access.CaseRead}}, "permission case.read"},
		{module.Module{Name: "x", Permissions: []access.Permission{access.UserRead}, Kinds: []access.Kind{{Name: "case", Read: access.UserRead}}}, "kind case"},
		{module.Module{Name: "x", Kinds: []access.Kind{{Name: "whistle", Read: access.UserRead}}}, "does not declare"},
		{module.Module{Name: "x", Jobs: []jobs.Job{{Name: "cases.sla"}}}, "job cases.sla"},
		{module.Module{Name: "x", Events: []string{"case.report"}}, "event case.report"},
	} {
		err := append(ok[:2:2], tc.extra).Check()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.extra, err, tc.want)
		}
	}
}
