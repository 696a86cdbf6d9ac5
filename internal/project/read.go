package project

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

const projectColumns = `p.id, p.zone_code, z.name, p.path, p.field, p.title, p.goal, p.owner_unit_code, p.participants,
	p.budget_fen, p.deadline, p.created_by, p.created_at`

func scanProject(row interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var participants string
	var budget sql.NullInt64
	err := row.Scan(&p.ID, &p.ZoneCode, &p.ZoneName, &p.path, &p.Field, &p.Title, &p.Goal, &p.OwnerUnitCode, &participants,
		&budget, &p.Deadline, &p.CreatedBy, &p.CreatedAt)
	if err != nil {
		return p, err
	}
	if budget.Valid {
		p.BudgetFen = &budget.Int64
	}
	if err := json.Unmarshal([]byte(participants), &p.Participants); err != nil {
		return p, fmt.Errorf("project %s participants: %w", p.ID, err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

// load reads a project with its milestones, evidence and tasks; not found when it does not
// exist or the caller does not read its zone.
func (s *Service) load(ctx context.Context, id string) (Project, zone, error) {
	scope, err := access.Need(ctx, access.ProjectRead)
	if err != nil {
		return Project{}, zone{}, err
	}
	p, err := scanProject(s.DB.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects p JOIN zones z ON z.code = p.zone_code WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, zone{}, apperr.New(apperr.NotFound, "project.not_found", id)
	}
	if err != nil {
		return p, zone{}, fmt.Errorf("read project %s: %w", id, err)
	}
	z, err := s.zone(ctx, p.ZoneCode)
	if err != nil {
		return p, z, err
	}
	if !scope.Reaches(z.object()) {
		return Project{}, z, apperr.New(apperr.NotFound, "project.not_found", id)
	}
	if err := s.details(ctx, &p); err != nil {
		return p, z, err
	}
	p.rollUp(s.today())
	return p, z, nil
}

// details reads a project's milestones with their evidence, and its tasks.
func (s *Service) details(ctx context.Context, p *Project) error {
	rows, err := s.DB.Query(ctx, `SELECT idx, title, duration_days, depends_on, latest_start, latest_finish, critical, slack_days,
		started_at, finished_at, percent FROM project_milestones WHERE project_id = $1 ORDER BY idx`, p.ID)
	if err != nil {
		return fmt.Errorf("read milestones of %s: %w", p.ID, err)
	}
	p.Milestones = []Milestone{}
	for rows.Next() {
		var m Milestone
		var deps string
		var critical int
		var started, finished sql.NullTime
		if err := rows.Scan(&m.Index, &m.Title, &m.DurationDays, &deps, &m.LatestStart, &m.LatestFinish, &critical, &m.SlackDays,
			&started, &finished, &m.Percent); err != nil {
			rows.Close()
			return fmt.Errorf("read milestones of %s: %w", p.ID, err)
		}
		if err := json.Unmarshal([]byte(deps), &m.DependsOn); err != nil {
			rows.Close()
			return fmt.Errorf("milestone %d of %s: %w", m.Index, p.ID, err)
		}
		m.Critical = critical != 0
		m.StartedAt, m.FinishedAt = utc(started), utc(finished)
		m.Evidence = []Evidence{}
		p.Milestones = append(p.Milestones, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read milestones of %s: %w", p.ID, err)
	}
	evidence, err := db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (struct {
		idx int
		e   Evidence
	}, error) {
		var v struct {
			idx int
			e   Evidence
		}
		err := r.Scan(&v.idx, &v.e.Note, &v.e.By, &v.e.CreatedAt)
		v.e.CreatedAt = v.e.CreatedAt.UTC()
		return v, err
	}, `SELECT idx, note, created_by, created_at FROM project_evidence WHERE project_id = $1 ORDER BY created_at, id`, p.ID)
	if err != nil {
		return fmt.Errorf("read evidence of %s: %w", p.ID, err)
	}
	for _, v := range evidence {
		if v.idx >= 0 && v.idx < len(p.Milestones) {
			p.Milestones[v.idx].Evidence = append(p.Milestones[v.idx].Evidence, v.e)
		}
	}
	p.Tasks, err = db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (Task, error) {
		var t Task
		var milestone int
		err := r.Scan(&t.UnitCode, &t.Title, &milestone)
		if milestone >= 0 {
			t.Milestone = &milestone
		}
		return t, err
	}, `SELECT unit_code, title, milestone FROM project_tasks WHERE project_id = $1 ORDER BY idx`, p.ID)
	if err != nil {
		return fmt.Errorf("read tasks of %s: %w", p.ID, err)
	}
	if p.Tasks == nil {
		p.Tasks = []Task{}
	}
	return nil
}

func utc(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// Get reads a project with its plan, progress and statuses.
func (s *Service) Get(ctx context.Context, id string) (Project, error) {
	p, _, err := s.load(ctx, id)
	return p, err
}

// List reads the projects in reach, of one zone when zoneCode is set, by deadline.
func (s *Service) List(ctx context.Context, zoneCode string) ([]Project, error) {
	scope, err := access.Need(ctx, access.ProjectRead)
	if err != nil {
		return nil, err
	}
	where, args := "", []any{}
	if zoneCode != "" {
		if _, _, err := s.reach(ctx, zoneCode, access.ProjectRead); err != nil {
			return nil, err
		}
		where, args = "WHERE p.zone_code = $1", append(args, zoneCode)
	}
	list, err := db.QueryAll(ctx, s.DB.Prepared(), scanProject,
		`SELECT `+projectColumns+` FROM projects p JOIN zones z ON z.code = p.zone_code `+where+` ORDER BY p.deadline, p.created_at, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	zones := map[string]bool{}
	out := []Project{}
	for _, p := range list {
		reached, known := zones[p.ZoneCode]
		if !known {
			z, err := s.zone(ctx, p.ZoneCode)
			if err != nil {
				return nil, err
			}
			reached = scope.Reaches(z.object())
			zones[p.ZoneCode] = reached
		}
		if !reached {
			continue
		}
		if err := s.details(ctx, &p); err != nil {
			return nil, err
		}
		p.rollUp(s.today())
		out = append(out, p)
	}
	return out, nil
}

// Progress records a milestone's progress: started (once), finished (once; implies started and
// 100 %), a percent (0–100) and a note kept as evidence.
func (s *Service) Progress(ctx context.Context, id string, index int, in ProgressInput) (Project, error) {
	if _, err := access.Need(ctx, access.ProjectPlan); err != nil {
		return Project{}, err
	}
	if in.Percent != nil && (*in.Percent < 0 || *in.Percent > 100) {
		return Project{}, bad("percent", "project.bad_percent", *in.Percent)
	}
	if err := text("note", in.Note, false, maxNote); err != nil {
		return Project{}, err
	}
	if !in.Started && !in.Finished && in.Percent == nil && in.Note == "" {
		return Project{}, bad("note", "project.empty_progress")
	}
	p, z, err := s.load(ctx, id)
	if err != nil {
		return Project{}, err
	}
	if index < 0 || index >= len(p.Milestones) {
		return Project{}, apperr.New(apperr.NotFound, "project.milestone_not_found", index)
	}
	_, grant, err := s.reach(ctx, z.code, access.ProjectPlan)
	if err != nil {
		return Project{}, err
	}
	m := p.Milestones[index]
	if m.FinishedAt != nil && (in.Started || in.Finished || in.Percent != nil) {
		return Project{}, apperr.New(apperr.Conflict, "project.milestone_finished", index)
	}
	now := s.Now().UTC()
	started, finished, percent := m.StartedAt, m.FinishedAt, m.Percent
	if (in.Started || in.Finished || (in.Percent != nil && *in.Percent > 0)) && started == nil {
		started = &now
	}
	if in.Percent != nil {
		percent = *in.Percent
	}
	if in.Finished {
		finished, percent = &now, 100
	}
	actor := access.ActorOf(ctx, grant)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE project_milestones SET started_at = $3, finished_at = $4, percent = $5
			WHERE project_id = $1 AND idx = $2`, p.ID, index, nullTime(started), nullTime(finished), percent); err != nil {
			return fmt.Errorf("update milestone: %w", err)
		}
		if in.Note != "" {
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO project_evidence (id, project_id, idx, note, created_by, created_at)
				VALUES ($1,$2,$3,$4,$5,$6)`, db.NewID(), p.ID, index, in.Note, actor.Name, now); err != nil {
				return fmt.Errorf("insert evidence: %w", err)
			}
		}
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE projects SET updated_at = $2 WHERE id = $1`, p.ID, now); err != nil {
			return fmt.Errorf("touch project: %w", err)
		}
		e := audit.For(actor, now, "project.progress", ObjectKind.Name, p.ID)
		e.OrgPath, e.After = z.path, audit.Summary(map[string]any{"milestone": index, "started": started != nil, "finished": finished != nil, "percent": percent})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Project{}, fmt.Errorf("progress of project %s milestone %d: %w", p.ID, index, err)
	}
	return s.Get(ctx, id)
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: *t, Valid: true}
}

// CheckProject tells the ledger whether projectID names a project of zoneCode
// (ledger.ProjectChecker): not found otherwise. It reads without scope: the ledger has checked
// the caller's reach of the zone.
func (s *Service) CheckProject(ctx context.Context, zoneCode, projectID string) error {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM projects WHERE id = $1 AND zone_code = $2`, projectID, zoneCode).Scan(&n); err != nil {
		return fmt.Errorf("check project %s: %w", projectID, err)
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "project.not_found", projectID)
	}
	return nil
}
