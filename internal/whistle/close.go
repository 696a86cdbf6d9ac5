package whistle

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/flow"
)

// The whistler's side after the whistle: close it once the case is solved ("事不完、人不撤": the
// units stay on it until then), call it off, and rate each unit (the subdistrict's evaluation of
// the departments, standards-cn.md §3.3 双考核).

// whistlerGrant picks the grant under which the caller acts for the whistler: the person who blew
// the whistle, or a leader who reaches it (the subdistrict's leader stands in for a whistler who
// is away). Others who may blow whistles get "not the whistler" (403).
func whistlerGrant(p *access.Principal, w Whistle) (access.Grant, error) {
	for _, g := range p.Grants {
		if _, ok := grantFor(&access.Principal{UserID: p.UserID, Grants: []access.Grant{g}}, w, access.WhistleBlow, whistlers, ""); !ok {
			continue
		}
		if p.UserID == w.BlownBy || g.Role == access.Leader {
			return g, nil
		}
	}
	return access.Grant{}, apperr.New(apperr.Forbidden, "whistle.not_whistler")
}

// whistlerTx is the frame of the whistler's actions: in one transaction it loads the whistle in
// reach, picks the whistler's grant, checks the whistle's flow and lets apply write the change.
// apply returns what the audit record says after the change ("" for the whistle's new status).
func (s *Service) whistlerTx(ctx context.Context, id string, action Action, inputs flow.Inputs,
	apply func(tx *sql.Tx, w *Whistle, g access.Grant, now time.Time) (string, error)) (Whistle, error) {
	scope, err := access.Need(ctx, access.WhistleBlow)
	if err != nil {
		return Whistle{}, err
	}
	p, _ := access.From(ctx)
	now := s.Now().UTC()
	var w Whistle
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if w, err = s.loadForUpdate(ctx, tx, scope, id); err != nil {
			return err
		}
		g, err := whistlerGrant(p, w)
		if err != nil {
			return err
		}
		before := w.Status
		next, err := whistleFlow.Next(w.Status, action, g.Role, inputs)
		if err != nil {
			return err
		}
		w.Status = next
		after, err := apply(tx, &w, g, now)
		if err != nil {
			return err
		}
		if after == "" {
			after = string(next)
		}
		return s.audit(ctx, tx, g, w, action, string(before), after, now)
	})
	if err != nil {
		return Whistle{}, err
	}
	s.Outbox.Wake()
	return s.present(w), nil
}

// EndInput is the body of POST /api/v1/whistles/{id}/close and …/cancel.
type EndInput struct {
	Note string `json:"note,omitempty"`
}

// Close closes a whistle: only once its case is solved (the fix verified on site, or the case
// closed), and only by the whistler (or a leader in reach). The summoned units are told.
func (s *Service) Close(ctx context.Context, id string, in EndInput) (Whistle, error) {
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Whistle{}, apperr.New(apperr.Invalid, "whistle.too_long", MaxNote)
	}
	// Who may close, and whether the case is solved, are checked before the transaction: the case
	// is read as the caller sees it, by its own read. The transaction checks the whistle again.
	scope, err := access.Need(ctx, access.WhistleBlow)
	if err != nil {
		return Whistle{}, err
	}
	w, err := s.load(ctx, nil, scope, id)
	if err != nil {
		return Whistle{}, err
	}
	p, _ := access.From(ctx)
	if _, err := whistlerGrant(p, w); err != nil {
		return Whistle{}, err
	}
	if w.Status == Open {
		place, err := s.Cases.Place(ctx, w.CaseID)
		if err != nil {
			return Whistle{}, err
		}
		if !place.Solved {
			return Whistle{}, apperr.New(apperr.Conflict, "whistle.case_not_solved", place.Number)
		}
	}
	return s.whistlerTx(ctx, id, Close, nil, func(tx *sql.Tx, w *Whistle, g access.Grant, now time.Time) (string, error) {
		w.ClosedAt, w.Note = &now, note
		p, _ := access.From(ctx)
		if err := s.exec(ctx, tx, "close whistle", `UPDATE whistles SET status = $1, closed_at = $2, closed_by = $3,
			note = $4, updated_at = $2 WHERE id = $5`, string(w.Status), now, p.UserID, note, w.ID); err != nil {
			return "", err
		}
		return "", s.Outbox.Record(ctx, tx, now, endEvent(*w, Close))
	})
}

// Cancel calls a whistle off, with the reason; the summoned units are told they need not come.
// A cancelled whistle counts in no unit's figures.
func (s *Service) Cancel(ctx context.Context, id string, in EndInput) (Whistle, error) {
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Whistle{}, apperr.New(apperr.Invalid, "whistle.too_long", MaxNote)
	}
	return s.whistlerTx(ctx, id, Cancel, flow.Inputs{"note": note}, func(tx *sql.Tx, w *Whistle, g access.Grant, now time.Time) (string, error) {
		w.CancelledAt, w.Note = &now, note
		p, _ := access.From(ctx)
		if err := s.exec(ctx, tx, "cancel whistle", `UPDATE whistles SET status = $1, cancelled_at = $2, closed_by = $3,
			note = $4, updated_at = $2 WHERE id = $5`, string(w.Status), now, p.UserID, note, w.ID); err != nil {
			return "", err
		}
		return "", s.Outbox.Record(ctx, tx, now, endEvent(*w, Cancel))
	})
}

// RateInput is the body of POST /api/v1/whistles/{id}/ratings.
type RateInput struct {
	DepartmentCode string `json:"department_code"`
	Stars          int    `json:"stars"`
	Note           string `json:"note,omitempty"`
}

// MaxStars is the best rating; 1 is the worst.
const MaxStars = 5

// Rate records the whistler's rating of one summoned unit, once, after the whistle is closed.
func (s *Service) Rate(ctx context.Context, id string, in RateInput) (Summons, error) {
	note := strings.TrimSpace(in.Note)
	var details []apperr.Detail
	if in.DepartmentCode == "" {
		details = append(details, apperr.Detail{Field: "department_code", Message: "whistle.unit_required"})
	}
	if in.Stars < 1 || in.Stars > MaxStars {
		details = append(details, apperr.Detail{Field: "stars", Message: "whistle.bad_stars", Args: []any{MaxStars}})
	}
	if utf8.RuneCountInString(note) > MaxNote {
		details = append(details, apperr.Detail{Field: "note", Message: "whistle.too_long", Args: []any{MaxNote}})
	}
	if len(details) > 0 {
		return Summons{}, apperr.New(apperr.Invalid, "whistle.bad_rating").WithDetails(details)
	}
	var rated Summons
	_, err := s.whistlerTx(ctx, id, Rate, nil, func(tx *sql.Tx, w *Whistle, g access.Grant, now time.Time) (string, error) {
		i := -1
		for j, sm := range w.Summons {
			if sm.DepartmentCode == in.DepartmentCode {
				i = j
			}
		}
		if i < 0 {
			return "", apperr.New(apperr.Invalid, "whistle.not_summoned", in.DepartmentCode).
				WithDetails([]apperr.Detail{{Field: "department_code", Message: "whistle.not_summoned", Args: []any{in.DepartmentCode}}})
		}
		if w.Summons[i].Stars != nil {
			return "", apperr.New(apperr.Conflict, "whistle.already_rated", in.DepartmentCode)
		}
		stars := in.Stars
		rated = w.Summons[i]
		rated.Stars, rated.RatingNote, rated.RatedAt = &stars, note, &now
		w.Summons[i] = rated
		p, _ := access.From(ctx)
		if err := s.exec(ctx, tx, "rate unit", `UPDATE whistle_summons SET stars = $1, rating_note = $2, rated_at = $3,
			rated_by = $4 WHERE whistle_id = $5 AND department_code = $6 AND stars IS NULL`,
			stars, note, now, p.UserID, w.ID, in.DepartmentCode); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s:%d", rated.DepartmentCode, stars), s.Outbox.Record(ctx, tx, now, rateEvent(*w, rated))
	})
	if err != nil {
		return Summons{}, err
	}
	rated.Late = LateNow(rated, s.Now())
	return rated, nil
}
