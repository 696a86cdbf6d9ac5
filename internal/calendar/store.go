package calendar

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Service stores the calendar and keeps the built *Calendar in memory, following changes made by
// any node sharing the database (through the 'calendar_version' setting).
type Service struct {
	DB  *db.DB
	Now func() time.Time
	// RecheckEvery is how often Calendar asks the database whether another node changed the
	// calendar (default 10 s). A change made through this Service is seen at once.
	RecheckEvery time.Duration

	cached db.Versioned[*loaded]
}

// loaded is the calendar in force from each instant a version takes effect (versions.go).
type loaded struct {
	steps []step // by from, ascending; the first from the zero time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Calendar returns the calendar in force now (the Service's Now): the stored years, and the
// built-in years (DemoYears) for years with nothing stored. It checks no permission: it is for
// other domain packages that compute deadlines; callers of the API go through Year and Check.
func (s *Service) Calendar(ctx context.Context) (*Calendar, error) {
	return s.CalendarAt(ctx, s.now())
}

// source is where the cached calendar comes from: rebuilt when a change (of any node) bumps
// calendar_version.
func (s *Service) source() db.VersionSource[*loaded] {
	return db.VersionSource[*loaded]{DB: s.DB, Key: "calendar_version", Every: s.RecheckEvery, Now: s.Now, Load: s.load}
}

func (s *Service) current(ctx context.Context) (*loaded, error) {
	return s.cached.Get(ctx, s.source())
}

// load builds the calendar from the database.
func (s *Service) load(ctx context.Context) (*loaded, error) {
	legacy, err := s.loadYears(ctx, s.DB.Read)
	if err != nil {
		return nil, err
	}
	versions, err := loadVersions(ctx, s.DB.Read)
	if err != nil {
		return nil, err
	}
	steps, err := timeline(legacy, versions)
	if err != nil {
		return nil, fmt.Errorf("load work calendar: %w", err)
	}
	return &loaded{steps: steps}, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// loadYears reads the stored years (only the given one when onlyYear is set).
func (s *Service) loadYears(ctx context.Context, q querier, onlyYear ...int) ([]Year, error) {
	cond, args := "", []any{}
	if len(onlyYear) > 0 {
		cond, args = " WHERE year = $1", []any{onlyYear[0]}
	}
	byYear := map[int]*Year{}
	var order []int
	rows, err := q.QueryContext(ctx, `SELECT year, source, COALESCE(summer_from, ''), COALESCE(summer_to, '')
		FROM calendar_years`+cond+` ORDER BY year`, args...)
	if err != nil {
		return nil, fmt.Errorf("load calendar years: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		y := &Year{Holidays: []Day{}, Workdays: []Day{}}
		var from, to string
		if err := rows.Scan(&y.Year, &y.Source, &from, &to); err != nil {
			return nil, fmt.Errorf("load calendar years: %w", err)
		}
		if from != "" {
			y.Summer = &Summer{From: from, To: to}
		}
		byYear[y.Year] = y
		order = append(order, y.Year)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load calendar years: %w", err)
	}
	rows.Close()

	rows, err = q.QueryContext(ctx, `SELECT year, season, start_time, end_time FROM calendar_periods`+cond+`
		ORDER BY year, season, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("load calendar periods: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var year int
		var season string
		var p Period
		if err := rows.Scan(&year, &season, &p.Start, &p.End); err != nil {
			return nil, fmt.Errorf("load calendar periods: %w", err)
		}
		y := byYear[year]
		switch {
		case y == nil:
		case season == "summer" && y.Summer != nil:
			y.Summer.Hours = append(y.Summer.Hours, p)
		default:
			y.Hours = append(y.Hours, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load calendar periods: %w", err)
	}
	rows.Close()

	rows, err = q.QueryContext(ctx, `SELECT year, date, kind, name FROM calendar_days`+cond+` ORDER BY date`, args...)
	if err != nil {
		return nil, fmt.Errorf("load calendar days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var year int
		var kind string
		var d Day
		if err := rows.Scan(&year, &d.Date, &kind, &d.Name); err != nil {
			return nil, fmt.Errorf("load calendar days: %w", err)
		}
		if y := byYear[year]; y != nil && kind == "workday" {
			y.Workdays = append(y.Workdays, d)
		} else if y != nil {
			y.Holidays = append(y.Holidays, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load calendar days: %w", err)
	}
	out := make([]Year, len(order))
	for i, year := range order {
		out[i] = *byYear[year]
	}
	return out, nil
}

func checkYear(year int) error {
	if year < MinYear || year > MaxYear {
		return apperr.New(apperr.Invalid, "calendar.bad_year", year, MinYear, MaxYear)
	}
	return nil
}

// Year returns one year of the calendar as the API shows it, with its origin: "stored",
// "builtin" or "default" (no data: weekends and the carried-over working periods only).
func (s *Service) Year(ctx context.Context, year int) (Year, error) {
	if _, err := access.Need(ctx, access.CalendarRead); err != nil {
		return Year{}, err
	}
	if err := checkYear(year); err != nil {
		return Year{}, err
	}
	l, err := s.current(ctx)
	if err != nil {
		return Year{}, err
	}
	st := l.at(s.now())
	y := st.cal.Year(year)
	switch {
	case st.stored[year]:
		y.Origin = "stored"
	case st.cal.HasData(year):
		y.Origin = "builtin"
	default:
		y.Origin = "default"
	}
	return y, nil
}

// Check computes a deadline for the API's calculator: the deadline of limit l started at
// start, and the working time the limit grants from there.
func (s *Service) Check(ctx context.Context, start time.Time, l Limit) (time.Time, time.Duration, error) {
	if _, err := access.Need(ctx, access.CalendarRead); err != nil {
		return time.Time{}, 0, err
	}
	if err := l.Validate(); err != nil {
		return time.Time{}, 0, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return time.Time{}, 0, err
	}
	return cal.Deadline(start, l), cal.limitTime(start, l), nil
}

// PutYear replaces one year of the calendar (holidays, make-up workdays, working periods) from
// now: PutYearFrom with no chosen instant.
func (s *Service) PutYear(ctx context.Context, y Year) error {
	return s.PutYearFrom(ctx, y, time.Time{})
}

// PutYearFrom saves a new version of one year (holidays, make-up workdays, working periods) in
// force from the instant from (zero: now; not more than a few minutes in the past), with an
// audit record in the same transaction. The calendar is the district's: only a sys_admin held
// at the district node (or the operator at the machine) may change it.
func (s *Service) PutYearFrom(ctx context.Context, y Year, from time.Time) error {
	scope, err := access.NeedDistrict(ctx, access.CalendarWrite, "calendar.district_only")
	if err != nil {
		return err
	}
	if ps := Validate(y); len(ps) > 0 {
		return ps.err()
	}
	y = Normalize(y)
	now := s.now().UTC()
	from, err = effectiveFrom(from, now)
	if err != nil {
		return err
	}
	actor := access.ActorOf(ctx, scope.Primary())
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if s.DB.Engine == db.Postgres {
			// Two writers of one year would both delete, then collide on insert.
			if _, err := s.DB.TxExec(ctx, tx, `SELECT pg_advisory_xact_lock(7231002)`); err != nil {
				return fmt.Errorf("lock calendar: %w", err)
			}
		}
		before, err := s.loadYears(ctx, tx, y.Year)
		if err != nil {
			return err
		}
		if err := s.addVersion(ctx, tx, y, from, now, actor.Name, before); err != nil {
			return err
		}
		if err := s.writeYear(ctx, tx, y, now, actor.Name); err != nil {
			return fmt.Errorf("store calendar %d: %w", y.Year, err)
		}
		if err := db.BumpVersion(ctx, tx, "calendar_version"); err != nil {
			return err
		}
		e := audit.For(actor, now, "calendar.put", "calendar_year", strconv.Itoa(y.Year))
		if len(before) == 1 {
			e.Before = audit.Summary(before[0])
		}
		e.After = audit.Summary(struct {
			EffectiveFrom time.Time `json:"effective_from"`
			Year
		}{from, y})
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := s.cached.Reload(ctx, s.source()); err != nil {
		return err
	}
	return nil
}

func (s *Service) writeYear(ctx context.Context, tx *sql.Tx, y Year, now time.Time, by string) error {
	for _, q := range []string{`DELETE FROM calendar_days WHERE year = $1`, `DELETE FROM calendar_periods WHERE year = $1`,
		`DELETE FROM calendar_years WHERE year = $1`} {
		if _, err := s.DB.TxExec(ctx, tx, q, y.Year); err != nil {
			return err
		}
	}
	var from, to any
	if y.Summer != nil {
		from, to = y.Summer.From, y.Summer.To
	}
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO calendar_years (year, source, summer_from, summer_to, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, y.Year, y.Source, from, to, now, by); err != nil {
		return err
	}
	insertPeriods := func(season string, periods []Period) error {
		for i, p := range periods {
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO calendar_periods (year, season, seq, start_time, end_time)
				VALUES ($1, $2, $3, $4, $5)`, y.Year, season, i+1, p.Start, p.End); err != nil {
				return err
			}
		}
		return nil
	}
	if err := insertPeriods("default", y.Hours); err != nil {
		return err
	}
	if y.Summer != nil {
		if err := insertPeriods("summer", y.Summer.Hours); err != nil {
			return err
		}
	}
	insertDays := func(kind string, days []Day) error {
		for _, d := range days {
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO calendar_days (date, year, kind, name) VALUES ($1, $2, $3, $4)`,
				d.Date, y.Year, kind, d.Name); err != nil {
				return err
			}
		}
		return nil
	}
	if err := insertDays("holiday", y.Holidays); err != nil {
		return err
	}
	return insertDays("workday", y.Workdays)
}
