// Package calendar is the work calendar (工作日历) and the deadline arithmetic of time limits
// (时限) counted in working hours (工作时) and working days (工作日). See docs/calendar.md.
//
// # The calendar
//
// Days are local days in China Standard Time (UTC+8, no daylight saving). A day is a working
// day when it is a make-up workday (调休上班日), or when it is Monday to Friday and not a
// holiday (节假日); everything else is a rest day. A working day has working periods
// (工作时段), by default 08:30–12:00 and 14:30–17:30; a year may set its own periods, and a
// summer timetable (夏季作息) with other periods between two dates (MM-DD, inclusive). A year
// without data has no holidays and no make-up workdays; its periods (and summer timetable) are
// those of the closest earlier year with data, else of the closest later one, else the defaults.
//
// # The clock
//
// A time limit's clock runs only inside the working periods of working days. A period is
// half-open, [start, end): an instant exactly at a period's end is outside it. All instants in
// and out of this package are absolute (time.Time); results are in UTC.
//
//   - WorkingTime(from, to) is the working time inside [from, to) (0 when to ≤ from).
//   - Hours: Deadline(start, N hours) is the earliest instant t with WorkingTime(start, t) = N h.
//     A deadline that falls exactly on the end of a period is that end (12:00, not 14:30).
//     A start outside working time therefore begins counting at the next period start.
//   - Days: let s be the start, or when the start is outside working time the next period start
//     (a report at 23:59 on the eve of a holiday starts at the first period after the holiday).
//     Let D0 be the working day of s and o the working time of D0 before s (0 ≤ o < length of
//     D0). Deadline(start, N days) is the instant at working-time offset o into the N-th
//     working day after D0, read like the start: inside a period [start, end), so an offset
//     at the boundary between two periods is the later period's start, never the earlier one's
//     end (unlike an hour deadline). If that day is shorter than o, it is the end of that
//     day's last period. Examples with the default periods: Fri 10:00
//     plus 1 day → Mon 10:00; 11:00 on 2026-09-30 plus 1 day → 11:00 on 2026-10-08 (after
//     国庆); Sat 09:00 plus 1 day → the clock starts Mon 08:30, deadline Tue 08:30; 12:30 plus
//     1 day → 14:30 the next working day. When all days involved have the same length L,
//     WorkingTime(start, deadline) = N × L exactly: a day limit is N full working days of
//     working time.
//   - Used(start, l, now) = WorkingTime(start, now) / WorkingTime(start, Deadline(start, l)): the
//     share of the limit used. A case is overdue when more working time than the limit has
//     passed (Used > 1); acting after a deadline at a period's end but before work resumes (at
//     12:30 for a 12:00 deadline) is still on time, because no working time has passed. The SLA
//     light is green below 0.8, yellow from 0.8 up to and including 1, red above 1.
//   - A Limit with Value 0 means no limit: Deadline returns the zero time, Used 0.
//
// Limits are validated (Limit.Validate: at most MaxDays days or MaxHours hours); Deadline clamps
// larger values and gives up after searching maxScanDays days, so it always terminates.
package calendar

import (
	"fmt"
	"sort"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Zone is the time zone of the calendar: China Standard Time, UTC+8 all year.
var Zone = time.FixedZone("CST", 8*3600)

const zoneOffset = 8 * 3600 // seconds east of UTC

// Unit is the unit of a time limit.
type Unit string

const (
	Hours Unit = "hours" // 工作时
	Days  Unit = "days"  // 工作日
)

// Bounds of a valid limit. Deadline clamps beyond them, so it always terminates.
const (
	MaxDays  = 1000
	MaxHours = 10000
)

// Years a calendar may hold data for.
const (
	MinYear = 2000
	MaxYear = 2100
)

// maxScanDays bounds every forward search (about 40 years).
const maxScanDays = 14610

// Limit is a time limit; Value 0 means no limit.
type Limit struct {
	Value int  `json:"value"`
	Unit  Unit `json:"unit"`
}

// Validate checks the unit and the bounds of a limit.
func (l Limit) Validate() error {
	switch l.Unit {
	case Hours, Days:
	default:
		return apperr.New(apperr.Invalid, "calendar.bad_unit", string(l.Unit))
	}
	max := MaxHours
	if l.Unit == Days {
		max = MaxDays
	}
	if l.Value < 0 || l.Value > max {
		return apperr.New(apperr.Invalid, "calendar.bad_limit", l.Value, max)
	}
	return nil
}

func (l Limit) String() string { return fmt.Sprintf("%d %s", l.Value, l.Unit) }

// Period is a working period of a day, in local clock time "HH:MM" ("24:00" may end a day).
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Day is a dated holiday or make-up workday.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD, local
	Name string `json:"name"`
}

// Summer is a seasonal timetable: between From and To ("MM-DD", inclusive) working days have
// Hours instead of the year's periods.
type Summer struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Hours []Period `json:"hours"`
}

// Year is one year of the calendar, in the shape of the import file (data/2026.json).
type Year struct {
	Year     int      `json:"year"`
	Source   string   `json:"source,omitempty"` // where the schedule comes from (the State Council notice)
	Hours    []Period `json:"hours"`            // empty: DefaultHours
	Summer   *Summer  `json:"summer,omitempty"`
	Holidays []Day    `json:"holidays"`
	Workdays []Day    `json:"workdays"` // make-up workdays (调休上班)
	// Origin says where an answered year comes from: "stored" (imported), "builtin" (shipped
	// with yiwang) or "default" (no data: weekends only). Output only; ignored on input.
	Origin string `json:"origin,omitempty"`
}

// DefaultHours are the working periods of a year that sets none.
var DefaultHours = []Period{{"08:30", "12:00"}, {"14:30", "17:30"}}

// Light is an SLA colour.
type Light string

const (
	Green  Light = "green"
	Yellow Light = "yellow"
	Red    Light = "red"
)

// WarnAt is the share of a limit from which a case shows yellow (预警).
const WarnAt = 0.8

// LightOf maps the share of a limit used to its colour: green below 0.8, yellow from 0.8 to 1
// inclusive, red above 1 (超期).
func LightOf(used float64) Light {
	switch {
	case used > 1:
		return Red
	case used >= WarnAt:
		return Yellow
	}
	return Green
}

// span is a working period as offsets from local midnight, [start, end).
type span struct{ start, end time.Duration }

type dayKind int8

const (
	ordinary dayKind = iota
	holiday
	workday
)

// profile is the timetable of a year: its periods and optional summer periods.
type profile struct {
	hours                []span
	summer               []span
	summerFrom, summerTo monthDay // inclusive
}

type monthDay struct{ month, day int }

func (a monthDay) before(b monthDay) bool {
	return a.month < b.month || (a.month == b.month && a.day < b.day)
}

type yearData struct {
	year    Year // normalised copy, as given
	kinds   [367]dayKind
	profile profile
}

// Calendar answers working-time questions. It is immutable and safe for concurrent use.
type Calendar struct {
	years    map[int]*yearData
	sorted   []int // years with data, ascending
	defaults profile
}

// New builds a calendar from years of data, after checking each (every problem is reported).
func New(years ...Year) (*Calendar, error) {
	c := &Calendar{years: map[int]*yearData{}, defaults: profile{hours: mustSpans(DefaultHours)}}
	var problems Problems
	for i, y := range years {
		ps := Validate(y)
		y = Normalize(y)
		if _, dup := c.years[y.Year]; dup {
			ps = append(ps, Problem{Field: fmt.Sprintf("[%d].year", i), Key: "calendar.duplicate_year", Args: []any{y.Year}})
		}
		if len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		c.years[y.Year] = build(y)
		c.sorted = append(c.sorted, y.Year)
	}
	if len(problems) > 0 {
		return nil, problems.err()
	}
	sort.Ints(c.sorted)
	return c, nil
}

// Normalize returns a copy of y with the default hours filled in and the dates sorted, and no
// origin. Validate the year as given first: a problem's field names a position in the input.
func Normalize(y Year) Year {
	out := y
	out.Origin = ""
	if len(y.Hours) == 0 {
		out.Hours = append([]Period(nil), DefaultHours...)
	} else {
		out.Hours = append([]Period(nil), y.Hours...)
	}
	if y.Summer != nil {
		s := *y.Summer
		s.Hours = append([]Period(nil), s.Hours...)
		out.Summer = &s
	}
	out.Holidays = sortedDays(y.Holidays)
	out.Workdays = sortedDays(y.Workdays)
	return out
}

func sortedDays(days []Day) []Day {
	out := append([]Day{}, days...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

func build(y Year) *yearData {
	d := &yearData{year: y, profile: profile{hours: mustSpans(y.Hours)}}
	for _, h := range y.Holidays {
		t, _ := time.Parse(time.DateOnly, h.Date)
		d.kinds[t.YearDay()] = holiday
	}
	for _, w := range y.Workdays {
		t, _ := time.Parse(time.DateOnly, w.Date)
		d.kinds[t.YearDay()] = workday
	}
	if y.Summer != nil {
		d.profile.summer = mustSpans(y.Summer.Hours)
		d.profile.summerFrom, _ = parseMonthDay(y.Summer.From, 2000) // 2000: a leap year accepts 02-29
		d.profile.summerTo, _ = parseMonthDay(y.Summer.To, 2000)
	}
	return d
}

func mustSpans(ps []Period) []span {
	out := make([]span, len(ps))
	for i, p := range ps {
		a, _ := parseClock(p.Start)
		b, _ := parseClock(p.End)
		out[i] = span{a, b}
	}
	return out
}

// Year returns the data of one year: as given to New, or, for a year without data, a year with
// no holidays and the periods the calendar uses for it (Origin "default").
func (c *Calendar) Year(year int) Year {
	if d, ok := c.years[year]; ok {
		return Normalize(d.year)
	}
	y := Year{Year: year, Holidays: []Day{}, Workdays: []Day{}, Origin: "default"}
	if src := c.profileSource(year); src != nil {
		n := Normalize(src.year)
		y.Hours, y.Summer = n.Hours, n.Summer
	} else {
		y.Hours = append([]Period(nil), DefaultHours...)
	}
	return y
}

// HasData reports whether the calendar holds data for year.
func (c *Calendar) HasData(year int) bool {
	_, ok := c.years[year]
	return ok
}

// profileSource is the year whose timetable a year without data uses: the closest earlier year
// with data, else the closest later one (nil when there is none).
func (c *Calendar) profileSource(year int) *yearData {
	if len(c.sorted) == 0 {
		return nil
	}
	i := sort.SearchInts(c.sorted, year) // first with data ≥ year
	if i > 0 {
		return c.years[c.sorted[i-1]]
	}
	return c.years[c.sorted[i]]
}

// day is a local calendar day, counted from 1970-01-01.
type day int64

// dayOf returns the local day of t and the time since its local midnight.
func dayOf(t time.Time) (day, time.Duration) {
	sec := t.Unix() + zoneOffset
	d := sec / 86400
	if sec%86400 < 0 {
		d--
	}
	return day(d), t.Sub(day(d).midnight())
}

// midnight is the instant the day begins.
func (d day) midnight() time.Time {
	return time.Unix(int64(d)*86400-zoneOffset, 0).UTC()
}

// periods returns the working periods of d, nil on a rest day.
func (c *Calendar) periods(d day) []span {
	civil := time.Unix(int64(d)*86400, 0).UTC() // the local date, read as UTC
	year := civil.Year()
	data := c.years[year]
	kind := ordinary
	if data != nil {
		kind = data.kinds[civil.YearDay()]
	}
	switch kind {
	case holiday:
		return nil
	case ordinary:
		if wd := civil.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return nil
		}
	}
	p := &c.defaults
	if data != nil {
		p = &data.profile
	} else if src := c.profileSource(year); src != nil {
		p = &src.profile
	}
	if p.summer != nil {
		md := monthDay{int(civil.Month()), civil.Day()}
		if !md.before(p.summerFrom) && !p.summerTo.before(md) {
			return p.summer
		}
	}
	return p.hours
}

// IsWorkingDay reports whether the local day of t is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	d, _ := dayOf(t)
	return len(c.periods(d)) > 0
}

// IsWorkingTime reports whether t lies inside a working period of a working day.
func (c *Calendar) IsWorkingTime(t time.Time) bool {
	d, off := dayOf(t)
	for _, s := range c.periods(d) {
		if off >= s.start && off < s.end {
			return true
		}
	}
	return false
}

// walk calls fn with each working interval [a, b) that ends after from, in time order, the
// first clipped to begin at from, scanning the days from from's up to and including last. It
// stops early when fn returns false.
func (c *Calendar) walk(from time.Time, last day, fn func(a, b time.Time) bool) {
	d, _ := dayOf(from)
	for ; d <= last; d++ {
		mid := d.midnight()
		for _, s := range c.periods(d) {
			a, b := mid.Add(s.start), mid.Add(s.end)
			if !b.After(from) {
				continue
			}
			if a.Before(from) {
				a = from
			}
			if !fn(a, b) {
				return
			}
		}
	}
}

func scanLimit(from time.Time) day {
	d, _ := dayOf(from)
	return d + maxScanDays
}

// WorkingTime is the working time inside [from, to); 0 when to is not after from.
func (c *Calendar) WorkingTime(from, to time.Time) time.Duration {
	from, to = from.Round(0), to.Round(0)
	if !to.After(from) {
		return 0
	}
	var sum time.Duration
	last, _ := dayOf(to)
	c.walk(from, last, func(a, b time.Time) bool {
		if !a.Before(to) {
			return false
		}
		if b.After(to) {
			b = to
		}
		sum += b.Sub(a)
		return true
	})
	return sum
}

// Deadline is the instant by which limit l, started at start, is used up (see the package
// comment for the exact rules). It returns the zero time when l has no limit.
func (c *Calendar) Deadline(start time.Time, l Limit) time.Time {
	start = start.Round(0)
	if l.Value <= 0 {
		return time.Time{}
	}
	if l.Unit == Days {
		return c.dayDeadline(start, min(l.Value, MaxDays))
	}
	return c.hourDeadline(start, time.Duration(min(l.Value, MaxHours))*time.Hour)
}

func (c *Calendar) hourDeadline(start time.Time, remaining time.Duration) time.Time {
	last := scanLimit(start)
	end := last.midnight()
	c.walk(start, last, func(a, b time.Time) bool {
		if length := b.Sub(a); remaining > length {
			remaining -= length
			return true
		}
		end = a.Add(remaining)
		return false
	})
	return end.UTC()
}

func (c *Calendar) dayDeadline(start time.Time, n int) time.Time {
	last := scanLimit(start)
	// s: the start, or the next period start when the start is outside working time.
	s, found := time.Time{}, false
	c.walk(start, last, func(a, _ time.Time) bool {
		s, found = a, true
		return false
	})
	if !found {
		return last.midnight()
	}
	d0, sOff := dayOf(s)
	var offset time.Duration // working time of d0 before s
	for _, p := range c.periods(d0) {
		if sOff >= p.end {
			offset += p.end - p.start
		} else if sOff > p.start {
			offset += sOff - p.start
		}
	}
	d := d0
	for counted := 0; counted < n; {
		d++
		if d > last {
			return last.midnight()
		}
		if len(c.periods(d)) > 0 {
			counted++
		}
	}
	spans := c.periods(d)
	mid := d.midnight()
	for _, p := range spans {
		length := p.end - p.start
		if offset < length {
			return mid.Add(p.start + offset).UTC()
		}
		offset -= length
	}
	return mid.Add(spans[len(spans)-1].end).UTC() // a shorter day: its end
}

// limitTime is the working time a limit grants when started at start.
func (c *Calendar) limitTime(start time.Time, l Limit) time.Duration {
	if l.Value <= 0 {
		return 0
	}
	if l.Unit != Days {
		return time.Duration(min(l.Value, MaxHours)) * time.Hour
	}
	return c.WorkingTime(start, c.Deadline(start, l))
}

// Used is the share of limit l, started at start, used by now: 0 at the start, 1 at the
// deadline, above 1 once overdue. It is 0 for no limit.
func (c *Calendar) Used(start time.Time, l Limit, now time.Time) float64 {
	total := c.limitTime(start, l)
	if total <= 0 {
		return 0
	}
	return float64(c.WorkingTime(start, now)) / float64(total)
}

// Overdue reports whether more working time than limit l has passed between start and at
// (Used > 1). Use it, not a comparison with Deadline, to decide whether an act was on time.
func (c *Calendar) Overdue(start time.Time, l Limit, at time.Time) bool {
	total := c.limitTime(start, l)
	return total > 0 && c.WorkingTime(start, at) > total
}
