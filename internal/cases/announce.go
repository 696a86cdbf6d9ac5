package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/redact"
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

// notices applies an audience plan to one change. The case's own reporter reads their own
// words; everyone else among its reporters — who joined it (我也遇到) or whose report was merged
// into it — follows someone else's case and reads it as the public does (publicview.go): its
// public text, redacted, in a text of their own ("notify.case.<action>.follower").
func (s *Service) notices(ctx context.Context, tx *sql.Tx, c Change, plan audience) ([]notify.Notice, error) {
	var desc, public, phoneEnc string
	if err := s.DB.TxQueryRow(ctx, tx, `SELECT description, COALESCE(public_text, description), reporter_phone_enc FROM cases WHERE id = $1`,
		c.CaseID).Scan(&desc, &public, &phoneEnc); err != nil {
		return nil, err
	}
	params := []string{c.Number, excerpt(desc)}
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
	var reporters, followers notify.Audience
	ids, err := db.Strings(ctx, tx, `SELECT reporter_id FROM case_reporters WHERE case_id = $1`, c.CaseID)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if id == c.Reporter {
			reporters.Users = append(reporters.Users, id)
		} else {
			followers.Users = append(followers.Users, id)
		}
	}
	if c.Reporter == "" && phoneEnc != "" {
		reporters.Phones = []string{phoneEnc}
	}
	out := []notify.Notice{staff}
	if !plan.ownText {
		out[0].Audience.Users, out[0].Audience.Phones = reporters.Users, reporters.Phones
	} else {
		out = append(out, notify.Notice{Template: "notify.case." + string(c.Action) + ".reporter", Params: params, Audience: reporters})
	}
	if len(followers.Users) > 0 {
		out = append(out, notify.Notice{Template: "notify.case." + string(c.Action) + ".follower",
			Params: []string{c.Number, excerpt(redact.Public(public))}, Audience: followers})
	}
	return out, nil
}

// excerpt is the first 30 characters of a text, for a notification.
func excerpt(text string) string {
	if r := []rune(text); len(r) > 30 {
		text = string(r[:30]) + "…"
	}
	return strings.TrimSpace(text)
}
