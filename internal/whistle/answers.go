package whistle

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/flow"
)

// A summoned unit's answers (报到): acknowledge, check in on site, report the task done. Only the
// staff of a summoned unit answer, each for their own unit; to the staff of a unit not summoned
// the whistle does not exist (404).

// answer is the frame of every answer: in one transaction it loads the whistle the caller's unit
// is summoned to, picks the unit's summons and grant, checks the summons' flow, and lets apply
// write the change. unit is the unit the caller answers for ("" when they have one).
func (s *Service) answer(ctx context.Context, id, unit string, action Action, inputs flow.Inputs,
	apply func(tx *sql.Tx, w Whistle, sm *Summons, g access.Grant, now time.Time) error) (Whistle, Summons, error) {
	scope, err := access.Need(ctx, access.WhistleAnswer)
	if err != nil {
		return Whistle{}, Summons{}, err
	}
	p, _ := access.From(ctx)
	now := s.Now().UTC()
	var w Whistle
	var sm Summons
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if w, err = s.loadForUpdate(ctx, tx, scope, id); err != nil {
			return err
		}
		i, g, err := pickUnit(p, w, unit)
		if err != nil {
			return err
		}
		if w.Status != Open {
			return apperr.New(apperr.Conflict, "whistle.not_open", w.Status)
		}
		sm = w.Summons[i]
		next, err := summonsFlow.Next(sm.Status, action, g.Role, inputs)
		if err != nil {
			return err
		}
		before := sm.Status
		sm.Status = next
		if err := apply(tx, w, &sm, g, now); err != nil {
			return err
		}
		w.Summons[i] = sm
		return s.audit(ctx, tx, g, w, action, sm.DepartmentCode+":"+string(before), sm.DepartmentCode+":"+string(next), now)
	})
	if err != nil {
		return Whistle{}, Summons{}, err
	}
	s.Outbox.Wake()
	return w, sm, nil
}

// pickUnit finds the summons the caller answers for and the grant they answer under: the named
// unit, or the caller's only summoned unit.
func pickUnit(p *access.Principal, w Whistle, unit string) (int, access.Grant, error) {
	if unit != "" {
		for i, sm := range w.Summons {
			if sm.DepartmentCode == unit {
				g, ok := grantFor(p, w, access.WhistleAnswer, answerers, unit)
				if !ok {
					return 0, g, apperr.New(apperr.Forbidden, "whistle.not_your_unit", unit)
				}
				return i, g, nil
			}
		}
		return 0, access.Grant{}, apperr.New(apperr.NotFound, "whistle.not_summoned", unit)
	}
	found, at := -1, access.Grant{}
	for i, sm := range w.Summons {
		if g, ok := grantFor(p, w, access.WhistleAnswer, answerers, sm.DepartmentCode); ok {
			if found >= 0 {
				return 0, at, apperr.New(apperr.Invalid, "whistle.unit_required").
					WithDetails([]apperr.Detail{{Field: "department_code", Message: "whistle.unit_required"}})
			}
			found, at = i, g
		}
	}
	if found < 0 {
		return 0, at, apperr.New(apperr.NotFound, "whistle.not_found")
	}
	return found, at, nil
}

// Acknowledge records that a summoned unit is coming.
func (s *Service) Acknowledge(ctx context.Context, id, unit string) (Summons, error) {
	_, sm, err := s.answer(ctx, id, unit, Ack, nil, func(tx *sql.Tx, w Whistle, sm *Summons, g access.Grant, now time.Time) error {
		sm.AcknowledgedAt = &now
		p, _ := access.From(ctx)
		return s.exec(ctx, tx, "acknowledge whistle", `UPDATE whistle_summons SET status = $1, acknowledged_at = $2,
			acknowledged_by = $3 WHERE whistle_id = $4 AND department_code = $5`,
			string(sm.Status), now, p.UserID, w.ID, sm.DepartmentCode)
	})
	return sm, err
}

// CheckInInput is the body of POST /api/v1/whistles/{id}/check-ins: the phone's position.
type CheckInInput struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
	// DepartmentCode names the unit checking in, for staff of more than one summoned unit.
	DepartmentCode string `json:"department_code,omitempty"`
}

// CheckIn records a summoned unit's arrival (报到): the time and the phone's position, the
// distance from the place, and whether it is late or far. A far check-in is accepted and flagged
// — never refused, never silently — and the whistler is told either way.
func (s *Service) CheckIn(ctx context.Context, id string, in CheckInInput) (CheckInResult, error) {
	if _, err := access.Need(ctx, access.WhistleAnswer); err != nil {
		return CheckInResult{}, err
	}
	if err := CheckPosition(in.Lat, in.Lng); err != nil {
		return CheckInResult{}, err
	}
	var r CheckInResult
	_, _, err := s.answer(ctx, id, in.DepartmentCode, CheckIn, nil, func(tx *sql.Tx, w Whistle, sm *Summons, g access.Grant, now time.Time) error {
		r = Judge(*in.Lat, *in.Lng, w.Lat, w.Lng, now, sm.DueAt, w.FlagDistanceM)
		if sm.AcknowledgedAt == nil {
			sm.AcknowledgedAt = &now // arriving answers the summons too
		}
		sm.CheckedInAt, sm.CheckInLat, sm.CheckInLng = &now, in.Lat, in.Lng
		sm.DistanceM, sm.Late, sm.Flagged = &r.DistanceM, r.Late, r.Flagged
		p, _ := access.From(ctx)
		if err := s.exec(ctx, tx, "check in", `UPDATE whistle_summons SET status = $1, acknowledged_at = $2,
			acknowledged_by = CASE WHEN acknowledged_by = '' THEN $3 ELSE acknowledged_by END, checked_in_at = $4,
			checked_in_by = $3, check_in_lat = $5, check_in_lng = $6, distance_m = $7, late = $8, flagged = $9
			WHERE whistle_id = $10 AND department_code = $11`,
			string(sm.Status), *sm.AcknowledgedAt, p.UserID, now, *in.Lat, *in.Lng, r.DistanceM, r.Late, r.Flagged,
			w.ID, sm.DepartmentCode); err != nil {
			return err
		}
		return s.Outbox.Record(ctx, tx, now, checkInEvent(w, *sm, r))
	})
	return r, err
}

// DoneInput is the body of POST /api/v1/whistles/{id}/tasks/{code}/done.
type DoneInput struct {
	Note string `json:"note"`
}

// TaskDone records a unit's report that its task is done, with what it did (checked in first:
// "事不完、人不撤" is answered on site).
func (s *Service) TaskDone(ctx context.Context, id, unit string, in DoneInput) (Summons, error) {
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Summons{}, apperr.New(apperr.Invalid, "whistle.too_long", MaxNote)
	}
	_, sm, err := s.answer(ctx, id, unit, Done, flow.Inputs{"note": note}, func(tx *sql.Tx, w Whistle, sm *Summons, g access.Grant, now time.Time) error {
		sm.TaskDoneAt, sm.TaskNote = &now, note
		return s.exec(ctx, tx, "report task done", `UPDATE whistle_summons SET status = $1, task_done_at = $2, task_note = $3
			WHERE whistle_id = $4 AND department_code = $5`, string(sm.Status), now, note, w.ID, sm.DepartmentCode)
	})
	return sm, err
}
