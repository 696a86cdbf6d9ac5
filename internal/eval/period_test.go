package eval

import (
	"reflect"
	"testing"
	"time"
)

func TestSplitIntoMonthsAndDays(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     spans
	}{
		{"2026-11-01", "2026-11-30", spans{firstMonth: "2026-11", lastMonth: "2026-11"}},
		{"2026-01-01", "2026-12-31", spans{firstMonth: "2026-01", lastMonth: "2026-12"}},
		{"2026-11-05", "2026-11-20", spans{days: [][2]string{{"2026-11-05", "2026-11-20"}}}},
		{"2026-10-15", "2026-12-10", spans{firstMonth: "2026-11", lastMonth: "2026-11",
			days: [][2]string{{"2026-10-15", "2026-10-31"}, {"2026-12-01", "2026-12-10"}}}},
		{"2026-10-15", "2026-11-30", spans{firstMonth: "2026-11", lastMonth: "2026-11", days: [][2]string{{"2026-10-15", "2026-10-31"}}}},
		{"2026-10-01", "2026-11-03", spans{firstMonth: "2026-10", lastMonth: "2026-10", days: [][2]string{{"2026-11-01", "2026-11-03"}}}},
		{"2026-02-01", "2026-02-28", spans{firstMonth: "2026-02", lastMonth: "2026-02"}},
		{"2026-10-31", "2026-11-01", spans{days: [][2]string{{"2026-10-31", "2026-11-01"}}}},
	} {
		if got := split(tc.from, tc.to); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("split(%s, %s) = %+v, want %+v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestPreviousPeriod(t *testing.T) {
	for _, tc := range []struct{ from, to, wantFrom, wantTo string }{
		{"2026-11-01", "2026-11-30", "2026-10-01", "2026-10-31"},
		{"2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28"},
		{"2026-01-01", "2026-12-31", "2025-01-01", "2025-12-31"},
		{"2026-04-01", "2026-06-30", "2026-01-01", "2026-03-31"},
		{"2026-11-23", "2026-11-29", "2026-11-16", "2026-11-22"}, // a week
		{"2026-12-01", "2026-12-04", "2026-11-01", "2026-11-04"}, // this month so far
		{"2026-03-01", "2026-03-30", "2026-02-01", "2026-02-28"},
	} {
		p, err := ParsePeriod(tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		prev := p.Previous()
		if got := [2]string{prev.From.Format(time.DateOnly), prev.To.Format(time.DateOnly)}; got != [2]string{tc.wantFrom, tc.wantTo} {
			t.Errorf("before %s..%s: %v, want %s..%s", tc.from, tc.to, got, tc.wantFrom, tc.wantTo)
		}
	}
}

func TestParsePeriodRefusesNonsense(t *testing.T) {
	for _, tc := range [][2]string{{"", ""}, {"2026-11-30", "2026-11-01"}, {"2026-13-01", "2026-12-01"},
		{"2026-11-01", "2026-11-31"}, {"2000-01-01", "2026-01-01"}, {"2026-11-01T00:00:00Z", "2026-11-02"}, {"2026-11-01\x00", "2026-11-02"}} {
		if _, err := ParsePeriod(tc[0], tc[1]); err == nil {
			t.Errorf("ParsePeriod(%q, %q) accepted", tc[0], tc[1])
		}
	}
}
