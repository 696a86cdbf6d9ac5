package whistle

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
	"github.com/yiwang-gov/yiwang/internal/configver"
	"github.com/yiwang-gov/yiwang/internal/cursor"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Service is the whistle (吹哨报到) module's rules and storage.
type Service struct {
	DB     *db.DB
	Outbox *notify.Outbox
	Now    func() time.Time
	Cases  Cases // the case a whistle is blown on, as the caller sees it
	Units  Units // the handling units that may be summoned
	Clock  Clock // the work calendar, for check-in deadlines in working time
	// Versions keeps the district's versions of the rules (rulesdata.go); nil: the shipped rules.
	Versions *configver.Store
}

// Bounds of what a whistle carries.
const (
	MaxUnits   = 20   // units one whistle summons
	MaxAsk     = 1000 // characters of what is asked
	MaxNote    = 1000 // characters of a note, a report or a message
	maxListing = 200
)

// BlowInput is the body of POST /api/v1/whistles.
type BlowInput struct {
	CaseID          string   `json:"case_id"`
	Kind            Kind     `json:"kind"`
	DepartmentCodes []string `json:"department_codes"`
	Ask             string   `json:"ask"`
	CheckInMinutes  *int     `json:"check_in_minutes,omitempty"`
	// Asks are what is asked of one unit in particular, by its code; the others get Ask.
	Asks map[string]string `json:"asks,omitempty"`
}

// check names every problem of the input at once, field by field.
func (in BlowInput) check() error {
	var details []apperr.Detail
	bad := func(field, key string, args ...any) {
		details = append(details, apperr.Detail{Field: field, Message: key, Args: args})
	}
	if strings.TrimSpace(in.CaseID) == "" {
		bad("case_id", "whistle.case_required")
	}
	if !slices.Contains(Kinds, in.Kind) {
		bad("kind", "whistle.bad_kind")
	}
	switch {
	case len(in.DepartmentCodes) == 0:
		bad("department_codes", "whistle.units_required")
	case len(in.DepartmentCodes) > MaxUnits:
		bad("department_codes", "whistle.too_many_units", MaxUnits)
	}
	seen := map[string]bool{}
	for _, code := range in.DepartmentCodes {
		if seen[code] {
			bad("department_codes", "whistle.unit_twice", code)
		}
		seen[code] = true
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Ask)); n < 2 || n > MaxAsk {
		bad("ask", "whistle.bad_ask", MaxAsk)
	}
	for code, ask := range in.Asks {
		if !seen[code] {
			bad("asks", "whistle.ask_not_summoned", code)
		} else if n := utf8.RuneCountInString(strings.TrimSpace(ask)); n < 2 || n > MaxAsk {
			bad("asks", "whistle.bad_ask", MaxAsk)
		}
	}
	if m := in.CheckInMinutes; m != nil && (*m < 1 || *m > MaxCheckInMinutes) {
		bad("check_in_minutes", "whistle.bad_minutes", MaxCheckInMinutes)
	}
	if len(details) > 0 {
		return apperr.New(apperr.Invalid, "whistle.bad_whistle").WithDetails(details)
	}
	return nil
}

// Blow blows the whistle on a case: it summons the named units to the case's place, each with its
// task and its check-in deadline, and tells their staff (standards-cn.md §3.3 哨单).
func (s *Service) Blow(ctx context.Context, in BlowInput) (Whistle, error) {
	if _, err := access.Need(ctx, access.WhistleBlow); err != nil {
		return Whistle{}, err
	}
	p, _ := access.From(ctx)
	if err := in.check(); err != nil {
		return Whistle{}, err
	}
	place, err := s.Cases.Place(ctx, in.CaseID)
	if err != nil {
		return Whistle{}, err
	}
	switch {
	case !place.Open:
		return Whistle{}, apperr.New(apperr.Conflict, "whistle.case_not_open")
	case !place.Located:
		return Whistle{}, apperr.New(apperr.Conflict, "whistle.case_unlocated")
	}
	now := s.Now().UTC()
	w := Whistle{ID: db.NewID(), CaseID: place.ID, CaseNumber: place.Number, Kind: in.Kind, Status: Open,
		Ask: strings.TrimSpace(in.Ask), Lat: place.Lat, Lng: place.Lng, GridCode: place.GridCode,
		CommunityCode: place.CommunityCode, SubdistrictCode: place.SubdistrictCode, CheckInMinutes: in.CheckInMinutes,
		BlownBy: p.UserID, BlownByName: p.DisplayName, BlownAt: now, path: place.Path}
	// The whistler blows from where they reach the case's place (whistle.blow, subtree).
	grant, ok := grantFor(p, w, access.WhistleBlow, whistlers, "")
	if !ok {
		return Whistle{}, apperr.New(apperr.Forbidden, "auth.out_of_scope")
	}
	w.BlownRole, w.blownOrg = string(grant.Role), grant.OrgCode
	cal, err := s.Clock.Calendar(ctx)
	if err != nil {
		return Whistle{}, fmt.Errorf("blow whistle: %w", err)
	}
	rules, err := s.RulesAt(ctx, now)
	if err != nil {
		return Whistle{}, fmt.Errorf("blow whistle: %w", err)
	}
	w.FlagDistanceM = rules.FlagDistanceM
	due := Due(cal, now, rules.LimitFor(in.Kind, in.CheckInMinutes))
	var details []apperr.Detail
	for _, code := range in.DepartmentCodes {
		u, ok, err := s.Units.Department(ctx, code)
		if err != nil {
			return Whistle{}, fmt.Errorf("blow whistle: %w", err)
		}
		if !ok {
			details = append(details, apperr.Detail{Field: "department_codes", Message: "whistle.unknown_unit", Args: []any{code}})
			continue
		}
		task := w.Ask
		if a := strings.TrimSpace(in.Asks[code]); a != "" {
			task = a
		}
		w.Summons = append(w.Summons, Summons{DepartmentCode: u.Code, DepartmentName: u.Name, Task: task, Status: Summoned, DueAt: due})
	}
	if len(details) > 0 {
		return Whistle{}, apperr.New(apperr.Invalid, "whistle.bad_whistle").WithDetails(details)
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.insert(ctx, tx, w); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, grant, w, Blow, "", string(Open), now); err != nil {
			return err
		}
		return s.Outbox.Record(ctx, tx, now, blowEvent(w, due))
	})
	if err != nil {
		return Whistle{}, err
	}
	s.Outbox.Wake()
	return s.Get(ctx, w.ID)
}

// audit records a person's change of a whistle in the audit log, in the change's transaction.
func (s *Service) audit(ctx context.Context, tx *sql.Tx, g access.Grant, w Whistle, a Action, before, after string, now time.Time) error {
	e := audit.For(access.ActorOf(ctx, g), now, "whistle."+string(a), "whistle", w.ID)
	e.OrgPath, e.OrgCode = w.path, w.SubdistrictCode
	e.Before, e.After = before, after
	_, err := audit.Append(ctx, s.DB, tx, e)
	return err
}

// Get returns one whistle the caller reaches.
func (s *Service) Get(ctx context.Context, id string) (Whistle, error) {
	scope, err := access.Need(ctx, access.WhistleRead)
	if err != nil {
		return Whistle{}, err
	}
	w, err := s.load(ctx, nil, scope, id)
	if err != nil {
		return Whistle{}, err
	}
	return s.present(w), nil
}

// present marks the summons late as of now: checked in late, or still awaited past the deadline.
func (s *Service) present(w Whistle) Whistle {
	now := s.Now()
	for i := range w.Summons {
		w.Summons[i].Late = LateNow(w.Summons[i], now)
	}
	return w
}

// List returns a page of the whistles the caller reaches, newest first.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	scope, err := access.Need(ctx, access.WhistleRead)
	if err != nil {
		return Page{}, err
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return Page{}, apperr.New(apperr.Invalid, "request.bad_param", "status", string(f.Status))
	}
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		return Page{}, apperr.New(apperr.Invalid, "request.bad_param", "kind", string(f.Kind))
	}
	limit := f.Limit
	if limit <= 0 || limit > maxListing {
		limit = 50
	}
	var after *position
	if f.Cursor != "" {
		after = &position{}
		if err := cursor.Decode(f.Cursor, after); err != nil {
			return Page{}, err
		}
	}
	list, err := s.listRows(ctx, scope, f, after, limit+1)
	if err != nil {
		return Page{}, err
	}
	page := Page{Whistles: list}
	if len(list) > limit {
		page.Whistles = list[:limit]
		last := list[limit-1]
		page.NextCursor = cursor.Encode(position{At: last.BlownAt, ID: last.ID})
	}
	ids := make([]string, len(page.Whistles))
	for i, w := range page.Whistles {
		ids[i] = w.ID
	}
	summons, err := s.summonsOf(ctx, nil, ids)
	if err != nil {
		return Page{}, err
	}
	for i := range page.Whistles {
		page.Whistles[i].Summons = append(page.Whistles[i].Summons, summons[page.Whistles[i].ID]...)
		page.Whistles[i] = s.present(page.Whistles[i])
	}
	return page, nil
}
