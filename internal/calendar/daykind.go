package calendar

import "time"

// DayKind is what the calendar's data say about a local day, before weekends are considered.
// Opening hours (package directory/hours) need it: a place may close on holidays without
// following the working periods.
type DayKind int

const (
	Ordinary      DayKind = iota // not in the data: Monday to Friday work, weekends rest
	Holiday                      // in the holiday list (节假日, weekend days inside a holiday too)
	MakeUpWorkday                // in the make-up workday list (调休上班)
)

func (k DayKind) String() string {
	switch k {
	case Holiday:
		return "holiday"
	case MakeUpWorkday:
		return "make_up_workday"
	}
	return "ordinary"
}

// KindOf returns the kind of the local (Beijing) day of t. A year without data has only
// ordinary days, and so has every year of a nil calendar. IsWorkingDay(t) is KindOf(t) ==
// MakeUpWorkday, or Ordinary on Monday to Friday.
func (c *Calendar) KindOf(t time.Time) DayKind {
	if c == nil {
		return Ordinary
	}
	d, _ := dayOf(t)
	civil := time.Unix(int64(d)*86400, 0).UTC() // the local date, read as UTC
	data := c.years[civil.Year()]
	if data == nil {
		return Ordinary
	}
	switch data.kinds[civil.YearDay()] {
	case holiday:
		return Holiday
	case workday:
		return MakeUpWorkday
	}
	return Ordinary
}

// ParseClock reads a local clock time "HH:MM" (00:00 to 24:00, two digits each) as the time
// since midnight; the calendar's periods and opening hours share it.
func ParseClock(s string) (time.Duration, bool) { return parseClock(s) }
