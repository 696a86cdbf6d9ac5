package whistle

import (
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// The rules of 吹哨报到 as pure functions: how long a summoned unit has to check in, how its
// check-in is judged, and which figures it makes. Side effects are in service.go and store.go.

// Clocking says how a check-in limit is counted.
type Clocking string

const (
	WallMinutes    Clocking = "minutes"         // wall-clock minutes: an emergency does not wait for Monday
	WorkingMinutes Clocking = "working_minutes" // minutes of working time on the work calendar
	WorkingDays    Clocking = "working_days"    // working days on the work calendar
)

// Limit is the time a summoned unit has to check in.
type Limit struct {
	Value int      `json:"value"`
	Unit  Clocking `json:"unit"`
}

// MaxCheckInMinutes bounds a whistle's own deadline, and a limit of the rules in minutes (a week
// of minutes).
const MaxCheckInMinutes = 7 * 24 * 60

// LimitFor is the check-in limit of a whistle of kind k under these rules, with the whistler's own
// minutes when given: they replace the kind's value and keep its way of counting (wall-clock
// minutes stay wall-clock; working days or minutes become working minutes).
func (r Rules) LimitFor(k Kind, minutes *int) Limit {
	l := r.Limits[k]
	if minutes == nil {
		return l
	}
	if l.Unit == WallMinutes {
		return Limit{Value: *minutes, Unit: WallMinutes}
	}
	return Limit{Value: *minutes, Unit: WorkingMinutes}
}

// maxSearch bounds the search for a working-time deadline (about 40 years, as package calendar).
const maxSearch = 40 * 366 * 24 * time.Hour

// Due is the instant by which a unit summoned at start must have checked in under l. Working
// minutes end at the earliest instant by which that much working time has passed — the rule of
// calendar.Deadline for hours (a limit used up exactly at a period's end is due at that end, not
// at the next period's start).
func Due(cal Calendar, start time.Time, l Limit) time.Time {
	start = start.UTC()
	switch l.Unit {
	case WallMinutes:
		return start.Add(time.Duration(l.Value) * time.Minute)
	case WorkingDays:
		return cal.AddWorkingDays(start, l.Value).UTC()
	}
	need := time.Duration(l.Value) * time.Minute
	if need <= 0 {
		return start
	}
	// Working time is a non-decreasing function of the end: find an end that reaches the need,
	// then halve the gap down to the nanosecond.
	lo, step := time.Duration(0), need
	for cal.WorkingTime(start, start.Add(step)) < need {
		lo = step
		if step *= 2; step > maxSearch {
			return start.Add(maxSearch)
		}
	}
	hi := step
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if cal.WorkingTime(start, start.Add(mid)) >= need {
			hi = mid
		} else {
			lo = mid
		}
	}
	return start.Add(hi)
}

// CheckInResult is how a check-in is judged.
type CheckInResult struct {
	DistanceM int  `json:"distance_m"`
	Late      bool `json:"late"`
	Flagged   bool `json:"flagged"`
}

// Judge judges a check-in at (lat, lng) at instant at, for a place at (placeLat, placeLng) and a
// deadline due: the great-circle (haversine) distance in whole metres, late when after the
// deadline, flagged when more than flagM metres away (the whistle's flag distance, from the
// rules in force when it was blown). A far check-in is accepted — the phone's position may be
// off, the unit may have come to the nearest road — but marked for the whistler to see.
func Judge(lat, lng, placeLat, placeLng float64, at, due time.Time, flagM int) CheckInResult {
	d := geo.DistanceHaversine(orb.Point{lng, lat}, orb.Point{placeLng, placeLat})
	m := int(math.Round(d))
	return CheckInResult{DistanceM: m, Late: at.After(due), Flagged: m > flagM}
}

// CheckPosition refuses a position that is not one: missing, not a number, or out of range.
func CheckPosition(lat, lng *float64) error {
	var details []apperr.Detail
	for _, c := range []struct {
		field string
		v     *float64
		max   float64
	}{{"lat", lat, 90}, {"lng", lng, 180}} {
		switch {
		case c.v == nil:
			details = append(details, apperr.Detail{Field: c.field, Message: "whistle.position_required"})
		case math.IsNaN(*c.v) || math.IsInf(*c.v, 0) || *c.v < -c.max || *c.v > c.max:
			details = append(details, apperr.Detail{Field: c.field, Message: "whistle.bad_position", Args: []any{c.max, c.max}})
		}
	}
	if len(details) > 0 {
		return apperr.New(apperr.Invalid, "whistle.bad_check_in").WithDetails(details)
	}
	return nil
}

// LateNow reports whether a summons is late as of now: checked in late, or still not checked in
// once its deadline has passed (the count of late or missing check-ins).
func LateNow(s Summons, now time.Time) bool {
	if s.CheckedInAt != nil {
		return s.Late
	}
	return now.After(s.DueAt)
}
