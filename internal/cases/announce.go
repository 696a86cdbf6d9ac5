package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// audience says who hears of an action: the reporters, the case's departments, and roles held at
// or above the case's place. Texts are templates of the i18n catalogue (locales/notify.*.json):
// "notify.case.<action>", and "notify.case.<action>.reporter" where reporters get their own.
type audience struct {
	reporters   bool
	departments bool
	roles       []access.Role
	// ownText: the reporters get a text of their own, in a notification of their own.
	ownText bool
}

var (
	shiftLead  = []access.Role{access.ShiftLead}
	dispatcher = []access.Role{access.Dispatcher}
)

// audiences is the notification plan per action. A new report is not a notification: the desk's
// queue shows it live.
var audiences = map[Action]audience{
	Confirm:          {roles: shiftLead},
	Register:         {reporters: true, roles: dispatcher},
	Void:             {reporters: true},
	Merge:            {reporters: true},
	Dispatch:         {departments: true, reporters: true, ownText: true},
	Return:           {roles: dispatcher},
	RejectReturn:     {departments: true},
	ReportBack:       {roles: []access.Role{access.GridWorker}},
	Verify:           {roles: shiftLead, departments: true},
	Rework:           {departments: true},
	Close:            {reporters: true},
	Reopen:           {departments: true, roles: shiftLead},
	RequestExtension: {roles: dispatcher},
	ApproveExtension: {departments: true},
	RefuseExtension:  {departments: true},
	Supervise:        {departments: true, roles: []access.Role{access.ShiftLead, access.Dispatcher}},
}

// record writes the change into the outbox inside the change's transaction: the live update for
// pages whose scope reaches the case, and the notices of the action's plan. Callers to the
// hotline have no account: an SMS tells them the outcome.
func (s *Service) record(ctx context.Context, tx *sql.Tx, c Change) error {
	if s.Outbox == nil {
		return nil
	}
	ev := notify.Event{Type: "case." + string(c.Action), Object: c.object(),
		Live: notify.Message{Kind: ObjectKind.Name, CaseID: c.CaseID, Number: c.Number, Action: string(c.Action), Status: string(c.Status)}}
	if plan, ok := audiences[c.Action]; ok {
		notices, err := s.notices(ctx, tx, c, plan)
		if err != nil {
			return fmt.Errorf("notify case %s: %w", c.Number, err)
		}
		ev.Notices = notices
	}
	return s.Outbox.Record(ctx, tx, c.At, ev)
}

// notices applies an audience plan to one change.
func (s *Service) notices(ctx context.Context, tx *sql.Tx, c Change, plan audience) ([]notify.Notice, error) {
	var desc, phoneEnc string
	if err := s.DB.TxQueryRow(ctx, tx, `SELECT description, reporter_phone_enc FROM cases WHERE id = $1`, c.CaseID).Scan(&desc, &phoneEnc); err != nil {
		return nil, err
	}
	if r := []rune(desc); len(r) > 30 {
		desc = string(r[:30]) + "…"
	}
	params := []string{c.Number, strings.TrimSpace(desc)}
	staff := notify.Notice{Template: "notify.case." + string(c.Action), Params: params}
	if plan.departments {
		staff.Audience.Units = c.Depts
	}
	if len(plan.roles) > 0 {
		staff.Audience.RolesAt, staff.Audience.Path = plan.roles, c.Path
	}
	if !plan.reporters {
		return []notify.Notice{staff}, nil
	}
	var reporters notify.Audience
	rows, err := s.DB.TxQuery(ctx, tx, `SELECT reporter_id FROM case_reporters WHERE case_id = $1`, c.CaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		reporters.Users = append(reporters.Users, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if c.Reporter == "" && phoneEnc != "" {
		reporters.Phones = []string{phoneEnc}
	}
	if !plan.ownText {
		staff.Audience.Users, staff.Audience.Phones = reporters.Users, reporters.Phones
		return []notify.Notice{staff}, nil
	}
	own := notify.Notice{Template: "notify.case." + string(c.Action) + ".reporter", Params: params, Audience: reporters}
	return []notify.Notice{staff, own}, nil
}
