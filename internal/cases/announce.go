package cases

import (
	"context"
	"fmt"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/sms"
)

// audience says who hears of an action: the reporters, the case's departments, the grid workers
// of its grid, and the desk roles of its subdistrict.
type audience struct {
	reporters   bool
	departments bool
	roles       []string // role names held at or above the case's place
	template    string
	// toReporter is the text for the reporters when it differs from the staff's.
	toReporter string
}

// audiences is the notification plan per action (templates in Chinese, the product's language).
var audiences = map[Action]audience{
	// A new report is not a notification: the desk's queue shows it live.
	Confirm:  {roles: []string{"shift_lead"}, template: "案卷 %s 已核实，待立案：%s"},
	Register: {reporters: true, roles: []string{"dispatcher"}, template: "案卷 %s 已立案：%s"},
	Void:     {reporters: true, template: "您反映的问题 %s 经核实不予立案：%s"},
	Merge:    {reporters: true, template: "您反映的问题 %s 已与同一问题合并办理：%s"},
	Dispatch: {departments: true, reporters: true, template: "案卷 %s 已派遣，请及时签收：%s",
		toReporter: "您反映的问题 %s 已派遣至责任部门办理：%s"},
	Return:           {roles: []string{"dispatcher"}, template: "案卷 %s 被部门退回，请重新派遣：%s"},
	RejectReturn:     {departments: true, template: "案卷 %s 退回未获同意，请签收办理：%s"},
	ReportBack:       {roles: []string{"grid_worker"}, template: "案卷 %s 部门已反馈，请现场核查：%s"},
	Verify:           {roles: []string{"shift_lead"}, departments: true, template: "案卷 %s 核查完成：%s"},
	Rework:           {departments: true, template: "案卷 %s 需返工：%s"},
	Close:            {reporters: true, template: "您反映的问题 %s 已办结，请对办理结果进行评价：%s"},
	Reopen:           {departments: true, roles: []string{"shift_lead"}, template: "案卷 %s 反映人不满意，已重办：%s"},
	RequestExtension: {roles: []string{"dispatcher"}, template: "案卷 %s 申请延期：%s"},
	ApproveExtension: {departments: true, template: "案卷 %s 延期已批准：%s"},
	RefuseExtension:  {departments: true, template: "案卷 %s 延期被驳回：%s"},
	Supervise:        {departments: true, roles: []string{"shift_lead", "dispatcher"}, template: "案卷 %s 被督办：%s"},
}

// announce stores notifications for everyone the action concerns and texts reporters who have
// no account. It runs after the change committed.
func (s *Service) announce(ctx context.Context, c Change) {
	plan, ok := audiences[c.Action]
	if !ok || s.Notify == nil {
		return
	}
	var desc string
	var phoneEnc string
	err := s.DB.QueryRow(ctx, `SELECT description, reporter_phone_enc FROM cases WHERE id = $1`, c.CaseID).Scan(&desc, &phoneEnc)
	if err != nil {
		return
	}
	if r := []rune(desc); len(r) > 30 {
		desc = string(r[:30]) + "…"
	}
	text := fmt.Sprintf(plan.template, c.Number, desc)
	users := map[string]bool{}
	collectInto := func(into map[string]bool, q string, args ...any) {
		rows, err := s.DB.Query(ctx, q, args...)
		if err != nil {
			return
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil && id != "" {
				into[id] = true
			}
		}
	}
	collect := func(q string, args ...any) { collectInto(users, q, args...) }
	if plan.reporters && plan.toReporter != "" {
		// The reporters get their own text, in a notification of their own.
		reporters := map[string]bool{}
		collectInto(reporters, `SELECT reporter_id FROM case_reporters WHERE case_id = $1`, c.CaseID)
		var ids []string
		for id := range reporters {
			ids = append(ids, id)
		}
		if len(ids) > 0 {
			s.Notify.Add(ctx, ids, c.CaseID, string(c.Action), fmt.Sprintf(plan.toReporter, c.Number, desc))
		}
	} else if plan.reporters {
		collect(`SELECT reporter_id FROM case_reporters WHERE case_id = $1`, c.CaseID)
	}
	if plan.departments {
		for _, d := range c.Depts {
			if d != "" {
				collect(`SELECT user_id FROM role_grants WHERE role = 'department_staff' AND org_code = $1`, d)
			}
		}
	}
	if len(plan.roles) > 0 {
		ph := make([]string, len(plan.roles))
		args := []any{c.Path}
		for i, r := range plan.roles {
			ph[i] = fmt.Sprintf("$%d", i+2)
			args = append(args, r)
		}
		collect(`SELECT user_id FROM role_grants WHERE substr($1, 1, length(org_path)) = org_path
			AND role IN (`+strings.Join(ph, ",")+`)`, args...)
	}
	var ids []string
	for id := range users {
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		s.Notify.Add(ctx, ids, c.CaseID, string(c.Action), text)
	}
	// Callers to the hotline have no account: a text message tells them the outcome.
	if s.SMS != nil && phoneEnc != "" && plan.reporters && c.Reporter == "" {
		if phone, err := s.Vault.Open(phoneEnc); err == nil && phone != "" {
			if plan.toReporter != "" {
				text = fmt.Sprintf(plan.toReporter, c.Number, desc)
			}
			s.SMS.Send(ctx, sms.Message{Phone: phone, Template: "case_update", Params: []any{text}})
		}
	}
}
