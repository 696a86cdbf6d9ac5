package whistle

import (
	"math"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/percent"
)

// The figures of 吹哨报到 per summoned unit, for the indicators (对标找差) and the subdistrict's
// evaluation of the departments ("吹哨报到双考核", standards-cn.md §3.2–3.3). Names follow the
// glossary: 报到及时率 is on_time_check_in_rate.

// Fact is one summons as the figures count it.
type Fact struct {
	Code, Name  string // the summoned unit
	BlownAt     time.Time
	DueAt       time.Time
	CheckedInAt *time.Time
	Late        bool // checked in after the deadline
	Escalated   bool // the escalation job told the subdistrict's leaders
	Stars       *int // the whistler's rating, once given
}

// Figures are one unit's figures over a period.
type Figures struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	// WhistlesReceived: summons of the unit (whistles called off are left out).
	WhistlesReceived int `json:"whistles_received"`
	// ShouldCheckIn: summons whose check-in is due — checked in, or past the deadline.
	ShouldCheckIn int `json:"should_check_in"`
	// CheckedInOnTime: checked in by the deadline.
	CheckedInOnTime int `json:"checked_in_on_time"`
	// Late: checked in late, or not checked in and past the deadline (the count of late or
	// missing check-ins).
	Late int `json:"late"`
	// Escalated: summons the escalation job reported to the subdistrict's leaders.
	Escalated int `json:"escalated"`
	// OnTimeCheckInRate (报到及时率) = CheckedInOnTime / ShouldCheckIn as a percentage, rounded as
	// the indicators' rates are (package percent); null without a due check-in.
	OnTimeCheckInRate *float64 `json:"on_time_check_in_rate"`
	// MedianCheckInMinutes: the median of the minutes from the whistle to the check-in, over the
	// check-ins; null without one.
	MedianCheckInMinutes *float64 `json:"median_check_in_minutes"`
	// Rating: the mean of the whistler's stars (1–5), over Ratings ratings; null without one.
	Rating  *float64 `json:"rating"`
	Ratings int      `json:"ratings"`
}

// Compute turns the facts into one row per unit, in code order, as of now (a deadline that has
// not yet passed does not count against a unit).
func Compute(facts []Fact, now time.Time) []Figures {
	type acc struct {
		row     Figures
		minutes []float64
		stars   int
	}
	by := map[string]*acc{}
	var codes []string
	for _, f := range facts {
		a := by[f.Code]
		if a == nil {
			a = &acc{row: Figures{Code: f.Code, Name: f.Name}}
			by[f.Code] = a
			codes = append(codes, f.Code)
		}
		a.row.WhistlesReceived++
		if f.Escalated {
			a.row.Escalated++
		}
		switch {
		case f.CheckedInAt != nil:
			a.row.ShouldCheckIn++
			if f.Late {
				a.row.Late++
			} else {
				a.row.CheckedInOnTime++
			}
			a.minutes = append(a.minutes, f.CheckedInAt.Sub(f.BlownAt).Minutes())
		case now.After(f.DueAt):
			a.row.ShouldCheckIn++
			a.row.Late++
		}
		if f.Stars != nil {
			a.row.Ratings++
			a.stars += *f.Stars
		}
	}
	slices.Sort(codes)
	out := make([]Figures, 0, len(codes))
	for _, code := range codes {
		a := by[code]
		if a.row.ShouldCheckIn > 0 {
			r := percent.Of(int64(a.row.CheckedInOnTime), int64(a.row.ShouldCheckIn))
			a.row.OnTimeCheckInRate = &r
		}
		if len(a.minutes) > 0 {
			m := round2(median(a.minutes))
			a.row.MedianCheckInMinutes = &m
		}
		if a.row.Ratings > 0 {
			a.row.Rating = ratio(float64(a.stars), float64(a.row.Ratings))
		}
		out = append(out, a.row)
	}
	return out
}

// median of a non-empty list: the middle value, or the mean of the two middle ones.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ratio is a/b rounded to four decimals (rates are shown as percentages with two).
func ratio(a, b float64) *float64 {
	r := math.Round(a/b*10000) / 10000
	return &r
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
