package whistle

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// workCalendar is the real work calendar (the official 2026 schedule shipped with yiwang), as the
// app's adapter gives it to the service.
type workCalendar struct{ *calendar.Calendar }

func (c workCalendar) AddWorkingDays(start time.Time, n int) time.Time {
	return c.Deadline(start, calendar.Limit{Value: n, Unit: calendar.Days})
}

func realCalendar(t *testing.T) workCalendar {
	t.Helper()
	cal, err := calendar.New(calendar.DemoYears()...)
	if err != nil {
		t.Fatal(err)
	}
	return workCalendar{cal}
}

// cst is a time in the district (UTC+8).
func cst(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, Zone)
}

func intp(v int) *int { return &v }

// The check-in deadline per kind on the work calendar (working periods 08:30–12:00, 14:30–17:30):
// emergencies count wall-clock minutes, weekends included; hard cases working minutes; daily
// whistles a working day; the whistler's own minutes keep the kind's way of counting.
func TestDueOnTheWorkCalendar(t *testing.T) {
	cal := realCalendar(t)
	for _, c := range []struct {
		name    string
		kind    Kind
		minutes *int
		start   time.Time
		want    time.Time
	}{
		{"emergency: 30 minutes by the clock on a Saturday", Emergency, nil, cst(2026, 3, 7, 10, 0), cst(2026, 3, 7, 10, 30)},
		{"emergency at night", Emergency, nil, cst(2026, 3, 9, 23, 50), cst(2026, 3, 10, 0, 20)},
		{"emergency with its own 10 minutes", Emergency, intp(10), cst(2026, 3, 7, 10, 0), cst(2026, 3, 7, 10, 10)},
		{"hard: 2 working hours across the lunch break", Hard, nil, cst(2026, 3, 9, 11, 0), cst(2026, 3, 9, 15, 30)},
		{"hard: used up exactly at noon is due at noon", Hard, nil, cst(2026, 3, 9, 10, 0), cst(2026, 3, 9, 12, 0)},
		{"hard: Friday evening runs on Monday", Hard, nil, cst(2026, 3, 6, 17, 0), cst(2026, 3, 9, 10, 0)},
		{"hard: blown on a Sunday starts Monday morning", Hard, nil, cst(2026, 3, 8, 9, 0), cst(2026, 3, 9, 10, 30)},
		{"daily: one working day over the weekend", Daily, nil, cst(2026, 3, 6, 16, 0), cst(2026, 3, 9, 16, 0)},
		{"daily: over the National Day holidays", Daily, nil, cst(2026, 9, 30, 10, 0), cst(2026, 10, 8, 10, 0)},
		{"daily with its own 45 working minutes", Daily, intp(45), cst(2026, 3, 6, 17, 0), cst(2026, 3, 9, 8, 45)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Due(cal, c.start, Shipped.LimitFor(c.kind, c.minutes))
			if !got.Equal(c.want) {
				t.Errorf("due %s, want %s", got.In(Zone), c.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("due is not UTC: %s", got.Location())
			}
		})
	}
}

// The defaults are data: one row per kind, each counted its own way.
func TestDefaultsCoverEveryKind(t *testing.T) {
	for _, k := range Kinds {
		l, ok := Shipped.Limits[k]
		if !ok || l.Value <= 0 {
			t.Errorf("%s has no default limit", k)
		}
	}
	if d := Shipped.Limits[Emergency]; d != (Limit{30, WallMinutes}) {
		t.Errorf("emergency: %+v, want 30 wall-clock minutes (平谷: arrive within 30 minutes)", d)
	}
}

// The distance is measured on the sphere and rounded to whole metres; beyond 500 m a check-in is
// flagged (accepted, never silently), at 500 m or nearer it is not.
func TestJudgeFlagsFarCheckIns(t *testing.T) {
	place := orb.Point{118.5742, 24.9250}
	due := cst(2026, 3, 9, 10, 0)
	for _, c := range []struct {
		metres  float64
		flagged bool
	}{{0, false}, {120, false}, {499, false}, {500, false}, {501, true}, {2500, true}} {
		p := geo.PointAtBearingAndDistance(place, 37, c.metres)
		r := Judge(p.Lat(), p.Lon(), place.Lat(), place.Lon(), due, due, Shipped.FlagDistanceM)
		if r.DistanceM != int(c.metres) || r.Flagged != c.flagged {
			t.Errorf("%v m away: %+v, want distance %v flagged %v", c.metres, r, c.metres, c.flagged)
		}
	}
}

// Late means after the deadline: at the deadline itself is on time.
func TestJudgeLateness(t *testing.T) {
	due := cst(2026, 3, 9, 10, 0)
	for _, c := range []struct {
		at   time.Time
		late bool
	}{{due.Add(-time.Minute), false}, {due, false}, {due.Add(time.Second), true}} {
		if r := Judge(24.925, 118.574, 24.925, 118.574, c.at, due, Shipped.FlagDistanceM); r.Late != c.late || r.DistanceM != 0 {
			t.Errorf("at %s: %+v, want late %v", c.at, r, c.late)
		}
	}
	s := Summons{DueAt: due}
	if LateNow(s, due) || !LateNow(s, due.Add(time.Second)) {
		t.Error("an awaited check-in is late once its deadline has passed, not before")
	}
	at := due.Add(time.Hour)
	s.CheckedInAt, s.Late = &at, false
	if LateNow(s, at.Add(time.Hour)) {
		t.Error("a check-in judged on time stays on time")
	}
}

// A position from the phone is refused when missing, not a number or out of range, each field
// named.
func TestCheckPosition(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		lat, lng *float64
		fields   []string
	}{
		{f(24.9), f(118.5), nil},
		{f(-90), f(180), nil},
		{nil, f(118.5), []string{"lat"}},
		{nil, nil, []string{"lat", "lng"}},
		{f(math.NaN()), f(118.5), []string{"lat"}},
		{f(24.9), f(math.Inf(1)), []string{"lng"}},
		{f(90.0001), f(-180.5), []string{"lat", "lng"}},
	} {
		err := CheckPosition(c.lat, c.lng)
		if c.fields == nil {
			if err != nil {
				t.Errorf("%v,%v refused: %v", c.lat, c.lng, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Invalid || len(e.Details) != len(c.fields) {
			t.Errorf("%v: %v, want invalid on %v", c.fields, err, c.fields)
			continue
		}
		for i, d := range e.Details {
			if d.Field != c.fields[i] {
				t.Errorf("detail %d names %s, want %s", i, d.Field, c.fields[i])
			}
		}
	}
}

// The blow input names every problem, field by field.
func TestBlowInputCheck(t *testing.T) {
	ok := BlowInput{CaseID: "c1", Kind: Daily, DepartmentCodes: []string{"350503D01"}, Ask: "请到场处置占道经营"}
	if err := ok.check(); err != nil {
		t.Fatalf("a good whistle refused: %v", err)
	}
	many := make([]string, MaxUnits+1)
	for i := range many {
		many[i] = string(rune('A' + i))
	}
	for _, c := range []struct {
		name  string
		edit  func(*BlowInput)
		field string
	}{
		{"no case", func(in *BlowInput) { in.CaseID = " " }, "case_id"},
		{"unknown kind", func(in *BlowInput) { in.Kind = "urgent" }, "kind"},
		{"no units", func(in *BlowInput) { in.DepartmentCodes = nil }, "department_codes"},
		{"too many units", func(in *BlowInput) { in.DepartmentCodes = many }, "department_codes"},
		{"a unit twice", func(in *BlowInput) { in.DepartmentCodes = []string{"350503D01", "350503D01"} }, "department_codes"},
		{"no ask", func(in *BlowInput) { in.Ask = "x" }, "ask"},
		{"ask of a unit not summoned", func(in *BlowInput) { in.Asks = map[string]string{"350503D09": "请到场"} }, "asks"},
		{"zero minutes", func(in *BlowInput) { in.CheckInMinutes = intp(0) }, "check_in_minutes"},
		{"more than a week", func(in *BlowInput) { in.CheckInMinutes = intp(MaxCheckInMinutes + 1) }, "check_in_minutes"},
	} {
		in := ok
		c.edit(&in)
		e, isApp := apperr.As(in.check())
		if !isApp || e.Code != apperr.Invalid || len(e.Details) != 1 || e.Details[0].Field != c.field {
			t.Errorf("%s: %v, want one problem on %s", c.name, e, c.field)
		}
	}
}

func TestFlowTablesAreValid(t *testing.T) {
	if err := whistleFlow.Validate(); err != nil {
		t.Error(err)
	}
	if err := summonsFlow.Validate(); err != nil {
		t.Error(err)
	}
}

// The answers follow their order: a check-in needs no acknowledgement first, a task is reported
// done only after the check-in and with a note; the whistler's actions are for the whistlers.
func TestFlows(t *testing.T) {
	for _, c := range []struct {
		from   Answer
		action Action
		note   string
		want   Answer
		code   apperr.Code
	}{
		{Summoned, Ack, "", Acknowledged, ""},
		{Acknowledged, Ack, "", "", apperr.Conflict},
		{Summoned, CheckIn, "", CheckedIn, ""},
		{Acknowledged, CheckIn, "", CheckedIn, ""},
		{CheckedIn, CheckIn, "", "", apperr.Conflict},
		{Acknowledged, Done, "已清理", "", apperr.Conflict},
		{CheckedIn, Done, "", "", apperr.Invalid},
		{CheckedIn, Done, "已清理完毕", TaskDone, ""},
	} {
		got, err := summonsFlow.Next(c.from, c.action, "department_staff", map[string]string{"note": c.note})
		if apperr.CodeOf(err) != c.code && !(c.code == "" && err == nil) || (err == nil && got != c.want) {
			t.Errorf("%s from %s: %s %v, want %s %s", c.action, c.from, got, err, c.want, c.code)
		}
	}
	if _, err := summonsFlow.Next(Summoned, CheckIn, "grid_worker", nil); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a grid worker checks in for a department: %v", err)
	}
	if _, err := whistleFlow.Next(Open, Close, "department_staff", nil); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a department closes the whistle: %v", err)
	}
	if _, err := whistleFlow.Next(Open, Rate, "grid_worker", nil); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("rating before the close: %v", err)
	}
	if _, err := whistleFlow.Next(Open, Cancel, "grid_worker", map[string]string{"note": ""}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("cancel without a reason: %v", err)
	}
	if _, err := whistleFlow.Next(Closed, Message, "department_staff", map[string]string{"note": "还在吗"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("a message to a closed whistle: %v", err)
	}
}

// The figures per unit, as of now: a deadline not yet passed does not count against a unit; a
// missing check-in past its deadline does; the median of the minutes to the check-in; the mean
// of the stars.
func TestCompute(t *testing.T) {
	blown := cst(2026, 3, 9, 9, 0)
	due := blown.Add(30 * time.Minute)
	now := blown.Add(2 * time.Hour)
	at := func(min int) *time.Time { v := blown.Add(time.Duration(min) * time.Minute); return &v }
	facts := []Fact{
		{Code: "D02", Name: "住建", BlownAt: blown, DueAt: due, CheckedInAt: at(10), Stars: intp(5)},
		{Code: "D01", Name: "城管", BlownAt: blown, DueAt: due, CheckedInAt: at(20), Stars: intp(4)},
		{Code: "D01", BlownAt: blown, DueAt: due, CheckedInAt: at(40), Late: true, Stars: intp(2)},
		{Code: "D01", BlownAt: blown, DueAt: due, Escalated: true},                     // never came
		{Code: "D01", BlownAt: blown, DueAt: now.Add(time.Hour)},                       // not yet due
		{Code: "D01", BlownAt: blown, DueAt: due, CheckedInAt: at(26), Stars: intp(3)}, // on time
		{Code: "D03", BlownAt: blown, DueAt: now.Add(time.Minute)},                     // not yet due
	}
	rows := Compute(facts, now)
	if len(rows) != 3 || rows[0].Code != "D01" || rows[1].Code != "D02" || rows[2].Code != "D03" {
		t.Fatalf("rows: %+v", rows)
	}
	d1 := rows[0]
	if d1.Name != "城管" || d1.WhistlesReceived != 5 || d1.ShouldCheckIn != 4 || d1.CheckedInOnTime != 2 || d1.Late != 2 || d1.Escalated != 1 {
		t.Errorf("D01 counts: %+v", d1)
	}
	if d1.OnTimeCheckInRate == nil || *d1.OnTimeCheckInRate != 50 {
		t.Errorf("D01 on_time_check_in_rate: %v, want 50", d1.OnTimeCheckInRate)
	}
	if d1.MedianCheckInMinutes == nil || *d1.MedianCheckInMinutes != 26 {
		t.Errorf("D01 median: %v, want 26 (of 20, 26, 40)", d1.MedianCheckInMinutes)
	}
	if d1.Rating == nil || *d1.Rating != 3 || d1.Ratings != 3 {
		t.Errorf("D01 rating: %v of %d, want 3 of 3", d1.Rating, d1.Ratings)
	}
	if d2 := rows[1]; *d2.OnTimeCheckInRate != 100 || *d2.MedianCheckInMinutes != 10 || *d2.Rating != 5 {
		t.Errorf("D02: %+v", d2)
	}
	if d3 := rows[2]; d3.WhistlesReceived != 1 || d3.ShouldCheckIn != 0 || d3.OnTimeCheckInRate != nil ||
		d3.MedianCheckInMinutes != nil || d3.Rating != nil {
		t.Errorf("D03, nothing due yet: %+v", d3)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of an even count: %v", m)
	}
}

func TestPaths(t *testing.T) {
	p := "/350503/350503001/350503001001/350503001001001/"
	if got := subdistrictPath(p); got != "/350503/350503001/" {
		t.Errorf("subdistrict of %s: %s", p, got)
	}
	if got := districtPath("/350503/350503001/"); got != "/350503/" {
		t.Errorf("district: %s", got)
	}
}

// FuzzCheckIn: a position comes from a phone and may be anything; it is refused as the caller's
// mistake or judged to a distance in whole metres no larger than half the earth's circumference,
// never a panic (等保 2.0 8.1.4.4 软件容错).
func FuzzCheckIn(f *testing.F) {
	f.Add(24.925, 118.5742)
	f.Add(-90.0, 180.0)
	f.Add(math.NaN(), 0.0)
	f.Add(math.Inf(-1), 1e308)
	f.Fuzz(func(t *testing.T, lat, lng float64) {
		if err := CheckPosition(&lat, &lng); err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("%v,%v: %v, want invalid", lat, lng, err)
			}
			return
		}
		due := cst(2026, 3, 9, 10, 0)
		r := Judge(lat, lng, 24.925, 118.5742, due, due, Shipped.FlagDistanceM)
		if r.DistanceM < 0 || r.DistanceM > 20100000 || r.Flagged != (r.DistanceM > Shipped.FlagDistanceM) || r.Late {
			t.Fatalf("%v,%v: %+v", lat, lng, r)
		}
	})
}
