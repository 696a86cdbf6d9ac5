package audit

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/i18n"
)

func TestPlainWording(t *testing.T) {
	cat := i18n.MustLoad()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	names := Names{
		Users: map[string]string{"u1": "张三", "u2": "李四"},
		Orgs: map[string]OrgName{"110101001": {"东华门街道", "Donghuamen Subdistrict"},
			"110101900001": {"区城市管理局", "District Urban Management Bureau"}},
		Cases:  map[string]string{"c1": "20261127-0001"},
		Events: map[string]map[string]any{EventKey("c1", "dispatch", at): {"department_code": "110101900001"}, EventKey("c1", "rate", at): {"rating": "mostly"}},
	}
	caseEntry := func(action, before, after string) Entry {
		return Entry{Seq: 7, At: at, ActorID: "u1", ActorName: "zhangsan", Role: "dispatcher", OrgCode: "110101001",
			Action: action, ObjectType: "case", ObjectID: "c1", Before: before, After: after, Result: OK}
	}
	tests := []struct {
		name        string
		e           Entry
		lang        string
		sentence    string
		actor, role string
		unit        string
		changes     []Change
		link        string
	}{
		{"dispatch zh", caseEntry("case.dispatch", "registered", "dispatched"), i18n.ZH,
			"把案卷 20261127-0001 派遣给 区城市管理局", "张三", "派遣员", "东华门街道",
			[]Change{{"状态", "待派遣", "待签收"}}, "/cases/c1"},
		{"dispatch en", caseEntry("case.dispatch", "registered", "dispatched"), i18n.EN,
			"dispatched case 20261127-0001 to District Urban Management Bureau", "张三", "Dispatcher", "Donghuamen Subdistrict",
			[]Change{{"status", "awaiting dispatch", "awaiting signature"}}, "/cases/c1"},
		{"rate zh", caseEntry("case.rate", "closed", "closed"), i18n.ZH,
			"评价案卷 20261127-0001：基本满意", "张三", "派遣员", "东华门街道", []Change{}, "/cases/c1"},
		{"report zh", caseEntry("case.report", "", `{"channel":"hotline_12345","number":"20261127-0001","status":"reported"}`), i18n.ZH,
			"案卷上报：案卷 20261127-0001", "张三", "派遣员", "东华门街道",
			[]Change{{"渠道", "", "12345 热线"}, {"案卷编号", "", "20261127-0001"}, {"状态", "", "待立案"}}, "/cases/c1"},
		{"grant en", Entry{At: at, ActorID: "u2", Role: "sec_admin", Action: "user.grant", ObjectType: "user", ObjectID: "u1",
			Before: `["resident@110101001"]`, After: `["resident@110101001","dispatcher@110101001"]`, Result: OK}, i18n.EN,
			"grant role: 张三", "李四", "Security administrator", "",
			[]Change{{"roles", "Resident (Donghuamen Subdistrict)", "Resident (Donghuamen Subdistrict), Dispatcher (Donghuamen Subdistrict)"}}, ""},
		{"disable zh", Entry{At: at, ActorID: "u2", Role: "sec_admin", Action: "user.disable", ObjectType: "user", ObjectID: "u1",
			Before: `{"disabled":false}`, After: `{"disabled":true}`, Result: OK}, i18n.ZH,
			"停用账号：张三", "李四", "安全管理员", "", []Change{{"已停用", "否", "是"}}, ""},
		{"login refused zh", Entry{At: at, ActorName: "ghost", Action: "auth.login", ObjectType: "user", Result: Denied}, i18n.ZH,
			"登录：账号（被拒绝）", "ghost", "", "", []Change{}, ""},
		{"unknown action en", Entry{At: at, ActorID: "u1", Action: "patrol.mystery", ObjectType: "patrol", ObjectID: "p1",
			After: `{"per_week":3}`, Result: OK}, i18n.EN, "other patrol operation: patrol", "张三", "", "",
			[]Change{{"times a week", "", "3"}}, ""},
		{"rules batch zh", Entry{At: at, ActorID: "u1", Action: "routing.replace", ObjectType: "routing_rules", ObjectID: "12 rules",
			Before: `{"x_unknown":"a"}`, After: `{"x_unknown":"b"}`, Result: OK}, i18n.ZH, "修改派遣规则：共 12 项", "张三", "", "",
			[]Change{{"其他内容", "a", "b"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Wording{Cat: cat, Lang: tc.lang}.Render(tc.e, names)
			if p.Sentence != tc.sentence {
				t.Errorf("sentence %q, want %q", p.Sentence, tc.sentence)
			}
			if p.Actor != tc.actor || p.Role != tc.role || p.Unit != tc.unit {
				t.Errorf("who %q/%q/%q, want %q/%q/%q", p.Actor, p.Role, p.Unit, tc.actor, tc.role, tc.unit)
			}
			if !reflect.DeepEqual(p.Changes, tc.changes) {
				t.Errorf("changes %q, want %q", p.Changes, tc.changes)
			}
			if p.Object.Link != tc.link {
				t.Errorf("link %q, want %q", p.Object.Link, tc.link)
			}
			for _, s := range append([]string{p.Sentence, p.Action, p.Role, p.Result}, flatten(p.Changes)...) {
				if strings.ContainsAny(s, "{}[]\"") || strings.Contains(s, "auditpage.") {
					t.Errorf("raw text in %q", s)
				}
			}
		})
	}
}

func flatten(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Field, c.Before, c.After)
	}
	return out
}

func TestActionNamesCoverRecordedActions(t *testing.T) {
	cat := i18n.MustLoad()
	// Every action the code records must read as words in both languages, not as "other".
	actions := []string{"case.report", "case.dispatch", "case.sign", "case.close", "case.reveal_contact", "case.join",
		"user.create", "user.grant", "auth.login", "category.put", "routing.replace", "calendar.put", "patrol.start",
		"participant.hours_log", "directive.issue", "directive.ack", "whistle.blow", "eval.scheme", "open311.attributes",
		"apikey.create", "delivery.retry", "grid.import", "org.import"}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		w := Wording{Cat: cat, Lang: lang}
		other := w.t("auditpage.action.other")
		for _, a := range actions {
			if got := w.ActionName(a); got == other || strings.Contains(got, ".") {
				t.Errorf("%s %s: %q", lang, a, got)
			}
		}
	}
}
