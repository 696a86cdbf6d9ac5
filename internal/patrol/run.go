package patrol

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/flow"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Start begins a patrol of a plan's grid (plan_id) or of a grid without a plan (grid_code), by a
// grid worker or a volunteer whose patrol.run reaches the grid. One patrol runs per person.
func (s *Service) Start(ctx context.Context, planID, gridCode string) (Patrol, error) {
	scope, err := access.Need(ctx, access.PatrolRun)
	if err != nil {
		return Patrol{}, err
	}
	p, _ := access.From(ctx)
	if planID != "" {
		plan, err := s.loadPlan(ctx, planID)
		if err != nil || !scope.Covers(plan.path) {
			return Patrol{}, apperr.New(apperr.NotFound, "patrol.plan_not_found")
		}
		gridCode = plan.GridCode
	}
	if gridCode == "" {
		return Patrol{}, bad("grid_code", "patrol.start_where")
	}
	g, err := s.grid(ctx, gridCode)
	if err != nil || !scope.Covers(g.path) {
		return Patrol{}, apperr.New(apperr.NotFound, "patrol.unknown_grid", gridCode)
	}
	now := s.Now().UTC()
	pt := Patrol{ID: db.NewID(), PlanID: planID, GridCode: g.code, GridName: g.name, StartedBy: p.UserID, Status: Running,
		StartedAt: now, Answers: map[string]string{}, Checks: []CheckRecord{}, Findings: []Finding{}, path: g.path}
	grant := scope.GrantCovering(g.path)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var running int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM patrols WHERE started_by = $1 AND status = 'running'`, p.UserID).Scan(&running); err != nil {
			return err
		}
		if running > 0 {
			return apperr.New(apperr.Conflict, "patrol.already_running")
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO patrols (id, plan_id, grid_code, path, started_by, status, started_at, answers)
			VALUES ($1,$2,$3,$4,$5,'running',$6,'{}')`, pt.ID, planID, g.code, g.path, p.UserID, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "patrol.start", PatrolKind.Name, pt.ID)
		e.OrgPath, e.After = g.path, g.code
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Patrol{}, fmt.Errorf("start patrol: %w", err)
	}
	return pt, nil
}

// loadPatrol reads a patrol with its checks and findings, without scope.
func (s *Service) loadPatrol(ctx context.Context, id string) (Patrol, error) {
	var pt Patrol
	var ended sql.NullTime
	var answers string
	err := s.DB.QueryRow(ctx, `SELECT p.id, p.plan_id, p.grid_code, g.name, p.path, p.started_by, p.status, p.started_at, p.ended_at, p.note, p.answers
		FROM patrols p JOIN grids g ON g.code = p.grid_code WHERE p.id = $1`, id).
		Scan(&pt.ID, &pt.PlanID, &pt.GridCode, &pt.GridName, &pt.path, &pt.StartedBy, &pt.Status, &pt.StartedAt, &ended, &pt.Note, &answers)
	if errors.Is(err, sql.ErrNoRows) {
		return pt, apperr.New(apperr.NotFound, "patrol.not_found")
	}
	if err != nil {
		return pt, fmt.Errorf("read patrol: %w", err)
	}
	pt.StartedAt = pt.StartedAt.UTC()
	if ended.Valid {
		t := ended.Time.UTC()
		pt.EndedAt = &t
	}
	if err := json.Unmarshal([]byte(answers), &pt.Answers); err != nil {
		return pt, fmt.Errorf("patrol %s answers: %w", id, err)
	}
	pt.Checks, err = db.QueryAll(ctx, s.DB.Prepared(), scanCheck, `SELECT id, point, point_name, lat, lng, distance_m, flagged, checked_at
		FROM patrol_checks WHERE patrol_id = $1 ORDER BY checked_at, id`, id)
	if err != nil {
		return pt, fmt.Errorf("read patrol checks: %w", err)
	}
	pt.Findings, err = db.QueryAll(ctx, s.DB.Prepared(), scanFinding, `SELECT `+findingColumns+` FROM patrol_findings WHERE patrol_id = $1 ORDER BY found_at, id`, id)
	if err != nil {
		return pt, fmt.Errorf("read patrol findings: %w", err)
	}
	return pt, nil
}

func scanCheck(r db.Scanner) (CheckRecord, error) {
	var c CheckRecord
	err := r.Scan(&c.ID, &c.Point, &c.PointName, &c.Lat, &c.Lng, &c.DistanceM, &c.Flagged, &c.CheckedAt)
	c.CheckedAt = c.CheckedAt.UTC()
	return c, err
}

const findingColumns = `id, patrol_id, description, lat, lng, category_class, category_code, case_id, case_number, found_at`

func scanFinding(r db.Scanner) (Finding, error) {
	var f Finding
	err := r.Scan(&f.ID, &f.PatrolID, &f.Description, &f.Lat, &f.Lng, &f.CategoryClass, &f.CategoryCode, &f.CaseID, &f.CaseNumber, &f.FoundAt)
	f.FoundAt = f.FoundAt.UTC()
	if f.CaseID == reporting {
		f.CaseID = ""
	}
	return f, err
}

// reporting marks a finding whose case is being created (a second tap is refused meanwhile).
const reporting = "-"

// Get reads a patrol in the caller's reach (a volunteer: only their own).
func (s *Service) Get(ctx context.Context, id string) (Patrol, error) {
	scope, err := access.Need(ctx, access.PatrolRead)
	if err != nil {
		return Patrol{}, err
	}
	pt, err := s.loadPatrol(ctx, id)
	if err != nil || !scope.Reaches(pt.object()) {
		return Patrol{}, apperr.New(apperr.NotFound, "patrol.not_found")
	}
	return pt, nil
}

// walking loads a patrol for an action of the person walking it: others who may read it are
// refused (403), others are told it does not exist.
func (s *Service) walking(ctx context.Context, id string, action Action, inputs flow.Inputs) (Patrol, access.Grant, Status, error) {
	run, err := access.Need(ctx, access.PatrolRun)
	if err != nil {
		return Patrol{}, access.Grant{}, "", err
	}
	p, _ := access.From(ctx)
	pt, err := s.loadPatrol(ctx, id)
	if err != nil {
		return pt, access.Grant{}, "", err
	}
	if pt.StartedBy != p.UserID {
		if read, err := access.Need(ctx, access.PatrolRead); err == nil && read.Reaches(pt.object()) {
			return pt, access.Grant{}, "", apperr.New(apperr.Forbidden, "patrol.not_yours")
		}
		return pt, access.Grant{}, "", apperr.New(apperr.NotFound, "patrol.not_found")
	}
	grant := run.GrantCovering(pt.path)
	next, err := walk.Next(pt.Status, action, grant.Role, inputs)
	if err != nil {
		return pt, grant, "", err
	}
	return pt, grant, next, nil
}

// CheckInput is a point checked: which point of the route (index from 0), and where the phone was.
type CheckInput struct {
	Point *int    `json:"point"`
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
}

// Distance is the distance in metres between two points (lat, lng), on the sphere (orb/geo).
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	return geo.Distance(orb.Point{lng1, lat1}, orb.Point{lng2, lat2})
}

// CheckPoint records a point of the plan's route checked now, with the phone's position and its
// distance to the point; more than FlagDistance away is flagged (not taken on site).
func (s *Service) CheckPoint(ctx context.Context, id string, in CheckInput) (CheckRecord, error) {
	pt, grant, _, err := s.walking(ctx, id, Check, nil)
	if err != nil {
		return CheckRecord{}, err
	}
	if !validPoint(in.Lat, in.Lng) {
		return CheckRecord{}, bad("lat", "patrol.bad_position")
	}
	if pt.PlanID == "" {
		return CheckRecord{}, apperr.New(apperr.Conflict, "patrol.no_route")
	}
	plan, err := s.loadPlan(ctx, pt.PlanID)
	if err != nil {
		return CheckRecord{}, err
	}
	if in.Point == nil || *in.Point < 0 || *in.Point >= len(plan.Route) {
		return CheckRecord{}, bad("point", "patrol.bad_point", len(plan.Route)-1)
	}
	target := plan.Route[*in.Point]
	d := Distance(in.Lat, in.Lng, target.Lat, target.Lng)
	now := s.Now().UTC()
	c := CheckRecord{ID: db.NewID(), Point: *in.Point, PointName: target.Name, Lat: in.Lat, Lng: in.Lng,
		DistanceM: math.Round(d*10) / 10, Flagged: d > FlagDistance, CheckedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO patrol_checks (id, patrol_id, point, point_name, lat, lng, distance_m, flagged, checked_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, c.ID, pt.ID, c.Point, c.PointName, c.Lat, c.Lng, c.DistanceM, c.Flagged, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "patrol.check", PatrolKind.Name, pt.ID)
		e.OrgPath, e.After = pt.path, audit.Summary(map[string]any{"point": c.Point, "distance_m": c.DistanceM, "flagged": c.Flagged})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return CheckRecord{}, fmt.Errorf("check patrol point: %w", err)
	}
	return c, nil
}

// FindingInput is a problem seen on a patrol.
type FindingInput struct {
	Description   string  `json:"description"`
	Lat           float64 `json:"lat"`
	Lng           float64 `json:"lng"`
	CategoryClass string  `json:"category_class,omitempty"`
	CategoryCode  string  `json:"category_code,omitempty"`
}

// Find records a finding on a running patrol.
func (s *Service) Find(ctx context.Context, id string, in FindingInput) (Finding, error) {
	pt, grant, _, err := s.walking(ctx, id, Find, nil)
	if err != nil {
		return Finding{}, err
	}
	in.Description = strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Description); n < 2 || n > MaxDescription {
		return Finding{}, bad("description", "patrol.bad_description", MaxDescription)
	}
	if !validPoint(in.Lat, in.Lng) {
		return Finding{}, bad("lat", "patrol.bad_position")
	}
	if len(in.CategoryClass) > 20 || len(in.CategoryCode) > 20 {
		return Finding{}, bad("category_code", "patrol.bad_category")
	}
	now := s.Now().UTC()
	f := Finding{ID: db.NewID(), PatrolID: pt.ID, Description: in.Description, Lat: in.Lat, Lng: in.Lng,
		CategoryClass: in.CategoryClass, CategoryCode: in.CategoryCode, FoundAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO patrol_findings (id, patrol_id, description, lat, lng, category_class, category_code, found_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, f.ID, pt.ID, f.Description, f.Lat, f.Lng, f.CategoryClass, f.CategoryCode, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "patrol.finding", PatrolKind.Name, pt.ID)
		e.OrgPath, e.After = pt.path, f.ID
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Finding{}, fmt.Errorf("record finding: %w", err)
	}
	return f, nil
}

// ReportFinding turns a finding into a case on the patrol channel through the case desk's one
// intake pipeline (one tap), keeps the case on the finding and tells the grid's community staff
// (the desk announces the case itself to its own audience). A finding becomes one case only.
func (s *Service) ReportFinding(ctx context.Context, id, findingID string) (Finding, error) {
	pt, grant, _, err := s.walking(ctx, id, Report, nil)
	if err != nil {
		return Finding{}, err
	}
	var f Finding
	for _, x := range pt.Findings {
		if x.ID == findingID {
			f = x
		}
	}
	if f.ID == "" {
		return Finding{}, apperr.New(apperr.NotFound, "patrol.finding_not_found")
	}
	// Claim the finding first, so that a second tap meanwhile cannot make a second case.
	res, err := s.DB.Exec(ctx, `UPDATE patrol_findings SET case_id = $2 WHERE id = $1 AND case_id = ''`, f.ID, reporting)
	if err != nil {
		return Finding{}, fmt.Errorf("report finding: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Finding{}, apperr.New(apperr.Conflict, "patrol.already_reported")
	}
	ref, err := s.Intake.Report(ctx, NewReport{Lat: f.Lat, Lng: f.Lng, Description: f.Description,
		CategoryClass: f.CategoryClass, CategoryCode: f.CategoryCode})
	if err != nil {
		// Nothing was created: the finding may be reported again.
		if _, undo := s.DB.Exec(context.WithoutCancel(ctx), `UPDATE patrol_findings SET case_id = '' WHERE id = $1 AND case_id = $2`, f.ID, reporting); undo != nil {
			err = errors.Join(err, undo)
		}
		return Finding{}, err
	}
	now := s.Now().UTC()
	f.CaseID, f.CaseNumber = ref.ID, ref.Number
	err = s.DB.Tx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE patrol_findings SET case_id = $2, case_number = $3 WHERE id = $1`, f.ID, ref.ID, ref.Number); err != nil {
			return err
		}
		ev := notify.Event{Type: FindingEvent, Object: pt.object(), Notices: []notify.Notice{{Template: "notify.patrol.finding",
			Params:   []string{pt.GridName, ref.Number},
			Audience: notify.Audience{RolesAt: []access.Role{access.CommunityStaff}, Path: pt.path}}}}
		if err := s.Outbox.Record(ctx, tx, now, ev); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "patrol.report", PatrolKind.Name, pt.ID)
		e.OrgPath, e.After = pt.path, audit.Summary(map[string]string{"finding": f.ID, "case": ref.ID})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Finding{}, fmt.Errorf("keep the case of finding %s: %w", f.ID, err)
	}
	s.Outbox.Wake()
	return f, nil
}

// EndInput closes a patrol: the checklist's answers (item → answer) and a note for the log.
type EndInput struct {
	Note    string            `json:"note,omitempty"`
	Answers map[string]string `json:"answers,omitempty"`
}

// End ends a running patrol.
func (s *Service) End(ctx context.Context, id string, in EndInput) (Patrol, error) {
	pt, grant, next, err := s.walking(ctx, id, EndWalk, nil)
	if err != nil {
		return Patrol{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > MaxText {
		return Patrol{}, bad("note", "patrol.bad_note", MaxText)
	}
	if len(in.Answers) > MaxChecklist {
		return Patrol{}, bad("answers", "patrol.bad_answers", MaxChecklist)
	}
	for k, v := range in.Answers {
		if utf8.RuneCountInString(k) > 200 || utf8.RuneCountInString(v) > MaxText {
			return Patrol{}, bad("answers", "patrol.bad_answers", MaxChecklist)
		}
	}
	if in.Answers == nil {
		in.Answers = map[string]string{}
	}
	answers, _ := json.Marshal(in.Answers)
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := s.DB.TxExec(ctx, tx, `UPDATE patrols SET status = $2, ended_at = $3, note = $4, answers = $5 WHERE id = $1 AND status = 'running'`,
			pt.ID, string(next), now, in.Note, string(answers))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "patrol.illegal_transition", EndWalk, Ended)
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "patrol.end", PatrolKind.Name, pt.ID)
		e.OrgPath = pt.path
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Patrol{}, fmt.Errorf("end patrol: %w", err)
	}
	return s.loadPatrol(ctx, id)
}
