package calendar

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/configver"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// # Versions, effective from a chosen time
//
// Every change of a year is kept as a version (calendar_versions): the whole year and the instant
// it takes effect from (default: the moment it is saved; it may be in the future, never in the
// past). The calendar in force at an instant t holds, for each year, its latest version
// effective at or before t (ties: the one saved last); a year with no version in force yet is
// the year stored before versions existed (calendar_years), else the built-in year, else the
// default. The legacy tables keep the year as last written.
//
// Which instant decides: the deadline of a time limit is computed once, when its clock starts
// (the case desk stores it, package cases), with the calendar in force at that moment — the
// Service's Now, not the clock's start. So a case whose clock started before a change keeps the
// deadline it was given, and every clock started once the change is in force uses the new
// calendar. Why: a time limit is a promise made when the task is handed over; the deadline a
// department or grid worker was shown must not move under them because the calendar was edited
// afterwards, and the on-time rate (按期结案率) must be judged against the deadline given.

// Version is one saved version of a year of the calendar.
type Version struct {
	ID            string    `json:"id"`
	Year          int       `json:"year"`
	EffectiveFrom time.Time `json:"effective_from"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
	// State is "past" (replaced by a later version in force), "current" (in force now) or
	// "pending" (takes effect later).
	State string `json:"state"`
	Data  Year   `json:"data"`
}

// since is the effective_from of a year stored before versions existed: it has always applied.
var since = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// step is the calendar in force from an instant until the next step's.
type step struct {
	from   time.Time
	cal    *Calendar
	stored map[int]bool // years whose data is stored (a version or a legacy year), not built in
}

// at returns the step in force at t.
func (l *loaded) at(t time.Time) step {
	i := sort.Search(len(l.steps), func(i int) bool { return l.steps[i].from.After(t) })
	if i == 0 {
		return l.steps[0]
	}
	return l.steps[i-1]
}

// loadVersions reads the stored versions of every year (or of one), by year, then in the order
// they take effect.
func loadVersions(ctx context.Context, q querier, onlyYear ...int) ([]Version, error) {
	cond, args := "", []any{}
	if len(onlyYear) > 0 {
		cond, args = " WHERE year = $1", []any{onlyYear[0]}
	}
	rows, err := q.QueryContext(ctx, `SELECT id, year, effective_from, created_at, created_by, data
		FROM calendar_versions`+cond+` ORDER BY year, effective_from, created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load calendar versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var data string
		if err := rows.Scan(&v.ID, &v.Year, &v.EffectiveFrom, &v.CreatedAt, &v.CreatedBy, &data); err != nil {
			return nil, fmt.Errorf("load calendar versions: %w", err)
		}
		if err := json.Unmarshal([]byte(data), &v.Data); err != nil {
			return nil, fmt.Errorf("load calendar version %s: %w", v.ID, err)
		}
		v.EffectiveFrom, v.CreatedAt = v.EffectiveFrom.UTC(), v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// timeline builds the calendar in force from each instant a version takes effect.
func timeline(legacy []Year, versions []Version) ([]step, error) {
	byYear := map[int][]Version{}
	instants := []time.Time{{}}
	for _, v := range versions {
		byYear[v.Year] = append(byYear[v.Year], v)
		instants = append(instants, v.EffectiveFrom)
	}
	sort.Slice(instants, func(i, j int) bool { return instants[i].Before(instants[j]) })
	var steps []step
	for i, at := range instants {
		if i > 0 && at.Equal(instants[i-1]) {
			continue
		}
		st := step{from: at, stored: map[int]bool{}}
		var years []Year
		for _, y := range legacy {
			if len(byYear[y.Year]) == 0 {
				st.stored[y.Year] = true
				years = append(years, y)
			}
		}
		for year, vs := range byYear {
			var inForce *Version
			for k := range vs {
				if !vs[k].EffectiveFrom.After(at) {
					inForce = &vs[k]
				}
			}
			if inForce != nil {
				st.stored[year] = true
				years = append(years, inForce.Data)
			}
		}
		for _, y := range DemoYears() {
			if !st.stored[y.Year] {
				years = append(years, y)
			}
		}
		cal, err := New(years...)
		if err != nil {
			return nil, fmt.Errorf("build work calendar in force from %s: %w", at.Format(time.RFC3339), err)
		}
		st.cal = cal
		steps = append(steps, st)
	}
	return steps, nil
}

// CalendarAt returns the calendar in force at t (see Versions above). Like Calendar, it checks no
// permission.
func (s *Service) CalendarAt(ctx context.Context, t time.Time) (*Calendar, error) {
	l, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return l.at(t).cal, nil
}

// Versions lists the saved versions of a year, in the order they take effect, each with its
// state at the Service's now.
func (s *Service) Versions(ctx context.Context, year int) ([]Version, error) {
	if _, err := access.Need(ctx, access.CalendarRead); err != nil {
		return nil, err
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	vs, err := loadVersions(ctx, s.DB.Read, year)
	if err != nil {
		return nil, err
	}
	now := s.now()
	current := -1
	for i, v := range vs {
		if !v.EffectiveFrom.After(now) {
			current = i
		}
	}
	for i := range vs {
		switch {
		case i == current:
			vs[i].State = "current"
		case vs[i].EffectiveFrom.After(now):
			vs[i].State = "pending"
		default:
			vs[i].State = "past"
		}
	}
	if vs == nil {
		vs = []Version{}
	}
	return vs, nil
}

// effectiveFrom checks the requested instant: zero means now, never the past (configver's rule
// for every versioned setting).
func effectiveFrom(requested, now time.Time) (time.Time, error) {
	return configver.EffectiveFrom(requested, now, "calendar.effective_in_past")
}

// addVersion stores y as a version effective from from. When the year has no version yet but was
// stored before versions existed, that year is kept first as a version in force since always, so
// the time until from keeps it.
func (s *Service) addVersion(ctx context.Context, tx *sql.Tx, y Year, from, now time.Time, by string, legacy []Year) error {
	var n int
	if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM calendar_versions WHERE year = $1`, y.Year).Scan(&n); err != nil {
		return fmt.Errorf("count calendar versions: %w", err)
	}
	insert := func(v Year, from time.Time, by string) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = s.DB.TxExec(ctx, tx, `INSERT INTO calendar_versions (id, year, effective_from, data, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, db.NewID(), v.Year, from, string(data), now, by)
		return err
	}
	if n == 0 && len(legacy) == 1 {
		if err := insert(Normalize(legacy[0]), since, ""); err != nil {
			return fmt.Errorf("keep calendar %d as stored: %w", y.Year, err)
		}
	}
	if err := insert(y, from, by); err != nil {
		return fmt.Errorf("store calendar version %d: %w", y.Year, err)
	}
	return nil
}
