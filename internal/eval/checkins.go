package eval

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/percent"
)

// 报到 (check-in) figures of the departments summoned by whistles (吹哨报到), beside their
// handling figures: the whistle module keeps them; the indicators show them on each department's
// row under the glossary's names ("吹哨报到双考核", standards-cn.md §3.3), for the league of 报到.

// CheckIns gives a period's check-in figures per department code, as far as the caller reaches
// the whistles (none when the caller may not read whistles).
type CheckIns interface {
	CheckInFigures(ctx context.Context, from, to string) (map[string]CheckInFigures, error)
}

// CheckInFigures are one department's 报到 figures over a period.
type CheckInFigures struct {
	WhistlesReceived int64 `json:"whistles_received"`
	ShouldCheckIn    int64 `json:"should_check_in"`
	CheckedInOnTime  int64 `json:"checked_in_on_time"`
	// Late: checked in late, or past the deadline without a check-in.
	Late int64 `json:"late"`
	// OnTimeCheckInRate (报到及时率) = CheckedInOnTime / ShouldCheckIn × 100; null when none is due.
	OnTimeCheckInRate    *float64 `json:"on_time_check_in_rate"`
	MedianCheckInMinutes *float64 `json:"median_check_in_minutes"`
	// Rating is the whistlers' mean stars (1–5) over Ratings ratings.
	Rating  *float64 `json:"rating"`
	Ratings int64    `json:"ratings"`
}

// rate fills OnTimeCheckInRate from the counts, rounded as every rate is.
func (f *CheckInFigures) rate() {
	f.OnTimeCheckInRate = nil
	if f.ShouldCheckIn > 0 {
		v := percent.Of(f.CheckedInOnTime, f.ShouldCheckIn)
		f.OnTimeCheckInRate = &v
	}
}

// withCheckIns adds the period's check-in figures to a department table's rows: the figures
// themselves, and on_time_check_in_rate among the row's rates.
func (s *Service) withCheckIns(ctx context.Context, t *Table) error {
	if s.CheckIns == nil || t.Level != LevelDepartment {
		return nil
	}
	figures, err := s.CheckIns.CheckInFigures(ctx, t.From, t.To)
	if err != nil {
		return fmt.Errorf("check-in figures: %w", err)
	}
	for i := range t.Rows {
		f, ok := figures[t.Rows[i].Code]
		if !ok {
			continue
		}
		f.rate()
		t.Rows[i].CheckIns = &f
		if t.Rows[i].Rates != nil {
			t.Rows[i].Rates["on_time_check_in_rate"] = f.OnTimeCheckInRate
		}
	}
	return nil
}
