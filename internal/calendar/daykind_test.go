package calendar

import (
	"testing"
	"time"
)

func TestKindOf(t *testing.T) {
	c := official(t)
	cases := []struct {
		name string
		at   time.Time
		want DayKind
	}{
		{"国庆 day one", at(t, "2026-10-01 10:00"), Holiday},
		{"a Saturday inside 国庆", at(t, "2026-10-03 10:00"), Holiday},
		{"last minute of 国庆", at(t, "2026-10-07 23:59"), Holiday},
		{"the day after 国庆", at(t, "2026-10-08 00:00"), Ordinary},
		{"make-up Saturday 10-10", at(t, "2026-10-10 09:00"), MakeUpWorkday},
		{"make-up Sunday 1-4", at(t, "2026-01-04 00:00"), MakeUpWorkday},
		{"ordinary Saturday", at(t, "2026-03-07 10:00"), Ordinary},
		{"ordinary Monday", at(t, "2026-03-09 10:00"), Ordinary},
		{"a year without data", at(t, "2025-10-01 10:00"), Ordinary},
		// The local day decides, not the UTC one: 16:30 UTC on 09-30 is 00:30 on 10-01 in Beijing.
		{"UTC evening before 国庆", time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC), Holiday},
		{"UTC afternoon of 10-07 is 10-08 in Beijing", time.Date(2026, 10, 7, 16, 0, 0, 0, time.UTC), Ordinary},
		{"UTC 15:59 on 10-07 is still 国庆", time.Date(2026, 10, 7, 15, 59, 0, 0, time.UTC), Holiday},
	}
	for _, tc := range cases {
		if got := c.KindOf(tc.at); got != tc.want {
			t.Errorf("%s: KindOf(%s) = %v, want %v", tc.name, tc.at, got, tc.want)
		}
	}
}

// KindOf and IsWorkingDay tell the same story on every day of a year with data.
func TestKindOfAgreesWithWorkingDays(t *testing.T) {
	c := official(t)
	counts := map[DayKind]int{}
	for d := at(t, "2026-01-01 12:00"); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		k := c.KindOf(d)
		counts[k]++
		wd := d.In(Zone).Weekday()
		want := k == MakeUpWorkday || (k == Ordinary && wd != time.Saturday && wd != time.Sunday)
		if got := c.IsWorkingDay(d); got != want {
			t.Errorf("%s (%v, %v): IsWorkingDay = %v", local(d), wd, k, got)
		}
	}
	if counts[Holiday] != 33 || counts[MakeUpWorkday] != 6 {
		t.Errorf("2026 has %d holidays and %d make-up workdays, want 33 and 6", counts[Holiday], counts[MakeUpWorkday])
	}
}

func TestParseClock(t *testing.T) {
	cases := map[string]time.Duration{"00:00": 0, "08:30": 8*time.Hour + 30*time.Minute, "24:00": 24 * time.Hour}
	for in, want := range cases {
		if got, ok := ParseClock(in); !ok || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "8:30", "24:01", "12:60", "25:00", "12-00", "0830", "１2:00"} {
		if got, ok := ParseClock(in); ok {
			t.Errorf("ParseClock(%q) = %v, accepted", in, got)
		}
	}
}

func TestDayKindString(t *testing.T) {
	for k, want := range map[DayKind]string{Ordinary: "ordinary", Holiday: "holiday", MakeUpWorkday: "make_up_workday"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestKindOfNilCalendar(t *testing.T) {
	var c *Calendar
	if got := c.KindOf(at(t, "2026-10-01 10:00")); got != Ordinary {
		t.Errorf("nil calendar: KindOf = %v, want ordinary", got)
	}
}
