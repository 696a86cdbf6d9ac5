package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

// at reads a local (Beijing) time "2006-01-02 15:04".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, Zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func local(v time.Time) string {
	if v.IsZero() {
		return "zero"
	}
	return v.In(Zone).Format("2006-01-02 15:04")
}

func official(t testing.TB) *Calendar {
	t.Helper()
	c, err := New(DemoYears()...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dayLength is the working time of a day with the default periods (08:30–12:00, 14:30–17:30).
const dayLength = 6*time.Hour + 30*time.Minute

func TestDeadlineHours(t *testing.T) {
	c := official(t)
	cases := []struct {
		name, start string
		hours       int
		want        string
	}{
		{"inside the morning", "2026-03-02 09:00", 1, "2026-03-02 10:00"},
		{"ends exactly at the lunch break: that instant", "2026-03-02 11:00", 1, "2026-03-02 12:00"},
		{"from the first minute", "2026-03-02 08:30", 3, "2026-03-02 11:30"},
		{"crosses the lunch break", "2026-03-02 11:00", 2, "2026-03-02 15:30"},
		{"starts during lunch", "2026-03-02 13:00", 1, "2026-03-02 15:30"},
		{"starts exactly at a period end", "2026-03-02 12:00", 1, "2026-03-02 15:30"},
		{"starts exactly at a period start", "2026-03-02 14:30", 3, "2026-03-02 17:30"},
		{"ends exactly at the end of the day", "2026-03-02 16:30", 1, "2026-03-02 17:30"},
		{"starts at the end of the day", "2026-03-02 17:30", 1, "2026-03-03 09:30"},
		{"starts before work", "2026-03-02 07:00", 1, "2026-03-02 09:30"},
		{"starts one minute before work", "2026-03-02 08:29", 1, "2026-03-02 09:30"},
		{"a full day and a half hour", "2026-03-02 08:30", 7, "2026-03-03 09:00"},
		{"Friday evening into Monday", "2026-03-06 17:00", 4, "2026-03-09 12:00"},
		{"ordinary Saturday is a rest day", "2026-03-07 10:00", 1, "2026-03-09 09:30"},
		{"Sunday night", "2026-03-08 23:59", 1, "2026-03-09 09:30"},
		{"100 hours: 15 days and 2.5 hours", "2026-03-02 08:30", 100, "2026-03-23 11:00"},
		// 元旦 2026: 1-1..1-3 off, Sunday 1-4 a make-up workday; 2025 has no data.
		{"eve of 元旦 from a year without data", "2025-12-31 23:00", 1, "2026-01-04 09:30"},
		{"make-up Sunday 1-4", "2026-01-03 12:00", 2, "2026-01-04 10:30"},
		// 春节 2026: 2-15..2-23 off, Saturdays 2-14 and 2-28 make-up workdays.
		{"into make-up Saturday 2-14", "2026-02-13 16:00", 4, "2026-02-14 11:00"},
		{"make-up Saturday 2-14 evening, over 春节", "2026-02-14 17:00", 1, "2026-02-24 09:00"},
		{"during 春节", "2026-02-18 10:00", 1, "2026-02-24 09:30"},
		{"into make-up Saturday 2-28", "2026-02-27 17:00", 1, "2026-02-28 09:00"},
		{"over 清明", "2026-04-03 17:00", 1, "2026-04-07 09:00"},
		{"over 劳动节", "2026-04-30 17:00", 2, "2026-05-06 10:00"},
		{"into make-up Saturday 5-9", "2026-05-08 17:30", 1, "2026-05-09 09:30"},
		{"over 端午", "2026-06-18 17:00", 1, "2026-06-22 09:00"},
		{"over 中秋", "2026-09-24 17:00", 1, "2026-09-28 09:00"},
		{"into make-up Sunday 9-20", "2026-09-19 10:00", 1, "2026-09-20 09:30"},
		{"23:59 on the eve of 国庆", "2026-09-30 23:59", 1, "2026-10-08 09:30"},
		{"last hour before 国庆", "2026-09-30 17:00", 1, "2026-10-08 09:00"},
		{"into make-up Saturday 10-10", "2026-10-09 17:00", 1, "2026-10-10 09:00"},
		// 2027 has no data: 1-1-2027 (a Friday) is an ordinary working day.
		{"year end into a year without data", "2026-12-31 17:00", 1, "2027-01-01 09:00"},
		{"year end, two days on", "2026-12-31 17:00", 8, "2027-01-04 09:30"},
	}
	for _, tc := range cases {
		got := c.Deadline(at(t, tc.start), Limit{tc.hours, Hours})
		if local(got) != tc.want {
			t.Errorf("%s: %s + %d h = %s, want %s", tc.name, tc.start, tc.hours, local(got), tc.want)
		}
		if got.Location() != time.UTC {
			t.Errorf("%s: deadline not in UTC", tc.name)
		}
		if w := c.WorkingTime(at(t, tc.start), got); w != time.Duration(tc.hours)*time.Hour {
			t.Errorf("%s: working time to the deadline %v", tc.name, w)
		}
	}
}

func TestDeadlineDays(t *testing.T) {
	c := official(t)
	cases := []struct {
		name, start string
		days        int
		want        string
	}{
		{"Friday to Monday, same clock", "2026-03-06 10:00", 1, "2026-03-09 10:00"},
		{"last working day before 国庆", "2026-09-30 11:00", 1, "2026-10-08 11:00"},
		{"ordinary Saturday: clock starts Monday 08:30", "2026-03-07 09:00", 1, "2026-03-10 08:30"},
		{"start at the first minute", "2026-03-02 08:30", 1, "2026-03-03 08:30"},
		{"start one minute before lunch", "2026-03-02 11:59", 1, "2026-03-03 11:59"},
		{"start exactly at lunch: afternoon start", "2026-03-02 12:00", 1, "2026-03-03 14:30"},
		{"start during lunch", "2026-03-02 12:30", 1, "2026-03-03 14:30"},
		{"start in the afternoon", "2026-03-02 16:00", 2, "2026-03-04 16:00"},
		{"start at the end of the day", "2026-03-02 17:30", 1, "2026-03-04 08:30"},
		{"start at night", "2026-03-02 22:00", 1, "2026-03-04 08:30"},
		{"23:59 on the eve of 国庆", "2026-09-30 23:59", 1, "2026-10-09 08:30"},
		{"23:59 on the eve of 国庆, 3 days incl. make-up 10-10", "2026-09-30 23:59", 3, "2026-10-12 08:30"},
		{"10 days over 中秋 and 国庆", "2026-09-21 09:00", 10, "2026-10-12 09:00"},
		{"春节: into make-up 2-14", "2026-02-13 10:00", 1, "2026-02-14 10:00"},
		{"春节: over the 9 days", "2026-02-13 10:00", 2, "2026-02-24 10:00"},
		{"春节: up to 2-27", "2026-02-13 10:00", 5, "2026-02-27 10:00"},
		{"春节: make-up 2-28", "2026-02-13 10:00", 6, "2026-02-28 10:00"},
		{"春节: then Monday", "2026-02-13 10:00", 7, "2026-03-02 10:00"},
		{"during 春节", "2026-02-18 10:00", 1, "2026-02-25 08:30"},
		{"on make-up Sunday 1-4", "2026-01-04 09:00", 1, "2026-01-05 09:00"},
		{"劳动节 and make-up 5-9", "2026-04-30 15:00", 2, "2026-05-07 15:00"},
		{"劳动节 and make-up 5-9, 4 days", "2026-04-30 15:00", 4, "2026-05-09 15:00"},
		{"year end into a year without data", "2026-12-31 10:00", 1, "2027-01-01 10:00"},
		{"year end, over the weekend", "2026-12-31 10:00", 2, "2027-01-04 10:00"},
		{"20 working days", "2026-03-02 10:00", 20, "2026-03-30 10:00"},
	}
	for _, tc := range cases {
		start := at(t, tc.start)
		got := c.Deadline(start, Limit{tc.days, Days})
		if local(got) != tc.want {
			t.Errorf("%s: %s + %d d = %s, want %s", tc.name, tc.start, tc.days, local(got), tc.want)
		}
		if w := c.WorkingTime(start, got); w != time.Duration(tc.days)*dayLength {
			t.Errorf("%s: working time to the deadline %v, want %d × %v", tc.name, w, tc.days, dayLength)
		}
	}
}

func TestNoLimit(t *testing.T) {
	c := official(t)
	start := at(t, "2026-03-02 10:00")
	for _, l := range []Limit{{0, Hours}, {0, Days}, {-3, Days}} {
		if d := c.Deadline(start, l); !d.IsZero() {
			t.Errorf("%v: deadline %s", l, local(d))
		}
		if u := c.Used(start, l, start.Add(1000*time.Hour)); u != 0 {
			t.Errorf("%v: used %v", l, u)
		}
		if c.Overdue(start, l, start.Add(1000*time.Hour)) {
			t.Errorf("%v: overdue", l)
		}
	}
}

func TestWorkingTime(t *testing.T) {
	c := official(t)
	cases := []struct{ from, to string }{
		{"2026-03-02 08:30", "2026-03-02 17:30"}, // a day
		{"2026-03-06 17:00", "2026-03-09 09:00"}, // over a weekend
		{"2026-09-30 08:30", "2026-10-08 08:30"}, // over 国庆
		{"2026-03-02 12:00", "2026-03-02 14:30"}, // lunch
		{"2026-03-02 14:30", "2026-03-02 12:00"}, // reversed
		{"2026-02-14 08:30", "2026-02-24 08:30"}, // make-up day then 春节
		{"2026-03-02 11:00", "2026-03-02 15:00"}, // across lunch
	}
	want := []time.Duration{dayLength, time.Hour, dayLength, 0, 0, dayLength, 90 * time.Minute}
	for i, tc := range cases {
		if got := c.WorkingTime(at(t, tc.from), at(t, tc.to)); got != want[i] {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, want[i])
		}
	}
	// The whole of 2026: 261 weekdays − 19 weekday holidays + 6 make-up days = 248 working days.
	from, to := at(t, "2026-01-01 00:00"), at(t, "2027-01-01 00:00")
	days := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			days++
		}
	}
	if days != 248 {
		t.Errorf("2026 has %d working days, want 248", days)
	}
	if got := c.WorkingTime(from, to); got != 248*dayLength {
		t.Errorf("2026 working time %v, want %v", got, 248*dayLength)
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := official(t)
	cases := map[string]bool{
		"2026-01-01 10:00": false, "2026-01-04 10:00": true, "2026-02-14 10:00": true, "2026-02-15 10:00": false,
		"2026-02-23 10:00": false, "2026-02-24 10:00": true, "2026-02-28 10:00": true, "2026-03-07 10:00": false,
		"2026-04-06 10:00": false, "2026-05-05 10:00": false, "2026-05-09 10:00": true, "2026-06-19 10:00": false,
		"2026-09-20 10:00": true, "2026-09-25 10:00": false, "2026-10-07 10:00": false, "2026-10-10 10:00": true,
		"2027-01-01 10:00": true, "2027-01-02 10:00": false, "2025-12-31 10:00": true,
		// The local day decides, not the UTC one: 00:30 Beijing time is 16:30 UTC the day before.
		"2026-10-08 00:30": true, "2026-10-01 00:30": false,
	}
	for s, want := range cases {
		if got := c.IsWorkingDay(at(t, s)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", s, got, want)
		}
	}
	times := map[string]bool{"2026-03-02 08:29": false, "2026-03-02 08:30": true, "2026-03-02 11:59": true,
		"2026-03-02 12:00": false, "2026-03-02 14:30": true, "2026-03-02 17:30": false, "2026-10-01 10:00": false}
	for s, want := range times {
		if got := c.IsWorkingTime(at(t, s)); got != want {
			t.Errorf("IsWorkingTime(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestSummerTimetable(t *testing.T) {
	summer := Year{Year: 2030, Hours: DefaultHours,
		Summer: &Summer{From: "06-01", To: "09-30", Hours: []Period{{"08:00", "12:00"}, {"15:00", "18:00"}}}}
	c, err := New(summer)
	if err != nil {
		t.Fatal(err)
	}
	hours := []struct {
		start string
		hours int
		want  string
	}{
		{"2030-05-31 17:00", 1, "2030-06-03 08:30"}, // Friday before, into summer Monday
		{"2030-06-03 11:00", 2, "2030-06-03 16:00"}, // summer lunch 12:00–15:00
		{"2030-06-03 17:00", 7, "2030-06-04 17:00"}, // a summer day is 7 h
		{"2030-09-30 17:00", 1, "2030-09-30 18:00"}, // ends exactly at the summer day's end
		{"2030-09-30 17:30", 1, "2030-10-01 09:00"}, // the last summer day, into the default hours
		{"2030-09-30 08:00", 4, "2030-09-30 12:00"}, // ends at the summer lunch break
	}
	for _, tc := range hours {
		if got := c.Deadline(at(t, tc.start), Limit{tc.hours, Hours}); local(got) != tc.want {
			t.Errorf("summer %s + %d h = %s, want %s", tc.start, tc.hours, local(got), tc.want)
		}
	}
	days := []struct {
		start string
		days  int
		want  string
	}{
		// 1.5 h into a default day → 1.5 h into a summer day.
		{"2030-05-31 10:00", 1, "2030-06-03 09:30"},
		// 5.5 h into a default day (16:30) → 5.5 h into a summer day.
		{"2030-05-31 16:30", 1, "2030-06-03 16:30"},
		// 4 h into a summer day (15:00, after its lunch) → 4 h into a default day.
		{"2030-09-30 15:00", 1, "2030-10-01 15:00"},
	}
	for _, tc := range days {
		if got := c.Deadline(at(t, tc.start), Limit{tc.days, Days}); local(got) != tc.want {
			t.Errorf("summer %s + %d d = %s, want %s", tc.start, tc.days, local(got), tc.want)
		}
	}
	// A shorter target day ends the deadline at its end.
	short := Year{Year: 2031, Summer: &Summer{From: "06-01", To: "06-30", Hours: []Period{{"08:00", "12:00"}}}}
	c, err = New(short)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Deadline(at(t, "2031-05-30 17:00"), Limit{1, Days}); local(got) != "2031-06-02 12:00" {
		t.Errorf("shorter day: %s", local(got))
	}
	if got := c.Deadline(at(t, "2031-05-30 17:00"), Limit{1, Hours}); local(got) != "2031-06-02 08:30" {
		t.Errorf("shorter day, hours: %s", local(got))
	}
}

func TestYearsWithoutDataCarryTheTimetable(t *testing.T) {
	custom := Year{Year: 2030, Hours: []Period{{"09:00", "17:00"}},
		Summer: &Summer{From: "07-01", To: "08-31", Hours: []Period{{"07:00", "11:00"}}}}
	c, err := New(custom)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ start, want string }{
		{"2031-01-02 08:00", "2031-01-02 10:00"}, // a later year: the closest earlier year's hours
		{"2029-01-02 08:00", "2029-01-02 10:00"}, // an earlier year: the closest later year's hours
		{"2032-07-01 06:00", "2032-07-01 08:00"}, // and its summer timetable
	}
	for _, tc := range cases {
		if got := c.Deadline(at(t, tc.start), Limit{1, Hours}); local(got) != tc.want {
			t.Errorf("%s + 1 h = %s, want %s", tc.start, local(got), tc.want)
		}
	}
	y := c.Year(2031)
	if y.Origin != "default" || len(y.Hours) != 1 || y.Hours[0].Start != "09:00" || y.Summer == nil || len(y.Holidays) != 0 {
		t.Errorf("Year(2031) = %+v", y)
	}
	// With no data at all, the defaults.
	empty, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if got := empty.Deadline(at(t, "2026-10-01 08:00"), Limit{4, Hours}); local(got) != "2026-10-01 15:00" {
		t.Errorf("no data: %s", local(got))
	}
}

func TestLightOf(t *testing.T) {
	cases := []struct {
		used float64
		want Light
	}{
		{0, Green}, {0.5, Green}, {0.7999999, Green}, {0.8, Yellow}, {0.95, Yellow}, {1, Yellow},
		{1.0000001, Red}, {3, Red},
	}
	for _, tc := range cases {
		if got := LightOf(tc.used); got != tc.want {
			t.Errorf("LightOf(%v) = %s, want %s", tc.used, got, tc.want)
		}
	}
	// Through Used: a 10-hour limit started Monday 08:30.
	c := official(t)
	start := at(t, "2026-03-02 08:30")
	l := Limit{10, Hours}
	steps := []struct {
		now  string
		want Light
		used float64
	}{
		{"2026-03-02 08:30", Green, 0},
		{"2026-03-03 09:30", Green, 0.75},
		{"2026-03-03 10:00", Yellow, 0.8},    // 8 of 10 hours
		{"2026-03-03 12:00", Yellow, 1},      // the deadline, at the lunch break
		{"2026-03-03 14:00", Yellow, 1},      // lunch: no working time passed, still on time
		{"2026-03-03 14:36", Red, 1.01},      // 6 minutes of working time late
		{"2026-03-01 10:00", Green, 0},       // before the start
		{"2026-03-05 08:30", Red, 1.95},      // 19.5 h used
		{"2026-03-03 11:59", Yellow, 0.9983}, // one minute left
	}
	for _, s := range steps {
		now := at(t, s.now)
		u := c.Used(start, l, now)
		if got := LightOf(u); got != s.want || u < s.used-0.0001 || u > s.used+0.0001 {
			t.Errorf("at %s: used %.4f (%s), want %.4f (%s)", s.now, u, got, s.used, s.want)
		}
		if c.Overdue(start, l, now) != (s.want == Red) {
			t.Errorf("at %s: Overdue disagrees with the light", s.now)
		}
	}
}

func TestHugeLimitsTerminate(t *testing.T) {
	c := official(t)
	start := at(t, "2026-03-02 10:00")
	if a, b := c.Deadline(start, Limit{1 << 40, Days}), c.Deadline(start, Limit{MaxDays, Days}); !a.Equal(b) {
		t.Errorf("huge day limit not clamped: %s vs %s", local(a), local(b))
	}
	if a, b := c.Deadline(start, Limit{1 << 40, Hours}), c.Deadline(start, Limit{MaxHours, Hours}); !a.Equal(b) {
		t.Errorf("huge hour limit not clamped: %s vs %s", local(a), local(b))
	}
	if d := c.Deadline(start, Limit{MaxDays, Days}); d.Year() < 2029 || d.Year() > 2031 {
		t.Errorf("1000 working days: %s", local(d))
	}
	for _, l := range []Limit{{MaxDays + 1, Days}, {MaxHours + 1, Hours}, {-1, Hours}, {1, "weeks"}, {1, ""}} {
		if l.Validate() == nil {
			t.Errorf("%v validated", l)
		}
	}
	for _, l := range []Limit{{0, Days}, {MaxDays, Days}, {MaxHours, Hours}} {
		if err := l.Validate(); err != nil {
			t.Errorf("%v: %v", l, err)
		}
	}
}

// A calendar with no working time at all for 101 years: the search gives up at its horizon.
func TestDeadlineTerminatesWithoutWorkingTime(t *testing.T) {
	var years []Year
	for y := MinYear; y <= MaxYear; y++ {
		year := Year{Year: y}
		for d := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == y; d = d.AddDate(0, 0, 1) {
			year.Holidays = append(year.Holidays, Day{Date: d.Format(time.DateOnly)})
		}
		years = append(years, year)
	}
	c, err := New(years...)
	if err != nil {
		t.Fatal(err)
	}
	start := at(t, "2000-01-01 10:00")
	for _, l := range []Limit{{1, Hours}, {1, Days}, {MaxDays, Days}} {
		d := c.Deadline(start, l)
		if d.Year() < 2039 || d.Year() > 2041 {
			t.Errorf("%v: %s", l, local(d))
		}
	}
	if c.IsWorkingDay(at(t, "2050-06-01 10:00")) {
		t.Error("a holiday is a working day")
	}
}

// randomStart returns a start on a minute between 2025-12-01 and 2027-02-01, often outside
// working time.
func randomStart(r *rand.Rand) time.Time {
	base := time.Date(2025, 12, 1, 0, 0, 0, 0, Zone)
	return base.Add(time.Duration(r.IntN(62*24*60*7)) * time.Minute).UTC()
}

// Property: for many random starts and limits, the deadline grants exactly the limit in working
// time, is the earliest such instant for hours, lies inside working time for days, and Used
// and Overdue agree with it.
func TestDeadlineProperties(t *testing.T) {
	c := official(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		start := randomStart(r)
		var l Limit
		var want time.Duration
		if i%2 == 0 {
			l = Limit{1 + r.IntN(200), Hours}
			want = time.Duration(l.Value) * time.Hour
		} else {
			l = Limit{1 + r.IntN(60), Days}
			want = time.Duration(l.Value) * dayLength // every day of 2025–2027 has the default hours
		}
		d := c.Deadline(start, l)
		if got := c.WorkingTime(start, d); got != want {
			t.Fatalf("%s + %v: deadline %s grants %v, want %v", local(start), l, local(d), got, want)
		}
		if got := c.WorkingTime(start, d.Add(-time.Nanosecond)); l.Unit == Hours && got >= want {
			t.Fatalf("%s + %v: deadline %s is not the first instant with the limit used", local(start), l, local(d))
		}
		if l.Unit == Days && !c.IsWorkingTime(d) {
			t.Fatalf("%s + %v: day deadline %s outside working time", local(start), l, local(d))
		}
		if u := c.Used(start, l, d); u != 1 {
			t.Fatalf("%s + %v: Used at the deadline = %v", local(start), l, u)
		}
		if c.Overdue(start, l, d) {
			t.Fatalf("%s + %v: overdue at the deadline", local(start), l)
		}
		if c.IsWorkingTime(d) && !c.Overdue(start, l, d.Add(time.Nanosecond)) {
			t.Fatalf("%s + %v: not overdue just after the deadline %s", local(start), l, local(d))
		}
		if u := c.Used(start, l, start); u != 0 {
			t.Fatalf("Used at the start = %v", u)
		}
		// Hours add up: a + b hours = b hours after the deadline of a hours.
		if l.Unit == Hours && l.Value > 1 {
			a := 1 + r.IntN(l.Value-1)
			mid := c.Deadline(start, Limit{a, Hours})
			if two := c.Deadline(mid, Limit{l.Value - a, Hours}); !two.Equal(d) {
				t.Fatalf("%s: %d h then %d h = %s, %d h at once = %s", local(start), a, l.Value-a, local(two), l.Value, local(d))
			}
		}
		// Working time is additive over any split point.
		now := randomStart(r)
		lo, hi := start, now
		if hi.Before(lo) {
			lo, hi = hi, lo
		}
		mid := lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo)) + 1)))
		if c.WorkingTime(lo, mid)+c.WorkingTime(mid, hi) != c.WorkingTime(lo, hi) {
			t.Fatalf("WorkingTime not additive over %s, %s, %s", local(lo), local(mid), local(hi))
		}
		// Used grows with time.
		if c.Used(start, l, lo) > c.Used(start, l, hi) {
			t.Fatalf("Used decreases between %s and %s", local(lo), local(hi))
		}
	}
}

// Against a minute-by-minute reference that only asks IsWorkingTime.
func TestDeadlineHoursAgainstReference(t *testing.T) {
	c := official(t)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 150; i++ {
		start := randomStart(r)
		hours := 1 + r.IntN(20)
		need := hours * 60
		tm := start
		for need > 0 {
			if c.IsWorkingTime(tm) {
				need--
			}
			tm = tm.Add(time.Minute)
		}
		if got := c.Deadline(start, Limit{hours, Hours}); !got.Equal(tm) {
			t.Fatalf("%s + %d h = %s, reference %s", local(start), hours, local(got), local(tm))
		}
	}
}

func TestNewValidates(t *testing.T) {
	cases := []struct {
		name string
		year Year
		keys []string
	}{
		{"year out of range", Year{Year: 1999}, []string{"calendar.bad_year"}},
		{"bad and foreign dates", Year{Year: 2026, Holidays: []Day{{Date: "2026-13-01"}, {Date: "2026-1-2"},
			{Date: "2025-12-31"}, {Date: "2026-02-30"}}}, []string{"calendar.bad_date", "calendar.bad_date",
			"calendar.date_outside_year", "calendar.bad_date"}},
		{"holiday and workday", Year{Year: 2026, Holidays: []Day{{Date: "2026-02-14"}}, Workdays: []Day{{Date: "2026-02-14"}}},
			[]string{"calendar.holiday_and_workday"}},
		{"duplicate holiday", Year{Year: 2026, Holidays: []Day{{Date: "2026-10-01"}, {Date: "2026-10-01"}}},
			[]string{"calendar.duplicate_date"}},
		{"make-up workday on a weekday", Year{Year: 2026, Workdays: []Day{{Date: "2026-03-02"}}},
			[]string{"calendar.workday_not_weekend"}},
		{"bad times", Year{Year: 2026, Hours: []Period{{"8:30", "12:00"}, {"14:30", "24:01"}, {"24:00", "24:00"}}},
			[]string{"calendar.bad_time", "calendar.bad_time", "calendar.bad_time"}},
		{"empty period", Year{Year: 2026, Hours: []Period{{"12:00", "12:00"}}}, []string{"calendar.empty_period"}},
		{"overlap", Year{Year: 2026, Hours: []Period{{"08:30", "12:00"}, {"11:00", "17:00"}}}, []string{"calendar.periods_overlap"}},
		{"out of order", Year{Year: 2026, Hours: []Period{{"14:30", "17:30"}, {"08:30", "12:00"}}}, []string{"calendar.periods_overlap"}},
		{"summer", Year{Year: 2026, Summer: &Summer{From: "02-29", To: "06-31"}},
			[]string{"calendar.bad_month_day", "calendar.bad_month_day", "calendar.no_periods"}},
		{"summer order", Year{Year: 2026, Summer: &Summer{From: "09-01", To: "06-01", Hours: DefaultHours}},
			[]string{"calendar.summer_order"}},
		{"long name", Year{Year: 2026, Holidays: []Day{{Date: "2026-10-01", Name: string(make([]rune, 65))}}},
			[]string{"calendar.name_too_long"}},
	}
	for _, tc := range cases {
		_, err := New(tc.year)
		ps := Validate(tc.year)
		if err == nil || len(ps) != len(tc.keys) {
			t.Errorf("%s: %v (%d problems, want %d)", tc.name, err, len(ps), len(tc.keys))
			continue
		}
		for i, p := range ps {
			if p.Key != tc.keys[i] {
				t.Errorf("%s: problem %d is %s (%s), want %s", tc.name, i, p.Key, p.Field, tc.keys[i])
			}
		}
	}
	// Touching periods, 24:00 and a leap day are fine; two copies of one year are not.
	good := Year{Year: 2028, Hours: []Period{{"00:00", "12:00"}, {"12:00", "24:00"}},
		Summer: &Summer{From: "02-29", To: "02-29", Hours: DefaultHours}}
	if _, err := New(good); err != nil {
		t.Errorf("good year refused: %v", err)
	}
	if _, err := New(good, good); err == nil {
		t.Error("duplicate year accepted")
	}
}

func TestBuiltin2026(t *testing.T) {
	years := DemoYears()
	if len(years) != 1 || years[0].Year != 2026 || len(years[0].Holidays) != 33 || len(years[0].Workdays) != 6 {
		t.Fatalf("builtin years: %+v", years)
	}
	names := map[string]string{}
	for _, d := range years[0].Holidays {
		names[d.Date] = d.Name
	}
	for date, name := range map[string]string{"2026-01-01": "元旦", "2026-02-15": "春节", "2026-02-23": "春节",
		"2026-04-06": "清明节", "2026-05-05": "劳动节", "2026-06-19": "端午节", "2026-09-27": "中秋节", "2026-10-07": "国庆节"} {
		if names[date] != name {
			t.Errorf("%s: %q, want %q", date, names[date], name)
		}
	}
	// DemoYears returns copies.
	years[0].Holidays[0].Name = "changed"
	if DemoYears()[0].Holidays[0].Name == "changed" {
		t.Error("DemoYears shares its slices")
	}
}

func FuzzDeadline(f *testing.F) {
	c, err := New(DemoYears()...)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(int64(1790000000), 3, false)
	f.Add(int64(1790000000), 30, true)
	f.Add(int64(-1), 1, true)
	f.Fuzz(func(t *testing.T, unix int64, value int, days bool) {
		// Instants from 1950 to 2150; any value.
		start := time.Unix(-631152000+((unix%6311520000)+6311520000)%6311520000, 0)
		l := Limit{value, Hours}
		if days {
			l.Unit = Days
		}
		d := c.Deadline(start, l)
		if value <= 0 {
			if !d.IsZero() {
				t.Fatalf("no limit gave %s", d)
			}
			return
		}
		if d.Before(start) {
			t.Fatalf("%s + %v = %s, before the start", start, l, d)
		}
		if l.Unit == Hours && value <= MaxHours && c.WorkingTime(start, d) != time.Duration(value)*time.Hour {
			t.Fatalf("%s + %v: working time %v", start, l, c.WorkingTime(start, d))
		}
	})
}

// go test -run '^$' -bench . ./internal/calendar/
func BenchmarkDeadline(b *testing.B) {
	c := official(b)
	start := at(b, "2026-09-21 09:00")
	for _, l := range []Limit{{4, Hours}, {15, Days}, {MaxDays, Days}} {
		b.Run(l.String(), func(b *testing.B) {
			for b.Loop() {
				c.Deadline(start, l)
			}
		})
	}
}

// Used over a month, as a case list computes it for every open case.
func BenchmarkUsed(b *testing.B) {
	c := official(b)
	start, now := at(b, "2026-09-21 09:00"), at(b, "2026-10-21 09:00")
	for b.Loop() {
		c.Used(start, Limit{15, Days}, now)
	}
}
