package hours

import (
	"reflect"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// official is the work calendar with the official 2026 schedule: 国庆 10-01..10-07, make-up
// Saturday 10-10, make-up Sunday 01-04.
func official(t testing.TB) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(calendar.DemoYears()...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// at reads a Beijing time "2006-01-02 15:04".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// kinds is a calendar of its own: the listed local dates have the given kind.
type kinds map[string]calendar.DayKind

func (k kinds) KindOf(t time.Time) calendar.DayKind {
	return k[t.In(calendar.Zone).Format(time.DateOnly)]
}

func TestOpenAt(t *testing.T) {
	cal := official(t)
	cases := []struct {
		name  string
		hours Hours
		at    string
		want  bool
	}{
		// 2026-03-02 is an ordinary Monday.
		{"before the morning", office, "2026-03-02 08:29", false},
		{"the morning opens", office, "2026-03-02 08:30", true},
		{"a minute before lunch", office, "2026-03-02 11:59", true},
		{"lunch starts", office, "2026-03-02 12:00", false},
		{"a minute before the afternoon", office, "2026-03-02 14:29", false},
		{"the afternoon opens", office, "2026-03-02 14:30", true},
		{"a minute before closing", office, "2026-03-02 17:29", true},
		{"closing time", office, "2026-03-02 17:30", false},
		// 2026-03-07 is an ordinary Saturday.
		{"ordinary Saturday, office", office, "2026-03-07 10:00", false},
		{"ordinary Saturday, Saturday morning service", officeSaturday, "2026-03-07 10:00", true},
		{"ordinary Saturday noon", officeSaturday, "2026-03-07 12:00", false},
		{"ordinary Saturday, clinic", clinic, "2026-03-07 10:00", true},
		{"ordinary Sunday afternoon, clinic", clinic, "2026-03-08 15:00", false},
		// 国庆: 10-01 (Thursday) to 10-07.
		{"国庆 under workdays", office, "2026-10-01 10:00", false},
		{"国庆 under weekly_closed_holidays", clinic, "2026-10-01 10:00", false},
		{"国庆 under weekly", store, "2026-10-01 10:00", true},
		{"国庆 under always", locker, "2026-10-01 03:00", true},
		{"a Saturday inside 国庆, Saturday morning service", officeSaturday, "2026-10-03 10:00", false},
		{"a Sunday inside 国庆, clinic", clinic, "2026-10-04 10:00", false},
		{"the day after 国庆", office, "2026-10-08 08:30", true},
		// Make-up workdays: Saturday 10-10, Sunday 01-04.
		{"make-up Saturday morning, workdays", office, "2026-10-10 09:00", true},
		{"make-up Saturday lunch, workdays", office, "2026-10-10 13:00", false},
		{"make-up Saturday afternoon, workdays", office, "2026-10-10 15:00", true},
		{"make-up Saturday afternoon, Saturday service works a full day", officeSaturday, "2026-10-10 15:00", true},
		{"make-up Saturday 08:30, Saturday service takes Monday's periods", officeSaturday, "2026-10-10 08:30", true},
		{"make-up Sunday, workdays", office, "2026-01-04 09:00", true},
		{"make-up Saturday morning, clinic keeps Saturday's", clinic, "2026-10-10 09:00", true},
		{"make-up Saturday afternoon, clinic keeps Saturday's", clinic, "2026-10-10 15:00", false},
		// 24:00 and midnight.
		{"late desk a minute before midnight", lateDesk, "2026-03-06 23:59", true},
		{"late desk at midnight, Saturday", lateDesk, "2026-03-07 00:00", false},
		{"night shop before midnight", nightShop, "2026-03-02 23:59", true},
		{"night shop at midnight", nightShop, "2026-03-03 00:00", true},
		{"night shop at 02:00", nightShop, "2026-03-03 02:00", false},
		{"night shop in the evening", nightShop, "2026-03-03 21:59", false},
		{"always, at midnight", locker, "2026-03-03 00:00", true},
	}
	for _, tc := range cases {
		if got := tc.hours.OpenAt(cal, at(t, tc.at)); got != tc.want {
			t.Errorf("%s: OpenAt(%s) = %v, want %v", tc.name, tc.at, got, tc.want)
		}
	}
}

// Times are read in Beijing whatever the zone of the instant: 00:30 UTC is 08:30 in Beijing.
func TestOpenAtReadsBeijingTime(t *testing.T) {
	cal := official(t)
	if !office.OpenAt(cal, time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC)) {
		t.Error("00:30 UTC on a Monday is 08:30 in Beijing: open")
	}
	if office.OpenAt(cal, time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)) {
		t.Error("04:00 UTC on a Monday is 12:00 in Beijing: lunch")
	}
	// 16:30 UTC on 09-30 is 00:30 on 10-01 (国庆) in Beijing.
	if nightShop.OpenAt(cal, time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC)) != true ||
		clinic.OpenAt(cal, time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC)) != false {
		t.Error("the local day decides")
	}
}

func TestMakeUpWorkdayPeriods(t *testing.T) {
	// Wednesday afternoons closed; Monday closed all day.
	h := Hours{Rule: Workdays, Periods: []Period{{[]int{2, 3, 4, 5}, "09:00", "12:00"}, {[]int{2, 4, 5}, "14:00", "17:00"}}}
	cal := kinds{"2026-03-04": calendar.MakeUpWorkday, "2026-03-07": calendar.MakeUpWorkday, "2026-03-03": calendar.Holiday}
	cases := []struct {
		name, at string
		want     bool
	}{
		{"a make-up Wednesday keeps Wednesday's periods: morning", "2026-03-04 10:00", true},
		{"a make-up Wednesday keeps Wednesday's periods: no afternoon", "2026-03-04 15:00", false},
		{"a make-up Saturday, no Monday periods: Tuesday's afternoon", "2026-03-07 15:00", true},
		{"a holiday Tuesday", "2026-03-03 10:00", false},
		{"an ordinary Monday", "2026-03-02 10:00", false},
	}
	for _, tc := range cases {
		if got := h.OpenAt(cal, at(t, tc.at)); got != tc.want {
			t.Errorf("%s: OpenAt(%s) = %v, want %v", tc.name, tc.at, got, tc.want)
		}
	}
}

// A district's own calendar, built from a year of data as the calendar package takes it.
func TestOwnCalendar(t *testing.T) {
	cal, err := calendar.New(calendar.Year{Year: 2027,
		Holidays: []calendar.Day{{Date: "2027-01-01", Name: "元旦"}},
		Workdays: []calendar.Day{{Date: "2027-01-02", Name: "元旦调休上班"}}})
	if err != nil {
		t.Fatal(err)
	}
	if office.OpenAt(cal, at(t, "2027-01-01 10:00")) || !office.OpenAt(cal, at(t, "2027-01-02 10:00")) {
		t.Error("元旦 2027 (Friday) closed, the make-up Saturday after it open")
	}
	if office.OpenAt(nil, at(t, "2026-10-01 10:00")) != true {
		t.Error("without a calendar 2026-10-01 is an ordinary Thursday")
	}
}

func TestNextChange(t *testing.T) {
	cal := official(t)
	cases := []struct {
		name  string
		hours Hours
		cal   DayKinder
		from  string
		want  string // "" for none within the window
	}{
		{"closes for lunch", office, cal, "2026-03-02 11:00", "2026-03-02 12:00"},
		{"across the lunch break", office, cal, "2026-03-02 12:00", "2026-03-02 14:30"},
		{"during lunch", office, cal, "2026-03-02 13:15", "2026-03-02 14:30"},
		{"at opening: the next close", office, cal, "2026-03-02 08:30", "2026-03-02 12:00"},
		{"in the evening", office, cal, "2026-03-02 17:30", "2026-03-03 08:30"},
		{"over the weekend", office, cal, "2026-03-06 17:30", "2026-03-09 08:30"},
		{"over the weekend to Saturday service", officeSaturday, cal, "2026-03-06 17:30", "2026-03-07 09:00"},
		{"last afternoon before 国庆", office, cal, "2026-09-30 17:00", "2026-09-30 17:30"},
		{"across 国庆", office, cal, "2026-09-30 17:30", "2026-10-08 08:30"},
		{"across 国庆, clinic closed on its weekend too", clinic, cal, "2026-09-30 17:30", "2026-10-08 08:00"},
		{"during 国庆, weekly", store, cal, "2026-10-01 06:00", "2026-10-01 07:00"},
		{"into a make-up Saturday", office, cal, "2026-10-09 17:30", "2026-10-10 08:30"},
		{"no change at midnight", nightShop, cal, "2026-03-02 23:00", "2026-03-03 02:00"},
		{"closing at 24:00", lateDesk, cal, "2026-03-06 23:00", "2026-03-07 00:00"},
		{"always: no change", locker, cal, "2026-03-02 10:00", ""},
		{"closed for more than two weeks", office, allHolidays{}, "2026-03-02 10:00", ""},
	}
	for _, tc := range cases {
		got, ok := tc.hours.NextChange(tc.cal, at(t, tc.from))
		switch {
		case tc.want == "" && ok:
			t.Errorf("%s: NextChange(%s) = %s, want none", tc.name, tc.from, got)
		case tc.want != "" && (!ok || !got.Equal(at(t, tc.want))):
			t.Errorf("%s: NextChange(%s) = %s, %v; want %s", tc.name, tc.from, got, ok, tc.want)
		case ok && got.Location() != calendar.Zone:
			t.Errorf("%s: NextChange in %s, want Beijing time", tc.name, got.Location())
		}
	}
}

func TestNextChangeWithSeconds(t *testing.T) {
	from := at(t, "2026-03-02 11:59").Add(59*time.Second + 999*time.Millisecond)
	if got, ok := office.NextChange(official(t), from); !ok || !got.Equal(at(t, "2026-03-02 12:00")) {
		t.Errorf("NextChange(11:59:59.999) = %s, %v; want 12:00", got, ok)
	}
}

// The window is 14 days: a change exactly 14 days ahead counts, one a minute later does not.
func TestNextChangeWindow(t *testing.T) {
	cal := kinds{}
	for d := at(t, "2026-03-02 00:00"); d.Before(at(t, "2026-03-16 00:00")); d = d.AddDate(0, 0, 1) {
		cal[d.Format(time.DateOnly)] = calendar.Holiday
	}
	// Open again on Monday 03-16 at 08:30.
	if got, ok := office.NextChange(cal, at(t, "2026-03-02 08:30")); !ok || !got.Equal(at(t, "2026-03-16 08:30")) {
		t.Errorf("exactly 14 days ahead: %s, %v", got, ok)
	}
	if got, ok := office.NextChange(cal, at(t, "2026-03-02 08:29")); ok {
		t.Errorf("14 days and a minute ahead: %s, want none", got)
	}
}

type allHolidays struct{}

func (allHolidays) KindOf(time.Time) calendar.DayKind { return calendar.Holiday }

func TestToday(t *testing.T) {
	cal := official(t)
	unsorted := Hours{Rule: Weekly, Periods: []Period{{daily, "14:00", "18:00"}, {[]int{1}, "08:00", "12:00"}}}
	cases := []struct {
		name  string
		hours Hours
		at    time.Time
		want  []Period
	}{
		{"an ordinary Monday", office, at(t, "2026-03-02 20:00"),
			[]Period{{[]int{1}, "08:30", "12:00"}, {[]int{1}, "14:30", "17:30"}}},
		{"国庆", office, at(t, "2026-10-01 10:00"), nil},
		{"an ordinary Saturday", office, at(t, "2026-03-07 10:00"), nil},
		{"a make-up Saturday", officeSaturday, at(t, "2026-10-10 10:00"),
			[]Period{{[]int{6}, "08:30", "12:00"}, {[]int{6}, "14:30", "17:30"}}},
		{"always", locker, at(t, "2026-10-01 10:00"), []Period{{[]int{4}, "00:00", "24:00"}}},
		{"sorted by opening time", unsorted, at(t, "2026-03-02 10:00"),
			[]Period{{[]int{1}, "08:00", "12:00"}, {[]int{1}, "14:00", "18:00"}}},
		{"the Beijing day of a UTC instant", office, time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC),
			[]Period{{[]int{1}, "08:30", "12:00"}, {[]int{1}, "14:30", "17:30"}}},
	}
	for _, tc := range cases {
		if got := tc.hours.Today(cal, tc.at); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Today = %v, want %v", tc.name, got, tc.want)
		}
	}
}
