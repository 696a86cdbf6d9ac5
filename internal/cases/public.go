package cases

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

// Followed is what an anonymous reporter sees through their private link: the status and the
// public timeline, nothing about anyone.
type Followed struct {
	Number       string     `json:"number"`
	Status       Status     `json:"status"`
	CategoryCode string     `json:"category_code,omitempty"`
	CategoryName string     `json:"category_name,omitempty"`
	Description  string     `json:"description"`
	ReportedAt   time.Time  `json:"reported_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Events       []Event    `json:"events"`
}

// Follow reads a case by the unguessable token given to its (anonymous) reporter.
func (s *Service) Follow(ctx context.Context, token string) (Followed, error) {
	if len(token) < 20 || len(token) > 64 {
		return Followed{}, apperr.New(apperr.NotFound, "case.not_found")
	}
	var id string
	err := s.DB.QueryRow(ctx, `SELECT case_id FROM case_reporters WHERE follow_token_hash = $1
		ORDER BY reported_at DESC LIMIT 1`, hashToken(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Followed{}, apperr.New(apperr.NotFound, "case.not_found")
	}
	if err != nil {
		return Followed{}, err
	}
	// A merged case is followed through the case it was merged into.
	scope := access.Scope{Paths: []string{"/"}}
	c, err := s.load(ctx, s.DB.Read, scope, id)
	for hops := 0; err == nil && c.Status == Merged && c.MergedInto != "" && hops < 5; hops++ {
		id = c.MergedInto
		c, err = s.load(ctx, s.DB.Read, scope, id)
	}
	if err != nil {
		return Followed{}, err
	}
	// The link may be passed on, and a merged report is followed through another reporter's case:
	// the text is shown as the public list shows it.
	f := Followed{Number: c.Number, Status: c.Status, CategoryCode: c.CategoryCode, CategoryName: c.CategoryName, Description: redact.Public(c.Description),
		ReportedAt: c.ReportedAt, ClosedAt: c.ClosedAt, Events: []Event{}}
	rows, err := s.DB.Query(ctx, `SELECT seq, action, status, at FROM case_events WHERE case_id = $1 AND public ORDER BY seq`, id)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var action, status string
		if err := rows.Scan(&e.Seq, &action, &status, &e.At); err != nil {
			return f, err
		}
		e.Action, e.Status, e.Step, e.At, e.Public = Action(action), Status(status), StepOf(Status(status)), e.At.UTC(), true
		f.Events = append(f.Events, e)
	}
	return f, rows.Err()
}

// Nearby lists open cases close to one the caller reaches (possible duplicates, for the desk).
func (s *Service) Nearby(ctx context.Context, id string) ([]Nearby, error) {
	c, _, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.nearby(ctx, c, s.Now())
}
