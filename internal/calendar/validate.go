package calendar

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Problem is one thing wrong with a year's data. Key names its message in the locale files
// (calendar.*.json); Args fill it in.
type Problem struct {
	Field string // where, as a JSON path: "holidays[3].date"
	Key   string
	Args  []any
}

// Problems is every problem found in a year's data.
type Problems []Problem

func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s: %s %v", p.Field, p.Key, p.Args)
	}
	return strings.Join(parts, "; ")
}

// err wraps the problems as a domain error (400); Localize translates it at the edge.
func (ps Problems) err() error {
	return apperr.Wrap(ps, apperr.Invalid, "calendar.invalid", len(ps), ps.Error())
}

// Validate returns every problem of a year's data as given (none when it is good); empty hours
// are fine (they mean DefaultHours).
func Validate(y Year) Problems {
	var ps Problems
	add := func(field, key string, args ...any) { ps = append(ps, Problem{field, key, args}) }
	if y.Year < MinYear || y.Year > MaxYear {
		add("year", "calendar.bad_year", y.Year, MinYear, MaxYear)
		return ps // dates cannot be checked against a bad year
	}
	if utf8.RuneCountInString(y.Source) > 500 {
		add("source", "calendar.source_too_long", 500)
	}
	seen := map[string]string{} // date → field of its first mention
	checkDays := func(list string, days []Day, isWorkday bool) {
		for i, d := range days {
			field := fmt.Sprintf("%s[%d]", list, i)
			t, err := time.Parse(time.DateOnly, d.Date)
			if err != nil || t.Format(time.DateOnly) != d.Date {
				add(field+".date", "calendar.bad_date", d.Date)
				continue
			}
			if t.Year() != y.Year {
				add(field+".date", "calendar.date_outside_year", d.Date, y.Year)
				continue
			}
			if first, dup := seen[d.Date]; dup {
				if strings.HasPrefix(first, list) {
					add(field+".date", "calendar.duplicate_date", d.Date)
				} else {
					add(field+".date", "calendar.holiday_and_workday", d.Date)
				}
				continue
			}
			seen[d.Date] = field
			if wd := t.Weekday(); isWorkday && wd != time.Saturday && wd != time.Sunday {
				add(field+".date", "calendar.workday_not_weekend", d.Date)
			}
			if utf8.RuneCountInString(d.Name) > 64 {
				add(field+".name", "calendar.name_too_long", d.Date, 64)
			}
		}
	}
	checkDays("holidays", y.Holidays, false)
	checkDays("workdays", y.Workdays, true)
	ps = append(ps, checkPeriods("hours", y.Hours, false)...)
	if s := y.Summer; s != nil {
		from, okFrom := parseMonthDay(s.From, y.Year)
		to, okTo := parseMonthDay(s.To, y.Year)
		if !okFrom {
			add("summer.from", "calendar.bad_month_day", s.From, y.Year)
		}
		if !okTo {
			add("summer.to", "calendar.bad_month_day", s.To, y.Year)
		}
		if okFrom && okTo && to.before(from) {
			add("summer", "calendar.summer_order", s.From, s.To)
		}
		ps = append(ps, checkPeriods("summer.hours", s.Hours, true)...)
	}
	return ps
}

// where names a list of periods in a message; Localize translates it ("calendar.where.*").
type where string

// checkPeriods checks that periods are well formed, ordered and disjoint.
func checkPeriods(list string, periods []Period, required bool) Problems {
	var ps Problems
	w := where("hours")
	if list != "hours" {
		w = "summer"
	}
	add := func(field, key string, args ...any) { ps = append(ps, Problem{field, key, append([]any{w}, args...)}) }
	if required && len(periods) == 0 {
		add(list, "calendar.no_periods")
	}
	if len(periods) > 12 {
		add(list, "calendar.too_many_periods", 12)
		return ps
	}
	var prevEnd time.Duration
	prev := ""
	for i, p := range periods {
		field := fmt.Sprintf("%s[%d]", list, i)
		a, okA := parseClock(p.Start)
		b, okB := parseClock(p.End)
		okA = okA && a < 24*time.Hour
		if !okA {
			add(field+".start", "calendar.bad_time", p.Start)
		}
		if !okB {
			add(field+".end", "calendar.bad_time", p.End)
		}
		if !okA || !okB {
			prev = ""
			continue
		}
		if a >= b {
			add(field, "calendar.empty_period", p.Start, p.End)
			continue
		}
		if prev != "" && a < prevEnd {
			add(field, "calendar.periods_overlap", p.Start+"–"+p.End, prev)
		}
		prev, prevEnd = p.Start+"–"+p.End, b
	}
	return ps
}

// parseClock reads "HH:MM" (00:00–24:00) as an offset from midnight.
func parseClock(s string) (time.Duration, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, okH := twoDigits(s[0:2])
	m, okM := twoDigits(s[3:5])
	if !okH || !okM || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// parseMonthDay reads "MM-DD", valid in year.
func parseMonthDay(s string, year int) (monthDay, bool) {
	if len(s) != 5 || s[2] != '-' {
		return monthDay{}, false
	}
	m, okM := twoDigits(s[0:2])
	d, okD := twoDigits(s[3:5])
	if !okM || !okD || m < 1 || m > 12 || d < 1 {
		return monthDay{}, false
	}
	if t := time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC); t.Day() != d {
		return monthDay{}, false
	}
	return monthDay{m, d}, true
}

func twoDigits(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}
