package directive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/flow"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// AckInput is a grid's acknowledgement (POST /api/v1/directives/{id}/acks): done reports the
// required action taken, with an optional note and the position it was reported from; its
// photos are uploaded first (photos.go).
type AckInput struct {
	GridCode string   `json:"grid_code"`
	Done     bool     `json:"done,omitempty"`
	Note     string   `json:"note,omitempty"`
	Lat      *float64 `json:"lat,omitempty"`
	Lng      *float64 `json:"lng,omitempty"`
}

func (in *AckInput) check() error {
	in.GridCode, in.Note = strings.TrimSpace(in.GridCode), strings.TrimSpace(in.Note)
	if in.GridCode == "" {
		return apperr.New(apperr.Invalid, "directive.required", "grid_code")
	}
	if utf8.RuneCountInString(in.Note) > MaxNote {
		return apperr.New(apperr.Invalid, "directive.bad_length", "note", 0, MaxNote)
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		return apperr.New(apperr.Invalid, "directive.bad_position")
	}
	// WGS 84 ranges, written so that NaN fails too.
	if in.Lat != nil && (!(*in.Lat >= -90 && *in.Lat <= 90) || !(*in.Lng >= -180 && *in.Lng <= 180)) {
		return apperr.New(apperr.Invalid, "directive.bad_position")
	}
	return nil
}

// ackGrant is the caller's grant that acknowledges for a grid: a role of ackFlow whose
// directive.ack reaches the grid's path. "The grid's worker" is whoever holds it — grid workers
// are granted at community (or subdistrict) nodes, not at grids.
func ackGrant(p *access.Principal, gridPath string) (access.Grant, bool) {
	o := access.Object{Kind: ObjectKind.Name, Path: gridPath}
	for _, g := range p.Grants {
		if slices.Contains(ackers, g.Role) && access.GrantReaches(p.UserID, g, access.DirectiveAck, o) {
			return g, true
		}
	}
	return access.Grant{}, false
}

// Ack records a grid's acknowledgement, or its action done, for a directive that is still
// active. A grid the directive does not target is not found; one it targets outside the
// caller's reach is forbidden. Repeats change nothing and answer the grid's state.
func (s *Service) Ack(ctx context.Context, id string, in AckInput) (TargetState, error) {
	scope, err := access.Need(ctx, access.DirectiveAck)
	if err != nil {
		return TargetState{}, err
	}
	if err := in.check(); err != nil {
		return TargetState{}, err
	}
	p, _ := access.From(ctx)
	action := Ack
	if in.Done {
		action = ReportDone
	}
	now := s.Now().UTC()
	var out TargetState
	changed := false
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		changed = false
		d, err := s.load(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		t, err := scanTarget(s.DB.TxQueryRow(ctx, tx, `SELECT `+targetColumns+` FROM directive_targets t
			WHERE t.directive_id = $1 AND t.grid_code = $2`, id, in.GridCode))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "directive.grid_not_targeted", in.GridCode)
		}
		if err != nil {
			return fmt.Errorf("load target: %w", err)
		}
		grant, ok := ackGrant(p, t.path)
		if !ok {
			return apperr.New(apperr.Forbidden, "directive.grid_out_of_reach", in.GridCode)
		}
		// Superseded or cancelled: its acknowledgements are no longer due (the new one's are).
		if d.Status != Active {
			return apperr.New(apperr.Conflict, "directive.not_active", string(d.Status))
		}
		if in.Done && !d.ActionRequired {
			return apperr.New(apperr.Invalid, "directive.no_action_required")
		}
		next, err := ackFlow.Next(t.Status, action, grant.Role, flow.Inputs{"note": in.Note})
		if err != nil {
			return err
		}
		out = t
		if next == t.Status {
			return nil
		}
		out, changed, err = s.record(ctx, tx, d, t, next, in, grant, now)
		return err
	})
	if err != nil {
		return TargetState{}, fmt.Errorf("acknowledge directive %s: %w", id, err)
	}
	if changed {
		s.Outbox.Wake()
	}
	return out, nil
}

// record writes the change of one target, claimed on its current state so that two requests
// at once write it once, and records the event (it feeds the issuer's live coverage) and the
// audit record.
func (s *Service) record(ctx context.Context, tx *sql.Tx, d Directive, t TargetState, next AckStatus, in AckInput,
	grant access.Grant, now time.Time) (TargetState, bool, error) {
	p, _ := access.From(ctx)
	var res sql.Result
	var err error
	switch next {
	case Acknowledged:
		res, err = s.DB.TxExec(ctx, tx, `UPDATE directive_targets SET acknowledged_at = $3, acknowledged_by = $4
			WHERE directive_id = $1 AND grid_code = $2 AND acknowledged_at IS NULL`, d.ID, t.GridCode, now, p.UserID)
	case Done:
		var lat, lng any
		if in.Lat != nil {
			lat, lng = *in.Lat, *in.Lng
		}
		res, err = s.DB.TxExec(ctx, tx, `UPDATE directive_targets SET acknowledged_at = COALESCE(acknowledged_at, $3),
			acknowledged_by = CASE WHEN acknowledged_at IS NULL THEN $4 ELSE acknowledged_by END,
			done_at = $3, note = $5, lat = $6, lng = $7
			WHERE directive_id = $1 AND grid_code = $2 AND done_at IS NULL`, d.ID, t.GridCode, now, p.UserID, in.Note, lat, lng)
	}
	if err != nil {
		return t, false, fmt.Errorf("record acknowledgement: %w", err)
	}
	after, err := scanTarget(s.DB.TxQueryRow(ctx, tx, `SELECT `+targetColumns+` FROM directive_targets t
		WHERE t.directive_id = $1 AND t.grid_code = $2`, d.ID, t.GridCode))
	if err != nil {
		return t, false, fmt.Errorf("reload target: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return after, false, nil // another request got there first
	}
	e := audit.For(access.ActorOf(ctx, grant), now, "directive."+string(map[AckStatus]AckAction{Acknowledged: Ack, Done: ReportDone}[next]),
		ObjectKind.Name, d.ID)
	e.Before = audit.Summary(map[string]any{"grid_code": t.GridCode, "status": t.Status})
	e.After = audit.Summary(map[string]any{"grid_code": t.GridCode, "status": next, "note": in.Note})
	if _, err := audit.Append(ctx, s.DB, tx, e); err != nil {
		return after, false, err
	}
	// The live update goes to pages that reach the issuer's place or this grid; no notice: a
	// notice per grid would bury the issuer, whose coverage page follows the stream instead.
	ev := notify.Event{Type: AckEvent, Object: access.Object{Kind: ObjectKind.Name, ID: d.ID, Path: d.path, Places: []string{t.path}},
		Live: notify.Message{Kind: ObjectKind.Name, ID: d.ID, Action: string(next), Status: string(next), Text: t.GridCode}}
	return after, true, s.Outbox.Record(ctx, tx, now, ev)
}
