package directive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// The directive's SQL. Reads go through s.DB.Query/QueryRow, or TxQuery/TxQueryRow inside a
// transaction; every read of directives for a caller carries the scope condition (ObjectKind).

const directiveColumns = `d.id, d.msg_type, d.status, d.title, d.instruction, d.category, d.urgency, d.severity,
	d.certainty, d.effective, d.expires, d.ack_due, d.escalation_hours, d.escalate_at, d.action_required,
	d.references_id, d.superseded_by, d.ended_at, d.target, d.area_desc, d.path, d.issuer_code, d.issuer_name,
	d.issued_by, d.issued_by_name, d.issued_at, d.targeted`

func scanDirective(row interface{ Scan(...any) error }) (Directive, error) {
	var d Directive
	var effective, expires, ended sql.NullTime
	var target string
	err := row.Scan(&d.ID, &d.MsgType, &d.Status, &d.Title, &d.Instruction, &d.Category, &d.Urgency, &d.Severity,
		&d.Certainty, &effective, &expires, &d.AckDue, &d.EscalationHours, &d.EscalateAt, &d.ActionRequired,
		&d.References, &d.SupersededBy, &ended, &target, &d.AreaDesc, &d.path, &d.IssuerCode, &d.IssuerName,
		&d.issuedByID, &d.IssuedBy, &d.IssuedAt, &d.Targeted)
	if err != nil {
		return d, err
	}
	d.Effective, d.Expires, d.EndedAt = timeOrNil(effective), timeOrNil(expires), timeOrNil(ended)
	d.AckDue, d.EscalateAt, d.IssuedAt = d.AckDue.UTC(), d.EscalateAt.UTC(), d.IssuedAt.UTC()
	if err := json.Unmarshal([]byte(target), &d.Target); err != nil {
		return d, fmt.Errorf("directive %s: target: %w", d.ID, err)
	}
	for _, l := range []*[]string{&d.Target.Districts, &d.Target.Subdistricts, &d.Target.Zones, &d.Target.Communities, &d.Target.Grids} {
		if *l == nil {
			*l = []string{}
		}
	}
	return d, nil
}

func timeOrNil(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// load reads one directive the scope reaches (tx may be nil); out of reach is not found.
func (s *Service) load(ctx context.Context, tx *sql.Tx, scope access.Scope, id string) (Directive, error) {
	cond, args := scope.Where(ObjectKind, "d", 2)
	q := `SELECT ` + directiveColumns + ` FROM directives d WHERE d.id = $1 AND ` + cond
	args = append([]any{id}, args...)
	var row *sql.Row
	if tx != nil {
		row = s.DB.TxQueryRow(ctx, tx, q, args...)
	} else {
		row = s.DB.QueryRow(ctx, q, args...)
	}
	d, err := scanDirective(row)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.New(apperr.NotFound, "directive.not_found")
	}
	if err != nil {
		return d, fmt.Errorf("load directive %s: %w", id, err)
	}
	return d, nil
}

// readable loads directive id for a reader: the caller's directive.read scope and the directive
// in it (not found outside it).
func (s *Service) readable(ctx context.Context, id string) (access.Scope, Directive, error) {
	scope, err := access.Need(ctx, access.DirectiveRead)
	if err != nil {
		return scope, Directive{}, err
	}
	d, err := s.load(ctx, nil, scope, id)
	return scope, d, err
}

// insertDirective writes a directive row.
func (s *Service) insertDirective(ctx context.Context, tx *sql.Tx, d Directive) error {
	target, _ := json.Marshal(d.Target)
	_, err := s.DB.TxExec(ctx, tx, `INSERT INTO directives (id, msg_type, status, title, instruction, category, urgency,
		severity, certainty, effective, expires, ack_due, escalation_hours, escalate_at, action_required, references_id,
		superseded_by, ended_at, target, area_desc, path, issuer_code, issuer_name, issued_by, issued_by_name, issued_at, targeted)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,'',NULL,$17,$18,$19,$20,$21,$22,$23,$24,$25)`,
		d.ID, string(d.MsgType), string(d.Status), d.Title, d.Instruction, string(d.Category), string(d.Urgency),
		string(d.Severity), string(d.Certainty), nullTime(d.Effective), nullTime(d.Expires), d.AckDue.UTC(),
		d.EscalationHours, d.EscalateAt.UTC(), d.ActionRequired, d.References, string(target), d.AreaDesc, d.path,
		d.IssuerCode, d.IssuerName, d.issuedByID, d.IssuedBy, d.IssuedAt.UTC(), d.Targeted)
	if err != nil {
		return fmt.Errorf("insert directive: %w", err)
	}
	return nil
}

// targetBatch is how many target rows one INSERT writes (8 values a row: well under both
// engines' limits on parameters).
const targetBatch = 500

// insertTargets writes one row per resolved grid.
func (s *Service) insertTargets(ctx context.Context, tx *sql.Tx, id string, grids []Grid) error {
	for start := 0; start < len(grids); start += targetBatch {
		batch := grids[start:min(start+targetBatch, len(grids))]
		var b strings.Builder
		b.WriteString(`INSERT INTO directive_targets (directive_id, grid_code, path, community_code, subdistrict_code, zone_code) VALUES `)
		args := make([]any, 0, len(batch)*5+1)
		args = append(args, id)
		for i, g := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			n := len(args)
			fmt.Fprintf(&b, "($1,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5)
			args = append(args, g.Code, g.Path, g.CommunityCode, g.SubdistrictCode, g.ZoneCode)
		}
		if _, err := s.DB.TxExec(ctx, tx, b.String(), args...); err != nil {
			return fmt.Errorf("insert directive targets: %w", err)
		}
	}
	return nil
}

const targetColumns = `t.grid_code, t.path, t.community_code, t.subdistrict_code, t.zone_code, t.acknowledged_at,
	t.acknowledged_by, t.done_at, t.note, t.lat, t.lng, t.escalated_level`

func scanTarget(row interface{ Scan(...any) error }) (TargetState, error) {
	var t TargetState
	var acked, done sql.NullTime
	var lat, lng sql.NullFloat64
	err := row.Scan(&t.GridCode, &t.path, &t.CommunityCode, &t.SubdistrictCode, &t.ZoneCode, &acked, &t.acknowledgedBy,
		&done, &t.Note, &lat, &lng, &t.EscalatedLevel)
	t.AcknowledgedAt, t.DoneAt = timeOrNil(acked), timeOrNil(done)
	if lat.Valid && lng.Valid {
		t.Lat, t.Lng = &lat.Float64, &lng.Float64
	}
	t.Status = Unacknowledged
	switch {
	case t.DoneAt != nil:
		t.Status = Done
	case t.AcknowledgedAt != nil:
		t.Status = Acknowledged
	}
	return t, err
}

// statusCondition is the SQL for a target status filter.
var statusCondition = map[AckStatus]string{
	Unacknowledged: "t.acknowledged_at IS NULL",
	Acknowledged:   "t.acknowledged_at IS NOT NULL AND t.done_at IS NULL",
	Done:           "t.done_at IS NOT NULL",
}

// targetFilter is the condition on a directive's target rows (alias t) for a caller: every row
// when the caller reaches the directive's own place (its issuer's side), else only the rows
// below the caller's paths (a community sees its own grids, not the rest of the district).
func targetFilter(scope access.Scope, d Directive, next int) (string, []any) {
	if scope.Covers(d.path) {
		return "1 = 1", nil
	}
	return scope.PathCondition("t.path", next)
}

// queryTargets lists target rows of directive d matching the extra condition.
func (s *Service) queryTargets(ctx context.Context, q string, args ...any) ([]TargetState, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TargetState
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
