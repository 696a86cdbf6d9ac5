package web

import (
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// TestCaseTextsExist checks the keys the case pages build from values (a status, an action, a
// channel …), which TestTextsExist cannot see in the sources.
func TestCaseTextsExist(t *testing.T) {
	cat := i18n.MustLoad()
	var keys []string
	for _, s := range cases.Statuses {
		keys = append(keys, s.I18nKey())
	}
	for _, a := range append([]cases.Action{cases.Report, cases.Reopen}, cases.Actions...) {
		keys = append(keys, a.I18nKey())
	}
	for _, c := range cases.Channels {
		keys = append(keys, "desk.channel."+string(c))
	}
	for _, k := range cases.Kinds {
		keys = append(keys, "desk.kind."+string(k))
	}
	for _, u := range cases.Urgencies {
		keys = append(keys, "category.urgency."+string(u))
	}
	for _, s := range []cases.Stage{cases.StageConfirm, cases.StageRegister, cases.StageDispatch, cases.StageSign,
		cases.StageHandle, cases.StageVerify, cases.StageClose} {
		keys = append(keys, "desk.stage."+string(s))
	}
	for _, r := range []cases.Rating{cases.Satisfied, cases.Mostly, cases.Unsatisfied} {
		keys = append(keys, "desk.rating."+string(r))
	}
	for _, mode := range []string{"resident", "patrol", "hotline"} {
		keys = append(keys, "desk.report.title."+mode, "desk.report.heading."+mode, "desk.report.lead."+mode,
			"desk.report.dup_text."+mode)
	}
	for _, name := range []string{"my", "desk", "inbox", "tasks"} {
		keys = append(keys, "desk."+name+".title")
	}
	keys = append(keys, "desk.sla.green", "desk.sla.yellow", "desk.sla.red", "desk.result.pass", "desk.result.fail",
		"desk.photo.report", "desk.photo.evidence")
	for _, key := range keys {
		for _, lang := range []string{i18n.ZH, i18n.EN} {
			if !cat.Has(lang, key) {
				t.Errorf("key %q has no %s text", key, lang)
			}
		}
	}
}

func TestCasePagesFollowRoles(t *testing.T) {
	principal := func(roles ...access.Role) *access.Principal {
		p := &access.Principal{}
		for _, r := range roles {
			p.Grants = append(p.Grants, access.Grant{Role: r})
		}
		return p
	}
	cases := []struct {
		role  access.Role
		opens []pageID
		not   []pageID
		mode  string
	}{
		{access.Resident, []pageID{pageReport, pageMine, pageCase}, []pageID{pageDesk, pageHotline, pageInbox, pageTasks}, "resident"},
		{access.GridWorker, []pageID{pageReport, pageMine, pageTasks, pageCase}, []pageID{pageDesk, pageHotline, pageInbox}, "patrol"},
		{access.IntakeOperator, []pageID{pageReport, pageDesk, pageHotline, pageCase}, []pageID{pageInbox, pageTasks}, "hotline"},
		{access.ShiftLead, []pageID{pageDesk, pageHotline, pageCase}, []pageID{pageInbox, pageTasks}, "hotline"},
		{access.Dispatcher, []pageID{pageDesk, pageCase}, []pageID{pageReport, pageHotline, pageInbox, pageTasks}, "resident"},
		{access.DepartmentStaff, []pageID{pageInbox, pageCase}, []pageID{pageReport, pageDesk, pageHotline, pageTasks}, "resident"},
		{access.Leader, []pageID{pageDesk, pageCase}, []pageID{pageReport, pageHotline, pageInbox, pageTasks}, "resident"},
		{access.SysAdmin, nil, []pageID{pageReport, pageDesk, pageCase, pageInbox, pageTasks}, "resident"},
	}
	for _, tc := range cases {
		p := principal(tc.role)
		for _, id := range tc.opens {
			if !opens(p, id) {
				t.Errorf("%s cannot open %s", tc.role, id)
			}
		}
		for _, id := range tc.not {
			if opens(p, id) {
				t.Errorf("%s opens %s", tc.role, id)
			}
		}
		if got := reportMode(p); got != tc.mode {
			t.Errorf("%s: report mode %q, want %q", tc.role, got, tc.mode)
		}
	}
}
