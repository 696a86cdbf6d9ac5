package patrol

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// PlanInput is a plan as POST and PATCH take it; on PATCH an absent field is kept.
type PlanInput struct {
	GridCode  string      `json:"grid_code,omitempty"`
	PerWeek   *int        `json:"per_week,omitempty"`
	Route     []Point     `json:"route,omitempty"`
	Checklist []string    `json:"checklist,omitempty"`
	Assignees *[]Assignee `json:"assignees,omitempty"`
}

// gridInfo is what a plan or a patrol needs of its grid.
type gridInfo struct{ code, name, kind, path string }

func (s *Service) grid(ctx context.Context, code string) (gridInfo, error) {
	g := gridInfo{code: code}
	err := s.DB.QueryRow(ctx, `SELECT name, kind, path FROM grids WHERE code = $1`, code).Scan(&g.name, &g.kind, &g.path)
	if errors.Is(err, sql.ErrNoRows) {
		return g, apperr.New(apperr.NotFound, "patrol.unknown_grid", code)
	}
	return g, err
}

func bad(field, key string, args ...any) error {
	return apperr.New(apperr.Invalid, key, args...).WithDetails([]apperr.Detail{{Field: field, Message: key, Args: args}})
}

// check validates the parts of a plan the input carries.
func (in *PlanInput) check(ctx context.Context, s *Service) error {
	if in.PerWeek != nil && (*in.PerWeek < 1 || *in.PerWeek > MaxPerWeek) {
		return bad("per_week", "patrol.bad_per_week", MaxPerWeek)
	}
	if in.Route != nil {
		if len(in.Route) == 0 || len(in.Route) > MaxPoints {
			return bad("route", "patrol.bad_route", MaxPoints)
		}
		for i := range in.Route {
			p := &in.Route[i]
			p.Name = strings.TrimSpace(p.Name)
			if n := utf8.RuneCountInString(p.Name); n < 1 || n > 100 || !validPoint(p.Lat, p.Lng) {
				return bad("route", "patrol.bad_route", MaxPoints)
			}
		}
	}
	if in.Checklist != nil {
		if len(in.Checklist) > MaxChecklist {
			return bad("checklist", "patrol.bad_checklist", MaxChecklist)
		}
		for i, item := range in.Checklist {
			in.Checklist[i] = strings.TrimSpace(item)
			if n := utf8.RuneCountInString(in.Checklist[i]); n < 2 || n > 200 {
				return bad("checklist", "patrol.bad_checklist", MaxChecklist)
			}
		}
	}
	if in.Assignees != nil {
		if len(*in.Assignees) > MaxAssignees {
			return bad("assignees", "patrol.bad_assignee", "")
		}
		for _, a := range *in.Assignees {
			if err := s.checkAssignee(ctx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAssignee refuses an assignee that is not an active account or a volunteer team.
func (s *Service) checkAssignee(ctx context.Context, a Assignee) error {
	var q string
	switch a.Kind {
	case "user":
		q = `SELECT count(*) FROM users WHERE id = $1`
	case "team":
		q = `SELECT count(*) FROM participants WHERE id = $1 AND kind = 'volunteer_team'`
	default:
		return bad("assignees", "patrol.bad_assignee", a.Subject)
	}
	var n int
	if err := s.DB.QueryRow(ctx, q, a.Subject).Scan(&n); err != nil {
		return fmt.Errorf("check assignee: %w", err)
	}
	if n == 0 {
		return bad("assignees", "patrol.bad_assignee", a.Subject)
	}
	return nil
}

func validPoint(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && !(lat == 0 && lng == 0)
}

// CreatePlan writes a grid's plan; the checklist defaults to its grid kind's (checklist.go).
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (Plan, error) {
	scope, err := access.Need(ctx, access.PatrolPlan)
	if err != nil {
		return Plan{}, err
	}
	g, err := s.grid(ctx, in.GridCode)
	if err != nil || !scope.Covers(g.path) {
		return Plan{}, apperr.New(apperr.NotFound, "patrol.unknown_grid", in.GridCode)
	}
	if in.PerWeek == nil || in.Route == nil {
		return Plan{}, bad("per_week", "patrol.plan_incomplete")
	}
	if err := in.check(ctx, s); err != nil {
		return Plan{}, err
	}
	if in.Checklist == nil {
		in.Checklist = DefaultChecklist(g.kind)
	}
	if in.Assignees == nil {
		in.Assignees = &[]Assignee{}
	}
	now := s.Now().UTC()
	p := Plan{ID: db.NewID(), GridCode: g.code, GridName: g.name, GridKind: g.kind, PerWeek: *in.PerWeek, Route: in.Route,
		Checklist: in.Checklist, Assignees: *in.Assignees, CreatedAt: now, UpdatedAt: now, path: g.path}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM patrol_plans WHERE grid_code = $1`, g.code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "patrol.plan_exists", g.code)
		}
		actor := access.ActorOf(ctx, scope.GrantCovering(g.path))
		if err := s.writePlan(ctx, tx, p, actor.ID, true); err != nil {
			return err
		}
		e := audit.For(actor, now, "patrol.plan_create", PlanKind.Name, p.ID)
		e.OrgPath, e.After = g.path, audit.Summary(map[string]any{"grid": g.code, "per_week": p.PerWeek, "points": len(p.Route)})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Plan{}, fmt.Errorf("create patrol plan: %w", err)
	}
	return p, nil
}

// writePlan inserts or updates a plan and replaces its assignees.
func (s *Service) writePlan(ctx context.Context, tx *sql.Tx, p Plan, by string, insert bool) error {
	route, _ := json.Marshal(p.Route)
	checklist, _ := json.Marshal(p.Checklist)
	var err error
	if insert {
		_, err = s.DB.TxExec(ctx, tx, `INSERT INTO patrol_plans (id, grid_code, path, per_week, route, checklist, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)`, p.ID, p.GridCode, p.path, p.PerWeek, string(route), string(checklist), by, p.CreatedAt)
	} else {
		_, err = s.DB.TxExec(ctx, tx, `UPDATE patrol_plans SET per_week = $2, route = $3, checklist = $4, updated_at = $5 WHERE id = $1`,
			p.ID, p.PerWeek, string(route), string(checklist), p.UpdatedAt)
	}
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM patrol_plan_assignees WHERE plan_id = $1`, p.ID); err != nil {
		return err
	}
	var seen []Assignee
	for _, a := range p.Assignees {
		if slices.Contains(seen, a) {
			continue
		}
		seen = append(seen, a)
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO patrol_plan_assignees (plan_id, kind, subject) VALUES ($1,$2,$3)`,
			p.ID, a.Kind, a.Subject); err != nil {
			return fmt.Errorf("write plan assignees: %w", err)
		}
	}
	return nil
}

// UpdatePlan changes what the input carries of a plan in the caller's reach.
func (s *Service) UpdatePlan(ctx context.Context, id string, in PlanInput) (Plan, error) {
	scope, err := access.Need(ctx, access.PatrolPlan)
	if err != nil {
		return Plan{}, err
	}
	p, err := s.loadPlan(ctx, id)
	if err != nil || !scope.Reaches(access.Object{Path: p.path}) {
		return Plan{}, apperr.New(apperr.NotFound, "patrol.plan_not_found")
	}
	if in.GridCode != "" && in.GridCode != p.GridCode {
		return Plan{}, bad("grid_code", "patrol.grid_fixed")
	}
	if err := in.check(ctx, s); err != nil {
		return Plan{}, err
	}
	before := audit.Summary(map[string]any{"per_week": p.PerWeek, "points": len(p.Route), "assignees": len(p.Assignees)})
	if in.PerWeek != nil {
		p.PerWeek = *in.PerWeek
	}
	if in.Route != nil {
		p.Route = in.Route
	}
	if in.Checklist != nil {
		p.Checklist = in.Checklist
	}
	if in.Assignees != nil {
		p.Assignees = *in.Assignees
	}
	now := s.Now().UTC()
	p.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		actor := access.ActorOf(ctx, scope.GrantCovering(p.path))
		if err := s.writePlan(ctx, tx, p, actor.ID, false); err != nil {
			return err
		}
		e := audit.For(actor, now, "patrol.plan_update", PlanKind.Name, p.ID)
		e.OrgPath, e.Before = p.path, before
		e.After = audit.Summary(map[string]any{"per_week": p.PerWeek, "points": len(p.Route), "assignees": len(p.Assignees)})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Plan{}, fmt.Errorf("update patrol plan: %w", err)
	}
	return s.loadPlan(ctx, id)
}

const planColumns = `pp.id, pp.grid_code, g.name, g.kind, pp.path, pp.per_week, pp.route, pp.checklist, pp.created_at, pp.updated_at`

func scanPlan(r db.Scanner) (Plan, error) {
	var p Plan
	var route, checklist string
	if err := r.Scan(&p.ID, &p.GridCode, &p.GridName, &p.GridKind, &p.path, &p.PerWeek, &route, &checklist, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(route), &p.Route); err != nil {
		return p, fmt.Errorf("plan %s route: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(checklist), &p.Checklist); err != nil {
		return p, fmt.Errorf("plan %s checklist: %w", p.ID, err)
	}
	return p, nil
}

// loadPlan reads a plan and its assignees, without scope (callers check it).
func (s *Service) loadPlan(ctx context.Context, id string) (Plan, error) {
	p, err := scanPlan(s.DB.QueryRow(ctx, `SELECT `+planColumns+` FROM patrol_plans pp JOIN grids g ON g.code = pp.grid_code WHERE pp.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.New(apperr.NotFound, "patrol.plan_not_found")
	}
	if err != nil {
		return p, fmt.Errorf("read patrol plan: %w", err)
	}
	p.Assignees, err = db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (Assignee, error) {
		var a Assignee
		return a, r.Scan(&a.Kind, &a.Subject)
	}, `SELECT kind, subject FROM patrol_plan_assignees WHERE plan_id = $1 ORDER BY kind, subject`, id)
	if err != nil {
		return p, fmt.Errorf("read patrol plan assignees: %w", err)
	}
	p.teamUsers, err = db.Strings(ctx, s.DB.Prepared(), `SELECT t.user_id FROM (`+teamMembers+`) t WHERE t.plan_id = $1`, id)
	return p, err
}

// Plan reads one plan in the caller's reach (patrol.read; a volunteer reads the plans assigned
// to them).
func (s *Service) Plan(ctx context.Context, id string) (Plan, error) {
	scope, err := access.Need(ctx, access.PatrolRead)
	if err != nil {
		return Plan{}, err
	}
	p, err := s.loadPlan(ctx, id)
	if err != nil || !scope.Reaches(p.object()) {
		return Plan{}, apperr.New(apperr.NotFound, "patrol.plan_not_found")
	}
	return p, nil
}

// Plans lists the plans in the caller's reach, of one grid or community when grid is given.
func (s *Service) Plans(ctx context.Context, gridPrefix string) ([]Plan, error) {
	scope, err := access.Need(ctx, access.PatrolRead)
	if err != nil {
		return nil, err
	}
	cond, args := scope.Where(PlanKind, "pp", 1)
	where := cond
	if gridPrefix != "" {
		args = append(args, len(gridPrefix), gridPrefix)
		where += fmt.Sprintf(` AND substr(pp.grid_code, 1, $%d) = $%d`, len(args)-1, len(args))
	}
	from := ` FROM patrol_plans pp JOIN grids g ON g.code = pp.grid_code WHERE ` + where
	plans, err := db.QueryAll(ctx, s.DB.Prepared(), scanPlan, `SELECT `+planColumns+from+` ORDER BY pp.grid_code LIMIT 2000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list patrol plans: %w", err)
	}
	// The assignees of every listed plan in one read, not one per plan.
	index := map[string]int{}
	for i := range plans {
		index[plans[i].ID] = i
		plans[i].Assignees = []Assignee{}
	}
	rows, err := s.DB.Query(ctx, `SELECT a.plan_id, a.kind, a.subject FROM patrol_plan_assignees a
		WHERE a.plan_id IN (SELECT pp.id`+from+`) ORDER BY a.plan_id, a.kind, a.subject`, args...)
	if err != nil {
		return nil, fmt.Errorf("list patrol plan assignees: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var planID string
		var a Assignee
		if err := rows.Scan(&planID, &a.Kind, &a.Subject); err != nil {
			return nil, err
		}
		if i, ok := index[planID]; ok {
			plans[i].Assignees = append(plans[i].Assignees, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return plans, nil
}
