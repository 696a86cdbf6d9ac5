// Package hours is the opening hours (营业时间 / 办公时间) of the directory's places: periods per
// weekday, and a rule saying how the work calendar's holidays and make-up workdays (调休上班, package
// calendar) change them. It answers whether a place is open, when it next opens or closes and what
// today's hours are, and reads and writes a compact text form for imports (text.go).
//
// # Rules
//
//   - workdays (工作日): follows the work calendar, like a government window. Closed on holidays.
//     A make-up workday is a working day: it takes the periods of its own weekday when that is
//     Monday to Friday and has periods, else those of Monday (else of the first of Tuesday to
//     Friday that has periods) — a make-up Saturday works like a weekday. Every other day takes
//     its weekday's periods, so an ordinary weekend is closed unless Saturday or Sunday periods
//     are listed (周六上午延时服务), and a weekend day inside a holiday stays closed.
//   - weekly (每周): the weekday's periods, the calendar ignored (a 24-hour pharmacy, a
//     convenience point).
//   - weekly_closed_holidays (节假日休息): the weekday's periods, closed on holidays; a make-up
//     workday is just its own weekday (a clinic open on Saturday mornings opens a make-up
//     Saturday in the morning only).
//   - always (全天): open 24 hours every day; no periods.
//
// # Time
//
// Clock times are Beijing time (UTC+8, no daylight saving), "HH:MM". A period is half-open,
// [open, close): 08:30–12:00 is open at 11:59 and closed at 12:00. "24:00" closes at midnight;
// a period lies inside one day, so a night across midnight is two periods (22:00–24:00 and
// 00:00–02:00), and a period ending at 24:00 followed by one starting at 00:00 the next day is
// one stretch of opening, without a change at midnight.
package hours

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// Rule says how the work calendar changes a place's weekday periods.
type Rule string

const (
	Workdays             Rule = "workdays"
	Weekly               Rule = "weekly"
	WeeklyClosedHolidays Rule = "weekly_closed_holidays"
	Always               Rule = "always"
)

// Rules are the valid rules.
var Rules = []Rule{Workdays, Weekly, WeeklyClosedHolidays, Always}

// Period is a stretch of opening on some weekdays, in Beijing clock time.
type Period struct {
	Days  []int  `json:"days"`  // 1 = Monday … 7 = Sunday
	Open  string `json:"open"`  // "08:30"
	Close string `json:"close"` // "12:00"; "24:00" closes at midnight
}

// Hours are a place's opening hours.
type Hours struct {
	Rule    Rule     `json:"rule"`
	Periods []Period `json:"periods"`
	Note    string   `json:"note,omitempty"` // shown as is: "午间不休息，节假日另行通知"
}

// Bounds of valid hours.
const (
	MaxPeriods = 21  // three a day
	MaxNote    = 200 // characters
)

// Weekday is a day of the week in an error's arguments: 1 = Monday … 7 = Sunday. The error
// responder translates it through its key "directory.hours.day.N" when the catalogue has one.
type Weekday int

var weekdayNames = [8]string{"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

func (d Weekday) String() string {
	if d < 1 || d > 7 {
		return fmt.Sprint(int(d))
	}
	return weekdayNames[d]
}

// I18nKey names the day's text in the message catalogue.
func (d Weekday) I18nKey() string { return fmt.Sprintf("directory.hours.day.%d", int(d)) }

// Validate reports what is wrong with h, nil when nothing is. The error is an *apperr.Error of
// code Invalid whose key and arguments are the first problem's, with every problem as a detail
// (field, key, arguments). Keys and arguments (n: the period's position, from 1):
//
//	directory.hours.bad_rule (rule)                 directory.hours.no_periods
//	directory.hours.always_has_periods              directory.hours.too_many_periods (count, max)
//	directory.hours.note_too_long (max)             directory.hours.no_days (n)
//	directory.hours.bad_day (n, day number)         directory.hours.duplicate_day (n, Weekday)
//	directory.hours.bad_time (n, text)              directory.hours.open_not_before_close (n, open, close)
//	directory.hours.overlap (Weekday, n1, n2)
func (h Hours) Validate() error {
	var v problems
	switch h.Rule {
	case Workdays, Weekly, WeeklyClosedHolidays:
		if len(h.Periods) == 0 {
			v.add("periods", "directory.hours.no_periods")
		}
	case Always:
		if len(h.Periods) > 0 {
			v.add("periods", "directory.hours.always_has_periods")
		}
	default:
		v.add("rule", "directory.hours.bad_rule", string(h.Rule))
	}
	if utf8.RuneCountInString(h.Note) > MaxNote {
		v.add("note", "directory.hours.note_too_long", MaxNote)
	}
	if len(h.Periods) > MaxPeriods {
		v.add("periods", "directory.hours.too_many_periods", len(h.Periods), MaxPeriods)
		return v.err() // the periods of a runaway list are not worth checking one by one
	}
	good := make([]bool, len(h.Periods)) // days and times fine: checked for overlaps
	for i, p := range h.Periods {
		good[i] = checkPeriod(&v, i, p)
	}
	for i := range h.Periods {
		for j := i + 1; j < len(h.Periods); j++ {
			if !good[i] || !good[j] {
				continue
			}
			if day, ok := overlap(h.Periods[i], h.Periods[j]); ok {
				v.add("periods", "directory.hours.overlap", Weekday(day), i+1, j+1)
			}
		}
	}
	return v.err()
}

// checkPeriod adds the problems of the i-th period and reports whether it can be checked for
// overlaps.
func checkPeriod(v *problems, i int, p Period) bool {
	field, n := fmt.Sprintf("periods[%d]", i), i+1
	ok := true
	if len(p.Days) == 0 {
		v.add(field+".days", "directory.hours.no_days", n)
		ok = false
	}
	var seen [8]bool
	for _, d := range p.Days {
		switch {
		case d < 1 || d > 7:
			v.add(field+".days", "directory.hours.bad_day", n, d)
			ok = false
		case seen[d]:
			v.add(field+".days", "directory.hours.duplicate_day", n, Weekday(d))
		default:
			seen[d] = true
		}
	}
	open, okOpen := parseClock(p.Open)
	if okOpen && open == 24*time.Hour { // a place cannot open at midnight's end
		okOpen = false
	}
	shut, okClose := parseClock(p.Close)
	if !okOpen {
		v.add(field+".open", "directory.hours.bad_time", n, p.Open)
	}
	if !okClose {
		v.add(field+".close", "directory.hours.bad_time", n, p.Close)
	}
	if okOpen && okClose && open >= shut {
		v.add(field, "directory.hours.open_not_before_close", n, p.Open, p.Close)
		ok = false
	}
	return ok && okOpen && okClose
}

// overlap returns the first weekday on which two valid periods overlap.
func overlap(a, b Period) (int, bool) {
	aOpen, aClose, _ := a.span()
	bOpen, bClose, _ := b.span()
	if aOpen >= bClose || bOpen >= aClose {
		return 0, false
	}
	for d := 1; d <= 7; d++ {
		if slices.Contains(a.Days, d) && slices.Contains(b.Days, d) {
			return d, true
		}
	}
	return 0, false
}

// span is the period as offsets from midnight; ok is false when its times are invalid or the
// period is empty.
func (p Period) span() (open, close time.Duration, ok bool) {
	open, okOpen := parseClock(p.Open)
	close, okClose := parseClock(p.Close)
	return open, close, okOpen && okClose && open < close
}

func parseClock(s string) (time.Duration, bool) { return calendar.ParseClock(s) }

// problems collects validation problems as error details.
type problems []apperr.Detail

func (v *problems) add(field, key string, args ...any) {
	*v = append(*v, apperr.Detail{Field: field, Message: key, Args: args})
}

func (v problems) err() error {
	if len(v) == 0 {
		return nil
	}
	return apperr.New(apperr.Invalid, v[0].Message, v[0].Args...).WithDetails(v)
}
