package patrol

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
)

var weekPattern = regexp.MustCompile(`^([0-9]{4})-W([0-9]{2})$`)

// ParseWeek reads an ISO 8601 week ("2026-W49") as the span [Monday 00:00, next Monday 00:00) in
// district time; an empty week is the current one.
func ParseWeek(week string, now time.Time) (from, to time.Time, err error) {
	if week == "" {
		y, w := now.In(calendar.Zone).ISOWeek()
		week = fmt.Sprintf("%04d-W%02d", y, w)
	}
	m := weekPattern.FindStringSubmatch(week)
	if m == nil {
		return from, to, apperr.New(apperr.Invalid, "patrol.bad_week", week)
	}
	year, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	// Week 1 is the week with the year's first Thursday, i.e. the one holding 4 January.
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, calendar.Zone)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	from = monday.AddDate(0, 0, 7*(n-1))
	if y, w := from.ISOWeek(); n < 1 || y != year || w != n {
		return time.Time{}, time.Time{}, apperr.New(apperr.Invalid, "patrol.bad_week", week)
	}
	return from, from.AddDate(0, 0, 7), nil
}

// GridCoverage is one grid's week: patrols planned and done.
type GridCoverage struct {
	GridCode string  `json:"grid_code"`
	GridName string  `json:"grid_name"`
	Lat      float64 `json:"lat"` // the centre of the grid's bounding box, for the map
	Lng      float64 `json:"lng"`
	Planned  int     `json:"planned"`
	Done     int     `json:"done"`
	Status   string  `json:"status"` // done, partial or none
}

// Coverage is the week's coverage of the grids in reach.
type Coverage struct {
	Week    string         `json:"week"`
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
	Done    int            `json:"done"`
	Partial int            `json:"partial"`
	None    int            `json:"none"`
	Grids   []GridCoverage `json:"grids"`
}

// CoverageStatus compares patrols done with patrols planned: done when at least as many as
// planned (one, for a grid without a plan), partial when some, none when none.
func CoverageStatus(planned, done int) string {
	switch {
	case done == 0:
		return "none"
	case done >= max(planned, 1):
		return "done"
	}
	return "partial"
}

// Coverage answers, for every grid in the caller's reach, how many patrols its plan asks for a
// week and how many ended patrols started in that week. One query: the week's patrols counted per
// grid (index patrols_week) joined to the grids and their plans, so 1 152 grids are one pass.
func (s *Service) Coverage(ctx context.Context, week string) (Coverage, error) {
	scope, err := access.Need(ctx, access.PatrolRead)
	if err != nil {
		return Coverage{}, err
	}
	from, to, err := ParseWeek(week, s.Now())
	if err != nil {
		return Coverage{}, err
	}
	y, w := from.ISOWeek()
	c := Coverage{Week: fmt.Sprintf("%04d-W%02d", y, w), From: from.UTC(), To: to.UTC(), Grids: []GridCoverage{}}
	cond, args := scope.PathCondition("g.path", 3)
	rows, err := s.DB.Query(ctx, `SELECT g.code, g.name, (g.min_lat + g.max_lat) / 2, (g.min_lng + g.max_lng) / 2,
		COALESCE(pp.per_week, 0), COALESCE(done.n, 0)
		FROM grids g
		LEFT JOIN patrol_plans pp ON pp.grid_code = g.code
		LEFT JOIN (SELECT grid_code, count(*) AS n FROM patrols
			WHERE started_at >= $1 AND started_at < $2 AND status = 'ended' GROUP BY grid_code) done ON done.grid_code = g.code
		WHERE `+cond+` ORDER BY g.code`, append([]any{from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return c, fmt.Errorf("patrol coverage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g GridCoverage
		if err := rows.Scan(&g.GridCode, &g.GridName, &g.Lat, &g.Lng, &g.Planned, &g.Done); err != nil {
			return c, fmt.Errorf("patrol coverage: %w", err)
		}
		g.Status = CoverageStatus(g.Planned, g.Done)
		switch g.Status {
		case "done":
			c.Done++
		case "partial":
			c.Partial++
		default:
			c.None++
		}
		c.Grids = append(c.Grids, g)
	}
	return c, rows.Err()
}

// LogEntry is one patrol in a worker's log (民情日志): where, when, the note and the findings.
type LogEntry struct {
	ID        string     `json:"id"`
	GridCode  string     `json:"grid_code"`
	GridName  string     `json:"grid_name"`
	Status    Status     `json:"status"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Minutes   int        `json:"minutes"`
	Note      string     `json:"note,omitempty"`
	Checks    int        `json:"checks"`
	Flagged   int        `json:"flagged"`
	Findings  []Finding  `json:"findings"`
}

// MaxLogDays is the longest span of a log read.
const MaxLogDays = 366

// ParseDay reads a date (YYYY-MM-DD) as the start of that day in district time.
func ParseDay(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, s, calendar.Zone)
}

// Log lists a worker's patrols started in [from, to] (dates, district time; the last 30 days when
// empty) with their findings and notes, as far as the caller reaches them: a volunteer reads only
// their own, a community's staff their community's. userID empty is the caller.
func (s *Service) Log(ctx context.Context, userID, fromDay, toDay string) ([]LogEntry, error) {
	scope, err := access.Need(ctx, access.PatrolRead)
	if err != nil {
		return nil, err
	}
	p, _ := access.From(ctx)
	if userID == "" {
		userID = p.UserID
	}
	from, to, err := span(fromDay, toDay, s.Now())
	if err != nil {
		return nil, err
	}
	cond, args := scope.Where(PatrolKind, "p", 4)
	out, err := db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (LogEntry, error) {
		var e LogEntry
		var ended sql.NullTime
		err := r.Scan(&e.ID, &e.GridCode, &e.GridName, &e.Status, &e.StartedAt, &ended, &e.Note, &e.Checks, &e.Flagged)
		e.StartedAt = e.StartedAt.UTC()
		if ended.Valid {
			t := ended.Time.UTC()
			e.EndedAt = &t
			e.Minutes = int(t.Sub(e.StartedAt).Minutes())
		}
		e.Findings = []Finding{}
		return e, err
	}, `SELECT p.id, p.grid_code, g.name, p.status, p.started_at, p.ended_at, p.note,
		(SELECT count(*) FROM patrol_checks c WHERE c.patrol_id = p.id),
		(SELECT count(*) FROM patrol_checks c WHERE c.patrol_id = p.id AND c.flagged)
		FROM patrols p JOIN grids g ON g.code = p.grid_code
		WHERE p.started_by = $1 AND p.started_at >= $2 AND p.started_at < $3 AND `+cond+`
		ORDER BY p.started_at DESC LIMIT 500`, append([]any{userID, from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("patrol log: %w", err)
	}
	for i := range out {
		if out[i].Findings, err = db.QueryAll(ctx, s.DB.Prepared(), scanFinding,
			`SELECT `+findingColumns+` FROM patrol_findings WHERE patrol_id = $1 ORDER BY found_at, id`, out[i].ID); err != nil {
			return nil, fmt.Errorf("patrol log findings: %w", err)
		}
	}
	return out, nil
}

// span reads a from/to pair of dates (to inclusive) as [from 00:00, day after to 00:00).
func span(fromDay, toDay string, now time.Time) (time.Time, time.Time, error) {
	today := now.In(calendar.Zone)
	to := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, calendar.Zone)
	from := to.AddDate(0, 0, -30)
	var err error
	if toDay != "" {
		if to, err = ParseDay(toDay); err != nil {
			return from, to, apperr.New(apperr.Invalid, "patrol.bad_period", MaxLogDays)
		}
	}
	if fromDay != "" {
		if from, err = ParseDay(fromDay); err != nil {
			return from, to, apperr.New(apperr.Invalid, "patrol.bad_period", MaxLogDays)
		}
	} else if toDay != "" {
		from = to.AddDate(0, 0, -30)
	}
	if to.Before(from) || to.Sub(from) > MaxLogDays*24*time.Hour {
		return from, to, apperr.New(apperr.Invalid, "patrol.bad_period", MaxLogDays)
	}
	return from, to.AddDate(0, 0, 1), nil
}

// PatrolMinutes sums the minutes of a person's ended patrols started in [from, to): a
// volunteer's patrol time counts as volunteer hours without being logged (participation.md §5,
// Sahana-style clock-in/out: the patrol's start and end are the clock).
func (s *Service) PatrolMinutes(ctx context.Context, userID string, from, to time.Time) (int, error) {
	rows, err := s.DB.Query(ctx, `SELECT started_at, ended_at FROM patrols
		WHERE started_by = $1 AND status = 'ended' AND started_at >= $2 AND started_at < $3`, userID, from.UTC(), to.UTC())
	if err != nil {
		return 0, fmt.Errorf("patrol minutes: %w", err)
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var start time.Time
		var end sql.NullTime
		if err := rows.Scan(&start, &end); err != nil {
			return 0, fmt.Errorf("patrol minutes: %w", err)
		}
		if end.Valid {
			total += end.Time.Sub(start)
		}
	}
	return int(total.Minutes()), rows.Err()
}
