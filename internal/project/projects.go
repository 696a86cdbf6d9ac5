package project

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Text limits, in characters.
const (
	maxTitle        = 200
	maxGoal         = 2000
	maxNote         = 2000
	maxParticipants = 50
	maxTasks        = 100
)

func bad(field, key string, args ...any) error {
	return apperr.New(apperr.Invalid, key, args...).WithDetails([]apperr.Detail{{Field: field, Message: key, Args: args}})
}

func field(i int, name string) string { return "milestones[" + strconv.Itoa(i) + "]." + name }

// zone is a zone as scope sees it: its path and the paths of its grids (a zone is reached from
// its subdistrict's subtree and from any community one of its grids lies in).
type zone struct {
	code, name, path string
	gridPaths        []string
}

func (z zone) object() access.Object {
	return access.Object{Kind: ObjectKind.Name, ID: z.code, Path: z.path, Places: z.gridPaths}
}

func (s *Service) zone(ctx context.Context, code string) (zone, error) {
	z := zone{code: code}
	err := s.DB.QueryRow(ctx, `SELECT name, path FROM zones WHERE code = $1`, code).Scan(&z.name, &z.path)
	if errors.Is(err, sql.ErrNoRows) {
		return z, apperr.New(apperr.NotFound, "project.zone_not_found", code)
	}
	if err != nil {
		return z, fmt.Errorf("read zone %s: %w", code, err)
	}
	z.gridPaths, err = db.Strings(ctx, s.DB.Prepared(), `SELECT path FROM grids WHERE zone_code = $1`, code)
	return z, err
}

// reach loads a zone the caller reaches with perm and returns the grant that reaches it. A zone
// out of read reach is not found (its existence is not revealed); one the caller reads but may
// not plan is forbidden.
func (s *Service) reach(ctx context.Context, code string, perm access.Permission) (zone, access.Grant, error) {
	scope, err := access.Need(ctx, perm)
	if err != nil {
		return zone{}, access.Grant{}, err
	}
	z, err := s.zone(ctx, code)
	if err != nil {
		return z, access.Grant{}, err
	}
	p, _ := access.From(ctx)
	for _, g := range scope.Grants {
		if access.GrantReaches(p.UserID, g, perm, z.object()) {
			return z, g, nil
		}
	}
	if perm == access.ProjectPlan {
		if read, err := access.Need(ctx, access.ProjectRead); err == nil && read.Reaches(z.object()) {
			return z, access.Grant{}, apperr.New(apperr.Forbidden, "auth.forbidden")
		}
	}
	return z, access.Grant{}, apperr.New(apperr.NotFound, "project.zone_not_found", code)
}

// text checks a required or optional text field's length.
func text(name, v string, required bool, limit int) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return bad(name, "project.required", name)
	case utf8.RuneCountInString(v) > limit:
		return bad(name, "project.too_long", name, limit)
	}
	return nil
}

// validate checks everything of a new project but its zone and plan.
func (in *Input) validate() error {
	if !in.Field.valid() {
		return bad("field", "project.bad_field", string(in.Field))
	}
	if err := text("title", in.Title, true, maxTitle); err != nil {
		return err
	}
	if err := text("goal", in.Goal, false, maxGoal); err != nil {
		return err
	}
	if err := text("owner_unit_code", in.OwnerUnitCode, true, 64); err != nil {
		return err
	}
	if len(in.Participants) > maxParticipants {
		return bad("participants", "project.too_many", "participants", maxParticipants)
	}
	for _, p := range in.Participants {
		if err := text("participants", p, true, maxTitle); err != nil {
			return err
		}
	}
	if in.BudgetFen != nil && *in.BudgetFen < 0 {
		return bad("budget_fen", "project.bad_budget")
	}
	for i, m := range in.Milestones {
		if err := text(field(i, "title"), m.Title, true, maxTitle); err != nil {
			return err
		}
	}
	if len(in.Tasks) > maxTasks {
		return bad("tasks", "project.too_many", "tasks", maxTasks)
	}
	for _, t := range in.Tasks {
		if err := text("tasks.title", t.Title, true, maxTitle); err != nil {
			return err
		}
		if err := text("tasks.unit_code", t.UnitCode, true, 64); err != nil {
			return err
		}
		if t.Milestone != nil && (*t.Milestone < 0 || *t.Milestone >= len(in.Milestones)) {
			return bad("tasks.milestone", "project.bad_task_milestone", *t.Milestone)
		}
	}
	return nil
}

// units checks that the owner and the tasks' units are org nodes.
func (s *Service) units(ctx context.Context, in Input) error {
	codes := []string{in.OwnerUnitCode}
	for _, t := range in.Tasks {
		codes = append(codes, t.UnitCode)
	}
	for i, code := range codes {
		var n int
		if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM org_nodes WHERE code = $1`, code).Scan(&n); err != nil {
			return fmt.Errorf("read unit %s: %w", code, err)
		}
		if n == 0 {
			name := "owner_unit_code"
			if i > 0 {
				name = "tasks.unit_code"
			}
			return bad(name, "project.unit_not_found", code)
		}
	}
	return nil
}

// Create plans a new project backward from its deadline on the district's work calendar and
// stores it with its plan.
func (s *Service) Create(ctx context.Context, in Input) (Project, error) {
	if _, err := access.Need(ctx, access.ProjectPlan); err != nil {
		return Project{}, err
	}
	if err := in.validate(); err != nil {
		return Project{}, err
	}
	deadline, ok := ParseDate(in.Deadline)
	if !ok {
		return Project{}, bad("deadline", "project.bad_date", in.Deadline)
	}
	z, grant, err := s.reach(ctx, in.ZoneCode, access.ProjectPlan)
	if err != nil {
		return Project{}, err
	}
	if err := s.units(ctx, in); err != nil {
		return Project{}, err
	}
	cal, err := s.Calendars.Calendar(ctx)
	if err != nil {
		return Project{}, fmt.Errorf("create project: work calendar: %w", err)
	}
	steps := make([]Step, len(in.Milestones))
	for i, m := range in.Milestones {
		steps[i] = Step{DurationDays: m.DurationDays, DependsOn: m.DependsOn}
	}
	slots, err := Plan(steps, deadline, cal.IsWorkingDay)
	if err != nil {
		return Project{}, err
	}
	now := s.Now().UTC()
	p := Project{ID: db.NewID(), ZoneCode: z.code, ZoneName: z.name, Field: in.Field, Title: in.Title, Goal: in.Goal,
		OwnerUnitCode: in.OwnerUnitCode, Participants: in.Participants, BudgetFen: in.BudgetFen, Deadline: deadline.Format(DateLayout),
		Tasks: in.Tasks, CreatedBy: access.ActorOf(ctx, grant).Name, CreatedAt: now, path: z.path}
	if p.Participants == nil {
		p.Participants = []string{}
	}
	if p.Tasks == nil {
		p.Tasks = []Task{}
	}
	for i, m := range in.Milestones {
		deps := m.DependsOn
		if deps == nil {
			deps = []int{}
		}
		p.Milestones = append(p.Milestones, Milestone{Index: i, Title: m.Title, DurationDays: m.DurationDays, DependsOn: deps,
			LatestStart: slots[i].LatestStart.Format(DateLayout), LatestFinish: slots[i].LatestFinish.Format(DateLayout),
			Critical: slots[i].Critical, SlackDays: slots[i].SlackDays, Evidence: []Evidence{}})
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.insert(ctx, tx, p); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "project.create", ObjectKind.Name, p.ID)
		e.OrgPath, e.After = z.path, audit.Summary(map[string]any{"zone": z.code, "title": p.Title, "deadline": p.Deadline, "milestones": len(p.Milestones)})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Project{}, fmt.Errorf("create project: %w", err)
	}
	p.rollUp(s.today())
	return p, nil
}

func (s *Service) insert(ctx context.Context, tx *sql.Tx, p Project) error {
	participants, _ := json.Marshal(p.Participants)
	var budget sql.NullInt64
	if p.BudgetFen != nil {
		budget = sql.NullInt64{Int64: *p.BudgetFen, Valid: true}
	}
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO projects (id, zone_code, path, field, title, goal, owner_unit_code, participants,
		budget_fen, deadline, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)`,
		p.ID, p.ZoneCode, p.path, string(p.Field), p.Title, p.Goal, p.OwnerUnitCode, string(participants), budget, p.Deadline,
		p.CreatedBy, p.CreatedAt); err != nil {
		return fmt.Errorf("insert project: %w", err)
	}
	for _, m := range p.Milestones {
		deps, _ := json.Marshal(m.DependsOn)
		critical := 0
		if m.Critical {
			critical = 1
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO project_milestones (project_id, idx, title, duration_days, depends_on,
			latest_start, latest_finish, critical, slack_days, percent) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,0)`,
			p.ID, m.Index, m.Title, m.DurationDays, string(deps), m.LatestStart, m.LatestFinish, critical, m.SlackDays); err != nil {
			return fmt.Errorf("insert milestone %d: %w", m.Index, err)
		}
	}
	for i, t := range p.Tasks {
		milestone := -1
		if t.Milestone != nil {
			milestone = *t.Milestone
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO project_tasks (project_id, idx, unit_code, title, milestone) VALUES ($1,$2,$3,$4,$5)`,
			p.ID, i, t.UnitCode, t.Title, milestone); err != nil {
			return fmt.Errorf("insert task %d: %w", i, err)
		}
	}
	return nil
}

// today is the app clock's local day.
func (s *Service) today() string { return s.Now().In(calendar.Zone).Format(DateLayout) }
