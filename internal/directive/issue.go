package directive

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Issued is the answer to issuing a directive.
type Issued struct {
	ID       string `json:"id"`
	Targeted int    `json:"targeted"`
}

// check refuses a directive that is incomplete or malformed, naming the field; nothing is
// written. now is the issue time: the acknowledgement deadline and the expiry must lie after it.
func (in *Input) check(now time.Time) error {
	bad := func(field, key string, args ...any) error {
		return apperr.New(apperr.Invalid, key, append([]any{field}, args...)...)
	}
	in.Title, in.Instruction = strings.TrimSpace(in.Title), strings.TrimSpace(in.Instruction)
	if n := utf8.RuneCountInString(in.Title); n < 2 || n > MaxTitle {
		return bad("title", "directive.bad_length", 2, MaxTitle)
	}
	if n := utf8.RuneCountInString(in.Instruction); n < 2 || n > MaxInstruction {
		return bad("instruction", "directive.bad_length", 2, MaxInstruction)
	}
	// participation.md §4: a directive is an alert, its update or its cancellation; Ack and
	// Error are CAP's own replies, which a grid's acknowledgement replaces here.
	switch in.MsgType {
	case MsgTypeAlert, MsgTypeUpdate, MsgTypeCancel:
	default:
		return bad("msg_type", "directive.bad_value", string(in.MsgType))
	}
	if in.Category == "" {
		in.Category = CategorySafety
	}
	for _, e := range []struct {
		field, value string
		ok           bool
	}{{"category", string(in.Category), in.Category.Valid()}, {"urgency", string(in.Urgency), in.Urgency.Valid()},
		{"severity", string(in.Severity), in.Severity.Valid()}, {"certainty", string(in.Certainty), in.Certainty.Valid()}} {
		if !e.ok {
			return bad(e.field, "directive.bad_value", e.value)
		}
	}
	if in.AckDue.IsZero() || !in.AckDue.After(now) {
		return bad("ack_due", "directive.not_future")
	}
	if in.Expires != nil && !in.Expires.After(now) {
		return bad("expires", "directive.not_future")
	}
	if in.Effective != nil && in.Expires != nil && !in.Expires.After(*in.Effective) {
		return bad("expires", "directive.expires_before_effective")
	}
	if in.EscalationHours != nil && (*in.EscalationHours < 1 || *in.EscalationHours > MaxEscalationHours) {
		return bad("escalation_hours", "directive.bad_hours", MaxEscalationHours)
	}
	// CAP-v1.2 §3.2.1: an Update or Cancel names the message it acts on; an Alert names none.
	if (in.MsgType == MsgTypeAlert) != (in.References == "") {
		return bad("references", "directive.references_rule")
	}
	if in.MsgType == MsgTypeCancel {
		in.ActionRequired = false // withdrawing asks for receipt, not for work
	}
	return nil
}

// issuerGrant picks the grant the directive is issued under: the first directive.issue grant
// whose node holds every target grid, else the first one. Its node is the directive's place.
func issuerGrant(scope access.Scope, grids []Grid) access.Grant {
	for _, g := range scope.Grants {
		if !slices.ContainsFunc(grids, func(x Grid) bool { return !strings.HasPrefix(x.Path, g.OrgPath) }) {
			return g
		}
	}
	return scope.Primary()
}

// territory loads the map targets are resolved on.
func (s *Service) territory(ctx context.Context) (Map, error) {
	m := Map{Places: map[string]map[string]Place{}}
	for _, kind := range []string{"district", "subdistrict", "community", "zone"} {
		places, err := s.Territory.Places(ctx, kind)
		if err != nil {
			return m, fmt.Errorf("load %s places: %w", kind, err)
		}
		m.Places[kind] = map[string]Place{}
		for _, p := range places {
			m.Places[kind][p.Code] = p
		}
	}
	grids, err := s.Territory.Grids(ctx)
	if err != nil {
		return m, fmt.Errorf("load grids: %w", err)
	}
	m.Grids = grids
	return m, nil
}

// Issue issues a directive to the grids its target resolves to, inside the issuer's reach. An
// Update or Cancel ends the directive it references (superseded or cancelled: its
// acknowledgements stop being due) and asks every grid it targets — resolved afresh, from its
// own target or else the earlier one's — for a fresh acknowledgement.
func (s *Service) Issue(ctx context.Context, in Input) (Issued, error) {
	scope, err := access.Need(ctx, access.DirectiveIssue)
	if err != nil {
		return Issued{}, err
	}
	now := s.Now().UTC()
	if err := in.check(now); err != nil {
		return Issued{}, err
	}
	var earlier Directive
	if in.References != "" {
		if earlier, err = s.load(ctx, nil, scope, in.References); err != nil {
			return Issued{}, err
		}
		if in.Target.empty() {
			in.Target = earlier.Target
		}
	}
	m, err := s.territory(ctx)
	if err != nil {
		return Issued{}, err
	}
	res, err := Resolve(in.Target, m, scope.Covers)
	if err != nil {
		return Issued{}, err
	}
	hours := DefaultEscalationHours
	if in.EscalationHours != nil {
		hours = *in.EscalationHours
	}
	escalateAt, err := s.Clock.AddWorkingHours(ctx, in.AckDue, hours)
	if err != nil {
		return Issued{}, fmt.Errorf("issue directive: %w", err)
	}
	p, _ := access.From(ctx)
	grant := issuerGrant(scope, res.Grids)
	unit := grant.OrgName
	if unit == "" {
		unit = grant.OrgCode
	}
	d := Directive{ID: db.NewID(), MsgType: in.MsgType, Status: Active, Title: in.Title, Instruction: in.Instruction,
		Category: in.Category, Urgency: in.Urgency, Severity: in.Severity, Certainty: in.Certainty,
		Effective: in.Effective, Expires: in.Expires, AckDue: in.AckDue.UTC(), EscalationHours: hours,
		EscalateAt: escalateAt.UTC(), ActionRequired: in.ActionRequired, References: in.References, Target: in.Target,
		AreaDesc: areaDesc(res.Names), IssuerCode: grant.OrgCode, IssuerName: unit, IssuedBy: p.Username,
		IssuedAt: now, Targeted: len(res.Grids), path: grant.OrgPath, issuedByID: p.UserID}
	actor := access.ActorOf(ctx, grant)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if earlier.ID != "" {
			if err := s.end(ctx, tx, actor, earlier, d, now); err != nil {
				return err
			}
		}
		if err := s.insertDirective(ctx, tx, d); err != nil {
			return err
		}
		if err := s.insertTargets(ctx, tx, d.ID, res.Grids); err != nil {
			return err
		}
		e := audit.For(actor, now, IssueEvent, ObjectKind.Name, d.ID)
		e.After = audit.Summary(map[string]any{"title": d.Title, "msg_type": d.MsgType, "targeted": d.Targeted,
			"ack_due": d.AckDue, "references": d.References})
		if _, err := audit.Append(ctx, s.DB, tx, e); err != nil {
			return err
		}
		return s.Outbox.Record(ctx, tx, now, issueEvent(d, res.Grids))
	})
	if err != nil {
		return Issued{}, fmt.Errorf("issue directive: %w", err)
	}
	s.Outbox.Wake()
	return Issued{ID: d.ID, Targeted: d.Targeted}, nil
}

// end supersedes (Update) or cancels (Cancel) the earlier directive, once: two Updates of one
// directive cannot both end it.
func (s *Service) end(ctx context.Context, tx *sql.Tx, actor access.Actor, earlier, d Directive, now time.Time) error {
	to := Superseded
	if d.MsgType == MsgTypeCancel {
		to = Cancelled
	}
	res, err := s.DB.TxExec(ctx, tx, `UPDATE directives SET status = $2, superseded_by = $3, ended_at = $4
		WHERE id = $1 AND status = 'active'`, earlier.ID, string(to), d.ID, now)
	if err != nil {
		return fmt.Errorf("end directive %s: %w", earlier.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "directive.not_active", string(earlier.Status))
	}
	e := audit.For(actor, now, SupersedeEvent, ObjectKind.Name, earlier.ID)
	e.Before = audit.Summary(map[string]any{"status": earlier.Status})
	e.After = audit.Summary(map[string]any{"status": to, "by": d.ID})
	if _, err := audit.Append(ctx, s.DB, tx, e); err != nil {
		return err
	}
	return s.Outbox.Record(ctx, tx, now, notify.Event{Type: SupersedeEvent,
		Object: access.Object{Kind: ObjectKind.Name, ID: earlier.ID, Path: earlier.path},
		Live:   notify.Message{Kind: ObjectKind.Name, ID: earlier.ID, Action: "supersede", Status: string(to)}})
}

// communityPaths are the distinct communities of grids, in order.
func communityPaths(grids []Grid) []string {
	var out []string
	for _, g := range grids {
		if p := parentPath(g.Path); len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// issueEvent tells the grid workers and community staff of every targeted community (roles held
// at the community or above it: whoever's grant reaches its grids), one notice per community.
// The live update reaches pages of the issuer's side and of the targeted communities.
func issueEvent(d Directive, grids []Grid) notify.Event {
	communities := communityPaths(grids)
	ev := notify.Event{Type: IssueEvent,
		Object: access.Object{Kind: ObjectKind.Name, ID: d.ID, Path: d.path, Places: communities},
		Live:   notify.Message{Kind: ObjectKind.Name, ID: d.ID, Action: "issue", Status: string(d.Status), Text: d.Title}}
	template := "notify.directive.issue"
	if d.MsgType != MsgTypeAlert {
		template = "notify.directive." + strings.ToLower(string(d.MsgType))
	}
	due := d.AckDue.In(districtZone).Format("2006-01-02 15:04")
	for _, c := range communities {
		ev.Notices = append(ev.Notices, notify.Notice{Template: template, Params: []string{d.Title, due},
			Audience: notify.Audience{RolesAt: ackers, Path: c}})
	}
	return ev
}
