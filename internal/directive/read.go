package directive

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// MaxPage is the longest page of a list.
const MaxPage = 500

// Page is a list's window.
type Page struct{ Limit, Offset int }

func (p Page) check() (Page, error) {
	if p.Limit == 0 {
		p.Limit = 50
	}
	if p.Limit < 1 || p.Limit > MaxPage || p.Offset < 0 {
		return p, apperr.New(apperr.Invalid, "directive.bad_page", MaxPage)
	}
	return p, nil
}

// pastDue reports whether d's missing acknowledgements are overdue at now: its deadline passed
// while it is still active (a superseded or cancelled directive's acknowledgements are no
// longer due).
func (d Directive) pastDue(now time.Time) bool {
	return d.Status == Active && now.After(d.AckDue)
}

// List is the page of directives the caller reaches, newest first.
func (s *Service) List(ctx context.Context, page Page) ([]Directive, error) {
	scope, err := access.Need(ctx, access.DirectiveRead)
	if err != nil {
		return nil, err
	}
	if page, err = page.check(); err != nil {
		return nil, err
	}
	cond, args := scope.Where(ObjectKind, "d", 1)
	n := len(args)
	args = append(args, page.Limit, page.Offset)
	rows, err := s.DB.Query(ctx, `SELECT `+directiveColumns+` FROM directives d WHERE `+cond+`
		ORDER BY d.issued_at DESC, d.id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), args...)
	if err != nil {
		return nil, fmt.Errorf("list directives: %w", err)
	}
	defer rows.Close()
	out := []Directive{}
	for rows.Next() {
		d, err := scanDirective(rows)
		if err != nil {
			return nil, fmt.Errorf("list directives: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Get reads one directive with the caller's own grids among its targets (those the caller's
// directive.ack reaches) and where each stands.
func (s *Service) Get(ctx context.Context, id string) (Directive, error) {
	_, d, err := s.readable(ctx, id)
	if err != nil {
		return Directive{}, err
	}
	ack, err := access.Need(ctx, access.DirectiveAck)
	if err != nil {
		return d, nil // no grids of one's own: the issuer's side
	}
	cond, args := ack.PathCondition("t.path", 2)
	mine, err := s.queryTargets(ctx, `SELECT `+targetColumns+` FROM directive_targets t
		WHERE t.directive_id = $1 AND `+cond+` ORDER BY t.grid_code LIMIT `+strconv.Itoa(MaxPage), append([]any{id}, args...)...)
	if err != nil {
		return d, fmt.Errorf("read directive %s: %w", id, err)
	}
	now := s.Now()
	for i := range mine {
		mine[i].Overdue = mine[i].Status == Unacknowledged && d.pastDue(now)
	}
	d.Mine = mine
	return d, nil
}

// Count is one unit's figures in a coverage.
type Count struct {
	Code            string `json:"code"`
	SubdistrictCode string `json:"subdistrict_code,omitempty"`
	Targeted        int    `json:"targeted"`
	Acknowledged    int    `json:"acknowledged"`
	Done            int    `json:"done"`
	Overdue         int    `json:"overdue"`
}

// Coverage is how far a directive has got: acknowledged, done and targeted grids, overall and
// by subdistrict and community, and how many owe their acknowledgement past the deadline.
type Coverage struct {
	ID             string    `json:"id"`
	Status         State     `json:"status"`
	AckDue         time.Time `json:"ack_due"`
	Targeted       int       `json:"targeted"`
	Acknowledged   int       `json:"acknowledged"`
	Done           int       `json:"done"`
	Overdue        int       `json:"overdue"`
	BySubdistrict  []Count   `json:"by_subdistrict"`
	ByCommunity    []Count   `json:"by_community"`
	ActionRequired bool      `json:"action_required"`
	At             time.Time `json:"at"`
}

// Coverage counts a directive's targets in one GROUP BY over its rows (an index covers it). The
// issuer's side sees every target; a caller who reaches the directive only through some of its
// grids sees those grids' figures.
func (s *Service) Coverage(ctx context.Context, id string) (Coverage, error) {
	scope, d, err := s.readable(ctx, id)
	if err != nil {
		return Coverage{}, err
	}
	now := s.Now().UTC()
	cond, args := targetFilter(scope, d, 2)
	rows, err := s.DB.Query(ctx, `SELECT t.subdistrict_code, t.community_code, count(*), count(t.acknowledged_at), count(t.done_at)
		FROM directive_targets t WHERE t.directive_id = $1 AND `+cond+`
		GROUP BY t.subdistrict_code, t.community_code ORDER BY t.subdistrict_code, t.community_code`, append([]any{id}, args...)...)
	if err != nil {
		return Coverage{}, fmt.Errorf("coverage of directive %s: %w", id, err)
	}
	defer rows.Close()
	c := Coverage{ID: d.ID, Status: d.Status, AckDue: d.AckDue, ActionRequired: d.ActionRequired, At: now,
		BySubdistrict: []Count{}, ByCommunity: []Count{}}
	late := d.pastDue(now)
	for rows.Next() {
		var k Count
		if err := rows.Scan(&k.SubdistrictCode, &k.Code, &k.Targeted, &k.Acknowledged, &k.Done); err != nil {
			return Coverage{}, fmt.Errorf("coverage of directive %s: %w", id, err)
		}
		if late {
			k.Overdue = k.Targeted - k.Acknowledged
		}
		c.ByCommunity = append(c.ByCommunity, k)
		if n := len(c.BySubdistrict); n == 0 || c.BySubdistrict[n-1].Code != k.SubdistrictCode {
			c.BySubdistrict = append(c.BySubdistrict, Count{Code: k.SubdistrictCode})
		}
		sub := &c.BySubdistrict[len(c.BySubdistrict)-1]
		sub.Targeted, sub.Acknowledged, sub.Done, sub.Overdue = sub.Targeted+k.Targeted, sub.Acknowledged+k.Acknowledged,
			sub.Done+k.Done, sub.Overdue+k.Overdue
		c.Targeted, c.Acknowledged, c.Done, c.Overdue = c.Targeted+k.Targeted, c.Acknowledged+k.Acknowledged,
			c.Done+k.Done, c.Overdue+k.Overdue
	}
	return c, rows.Err()
}

// TargetQuery narrows a directive's target list.
type TargetQuery struct {
	Status    AckStatus // "" for every status
	Community string
	Page      Page
}

// TargetList is a page of a directive's targets (the overdue list, the map's colours).
type TargetList struct {
	Targets []TargetState `json:"targets"`
	Total   int           `json:"total"`
}

// Targets lists a directive's targets the caller may see (as Coverage), by subdistrict,
// community and grid.
func (s *Service) Targets(ctx context.Context, id string, q TargetQuery) (TargetList, error) {
	scope, err := access.Need(ctx, access.DirectiveRead)
	if err != nil {
		return TargetList{}, err
	}
	if q.Page, err = q.Page.check(); err != nil {
		return TargetList{}, err
	}
	if _, ok := statusCondition[q.Status]; q.Status != "" && !ok {
		return TargetList{}, apperr.New(apperr.Invalid, "directive.bad_value", "status", string(q.Status))
	}
	d, err := s.load(ctx, nil, scope, id)
	if err != nil {
		return TargetList{}, err
	}
	cond, args := targetFilter(scope, d, 2)
	args = append([]any{id}, args...)
	where := ` FROM directive_targets t WHERE t.directive_id = $1 AND ` + cond
	if q.Status != "" {
		where += " AND " + statusCondition[q.Status]
	}
	if q.Community != "" {
		args = append(args, q.Community)
		where += " AND t.community_code = $" + strconv.Itoa(len(args))
	}
	out := TargetList{Targets: []TargetState{}}
	if err := s.DB.QueryRow(ctx, `SELECT count(*)`+where, args...).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("targets of directive %s: %w", id, err)
	}
	n := len(args)
	list, err := s.queryTargets(ctx, `SELECT `+targetColumns+where+` ORDER BY t.subdistrict_code, t.community_code, t.grid_code
		LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args, q.Page.Limit, q.Page.Offset)...)
	if err != nil {
		return out, fmt.Errorf("targets of directive %s: %w", id, err)
	}
	now := s.Now()
	for i := range list {
		list[i].Overdue = list[i].Status == Unacknowledged && d.pastDue(now)
	}
	if list != nil {
		out.Targets = list
	}
	return out, nil
}
