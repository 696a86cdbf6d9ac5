package eval

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Period is a span of whole days in the district's time zone, both ends included.
type Period struct {
	From, To time.Time // midnight of the first and of the last day
}

// MaxPeriodDays bounds a request's period (ten years).
const MaxPeriodDays = 3660

// ParsePeriod reads from and to (YYYY-MM-DD): both must be dates, to not before from.
func ParsePeriod(from, to string) (Period, error) {
	f, err1 := time.ParseInLocation(time.DateOnly, from, Zone)
	t, err2 := time.ParseInLocation(time.DateOnly, to, Zone)
	if err1 != nil || err2 != nil {
		return Period{}, apperr.New(apperr.Invalid, "eval.bad_period")
	}
	if t.Before(f) || t.Sub(f) > MaxPeriodDays*24*time.Hour {
		return Period{}, apperr.New(apperr.Invalid, "eval.bad_period")
	}
	return Period{From: f, To: t}, nil
}

// Days is the number of days in p.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24+0.5) + 1 }

// String is "from..to".
func (p Period) String() string {
	return p.From.Format(time.DateOnly) + ".." + p.To.Format(time.DateOnly)
}

// Previous is the period of the same kind just before p: the previous calendar month (or
// months, or year) when p is whole months, the same days of the previous month when p is the
// start of a month, else as many days just before.
func (p Period) Previous() Period {
	if p.From.Day() == 1 && p.To.AddDate(0, 0, 1).Day() == 1 {
		months := (p.To.Year()-p.From.Year())*12 + int(p.To.Month()-p.From.Month()) + 1
		from := p.From.AddDate(0, -months, 0)
		return Period{From: from, To: p.From.AddDate(0, 0, -1)}
	}
	if p.From.Day() == 1 && p.To.Month() == p.From.Month() && p.To.Year() == p.From.Year() {
		// This month so far (1–4 December) is compared with the same days of the month before
		// (1–4 November), cut at that month's end.
		from := p.From.AddDate(0, -1, 0)
		to := from.AddDate(0, 0, p.Days()-1)
		if end := p.From.AddDate(0, 0, -1); to.After(end) {
			to = end
		}
		return Period{From: from, To: to}
	}
	n := p.Days()
	return Period{From: p.From.AddDate(0, 0, -n), To: p.From.AddDate(0, 0, -1)}
}

// spans says how to read a period: whole months from the monthly sums, the rest day by day.
type spans struct {
	firstMonth, lastMonth string
	days                  [][2]string
}

// split cuts from..to (YYYY-MM-DD) into whole months and the days at the ends.
func split(from, to string) spans {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	var sp spans
	first := f
	if first.Day() != 1 {
		first = time.Date(f.Year(), f.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
	end := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC) // first day after to's month
	if t.AddDate(0, 0, 1).Day() != 1 {
		end = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) // to's month is not whole
	}
	if !first.Before(end) {
		return spans{days: [][2]string{{from, to}}}
	}
	sp.firstMonth = first.Format("2006-01")
	sp.lastMonth = end.AddDate(0, -1, 0).Format("2006-01")
	if f.Before(first) {
		sp.days = append(sp.days, [2]string{from, first.AddDate(0, 0, -1).Format(time.DateOnly)})
	}
	if end.AddDate(0, 0, -1).Before(t) {
		sp.days = append(sp.days, [2]string{end.Format(time.DateOnly), to})
	}
	return sp
}
