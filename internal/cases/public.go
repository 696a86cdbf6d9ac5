package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
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
		e.Action, e.Status, e.At, e.Public = Action(action), Status(status), e.At.UTC(), true
		f.Events = append(f.Events, e)
	}
	return f, rows.Err()
}

// PublicCase is an open case on the public map: no text, no people, the place rounded to
// about 100 m.
type PublicCase struct {
	Number       string    `json:"number"`
	Status       Status    `json:"status"`
	CategoryCode string    `json:"category_code,omitempty"`
	Lat          float64   `json:"lat"`
	Lng          float64   `json:"lng"`
	ReportedAt   time.Time `json:"reported_date"`
}

// PublicNearby lists anonymised open cases within radius metres of a point (resident map).
func (s *Service) PublicNearby(ctx context.Context, lat, lng float64, radius int) ([]PublicCase, error) {
	if _, err := access.Need(ctx, access.TerritoryLocate); err != nil {
		return nil, err
	}
	if !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) || radius < 50 || radius > 5000 {
		return nil, apperr.New(apperr.Invalid, "grid.bad_point")
	}
	dLat := float64(radius) / 111320
	dLng := float64(radius) / (111320 * math.Cos(lat*math.Pi/180))
	rows, err := s.DB.Query(ctx, `SELECT number, status, category_code, lat, lng, reported_at FROM cases
		WHERE lat BETWEEN $1 AND $2 AND lng BETWEEN $3 AND $4 AND status NOT IN ('closed','voided','merged')
		ORDER BY reported_at DESC LIMIT 200`, lat-dLat, lat+dLat, lng-dLng, lng+dLng)
	if err != nil {
		return nil, fmt.Errorf("public map: %w", err)
	}
	defer rows.Close()
	out := []PublicCase{}
	for rows.Next() {
		var p PublicCase
		var status string
		if err := rows.Scan(&p.Number, &status, &p.CategoryCode, &p.Lat, &p.Lng, &p.ReportedAt); err != nil {
			return nil, err
		}
		if distanceM(lat, lng, p.Lat, p.Lng) > float64(radius) {
			continue
		}
		p.Status = Status(status)
		p.Lat, p.Lng = math.Round(p.Lat*1000)/1000, math.Round(p.Lng*1000)/1000
		local := p.ReportedAt.In(shanghai)
		p.ReportedAt = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, shanghai)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Nearby lists open cases close to one the caller reaches (possible duplicates, for the desk).
func (s *Service) Nearby(ctx context.Context, id string) ([]Nearby, error) {
	c, _, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.nearby(ctx, c, s.Now())
}
