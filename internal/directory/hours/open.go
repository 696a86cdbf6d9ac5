package hours

import (
	"cmp"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// DayKinder says what the work calendar makes of a local day; *calendar.Calendar satisfies it.
// A nil DayKinder has no holidays and no make-up workdays.
type DayKinder interface {
	KindOf(time.Time) calendar.DayKind
}

// ChangeWindow is how far ahead NextChange looks.
const ChangeWindow = 14 * 24 * time.Hour

// The answers below read h as Validate would accept it; a period with invalid times is skipped,
// so invalid hours give odd answers but never a panic.

// OpenAt reports whether the place is open at t.
func (h Hours) OpenAt(cal DayKinder, t time.Time) bool {
	midnight := localMidnight(t)
	offset := t.Sub(midnight)
	for _, p := range h.periodsOn(cal, midnight) {
		if open, close, _ := p.span(); offset >= open && offset < close {
			return true
		}
	}
	return false
}

// Today returns the periods of t's local day, sorted by opening time, each with that day's
// weekday as its only day; nil when the place is closed all day. Under always it is 00:00–24:00.
func (h Hours) Today(cal DayKinder, t time.Time) []Period {
	return h.periodsOn(cal, localMidnight(t))
}

// NextChange returns the first instant after t at which the place opens (when closed at t) or
// closes (when open), in Beijing time, and false when that is more than ChangeWindow after t
// (never under always, or for a place closed for the next two weeks). Periods that touch, also
// across midnight (…–24:00 then 00:00–…), make no change.
func (h Hours) NextChange(cal DayKinder, t time.Time) (time.Time, bool) {
	midnight := localMidnight(t)
	limit := t.Add(ChangeWindow)
	var stretches [][2]time.Time // open stretches, merged, in time order
	for i := 0; i <= int(ChangeWindow/(24*time.Hour))+1; i++ {
		day := midnight.AddDate(0, 0, i) // a fixed zone: every day is 24 hours
		for _, p := range h.periodsOn(cal, day) {
			open, close, _ := p.span()
			a, b := day.Add(open), day.Add(close)
			if n := len(stretches); n > 0 && !a.After(stretches[n-1][1]) {
				if b.After(stretches[n-1][1]) {
					stretches[n-1][1] = b
				}
				continue
			}
			stretches = append(stretches, [2]time.Time{a, b})
		}
	}
	for _, s := range stretches {
		var change time.Time
		switch {
		case !s[0].After(t) && s[1].After(t): // open at t: the stretch's end
			change = s[1]
		case s[0].After(t): // closed at t: the next stretch's start
			change = s[0]
		default:
			continue
		}
		if change.After(limit) {
			return time.Time{}, false
		}
		return change.In(calendar.Zone), true
	}
	return time.Time{}, false
}

// periodsOn returns the valid periods of the local day starting at midnight (Beijing), sorted by
// opening time, each with that day's weekday as its only day; nil when closed all day.
func (h Hours) periodsOn(cal DayKinder, midnight time.Time) []Period {
	weekday := int(midnight.Weekday())
	if weekday == 0 {
		weekday = 7
	}
	if h.Rule == Always {
		return []Period{{Days: []int{weekday}, Open: "00:00", Close: "24:00"}}
	}
	kind := calendar.Ordinary
	if cal != nil {
		kind = cal.KindOf(midnight)
	}
	from := weekday // the weekday whose periods apply
	switch h.Rule {
	case Weekly:
	case WeeklyClosedHolidays:
		if kind == calendar.Holiday {
			return nil
		}
	case Workdays:
		switch kind {
		case calendar.Holiday:
			return nil
		case calendar.MakeUpWorkday:
			from = h.makeUpWeekday(weekday)
		}
	default:
		return nil
	}
	var out []Period
	for _, p := range h.Periods {
		if _, _, ok := p.span(); ok && slices.Contains(p.Days, from) {
			out = append(out, Period{Days: []int{weekday}, Open: p.Open, Close: p.Close})
		}
	}
	slices.SortStableFunc(out, func(a, b Period) int {
		x, _, _ := a.span()
		y, _, _ := b.span()
		return cmp.Compare(x, y)
	})
	return out
}

// makeUpWeekday is the weekday whose periods a make-up workday on weekday takes under workdays:
// its own when it is Monday to Friday and has periods, else Monday's, else those of the first of
// Tuesday to Friday that has periods.
func (h Hours) makeUpWeekday(weekday int) int {
	has := func(d int) bool {
		for _, p := range h.Periods {
			if _, _, ok := p.span(); ok && slices.Contains(p.Days, d) {
				return true
			}
		}
		return false
	}
	if weekday <= 5 && has(weekday) {
		return weekday
	}
	for d := 1; d <= 5; d++ {
		if has(d) {
			return d
		}
	}
	return weekday
}

// localMidnight is the start of t's day in Beijing.
func localMidnight(t time.Time) time.Time {
	y, m, d := t.In(calendar.Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.Zone)
}
