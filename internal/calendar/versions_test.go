package calendar

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// withHoliday is the built-in 2026 with one more holiday.
func withHoliday(date string) Year {
	y := DemoYears()[0]
	y.Holidays = append(y.Holidays, Day{Date: date, Name: "临时休假"})
	return y
}

func states(t *testing.T, s *Service, year int) []string {
	t.Helper()
	vs, err := s.Versions(as(resident), year)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.State + " " + v.EffectiveFrom.In(Zone).Format("2006-01-02 15:04")
	}
	return out
}

func TestEditEffectiveTomorrowLeavesTodayAlone(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := newClock(at(t, "2026-06-01 10:00")) // a Monday
		s := &Service{DB: d, Now: clock.Now}
		other := &Service{DB: d, Now: clock.Now} // another node on the same database
		oneDay := Limit{1, Days}
		deadline := func(s *Service) string {
			t.Helper()
			cal, err := s.Calendar(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return local(cal.Deadline(at(t, "2026-06-01 10:00"), oneDay))
		}
		if got := deadline(other); got != "2026-06-02 10:00" {
			t.Fatalf("before any edit: %s", got)
		}
		// Tuesday becomes a holiday, from Tuesday 00:00.
		if err := s.PutYearFrom(as(districtSysAdmin), withHoliday("2026-06-02"), at(t, "2026-06-02 00:00")); err != nil {
			t.Fatal(err)
		}
		if got := deadline(s); got != "2026-06-02 10:00" {
			t.Errorf("an edit effective tomorrow changed today's deadline: %s", got)
		}
		if got := states(t, s, 2026); len(got) != 1 || got[0] != "pending 2026-06-02 00:00" {
			t.Errorf("versions today: %v", got)
		}
		if y, err := s.Year(as(resident), 2026); err != nil || y.Origin != "builtin" || len(y.Holidays) != len(DemoYears()[0].Holidays) {
			t.Errorf("the year shown today: %s with %d holidays (%v)", y.Origin, len(y.Holidays), err)
		}

		clock.Advance(14*time.Hour + 31*time.Minute) // Tuesday 00:31
		if got := deadline(s); got != "2026-06-03 10:00" {
			t.Errorf("past effective_from, the new calendar does not apply: %s", got)
		}
		if got := deadline(other); got != "2026-06-03 10:00" {
			t.Errorf("another node does not follow: %s", got)
		}
		if cal, _ := s.CalendarAt(context.Background(), at(t, "2026-06-01 12:00")); local(cal.Deadline(at(t, "2026-06-01 10:00"), oneDay)) != "2026-06-02 10:00" {
			t.Error("the calendar in force on Monday is not kept")
		}
		if got := states(t, s, 2026); len(got) != 1 || got[0] != "current 2026-06-02 00:00" {
			t.Errorf("versions on Tuesday: %v", got)
		}
		if y, err := s.Year(as(resident), 2026); err != nil || y.Origin != "stored" || len(y.Holidays) != len(DemoYears()[0].Holidays)+1 {
			t.Errorf("the year shown on Tuesday: %s with %d holidays (%v)", y.Origin, len(y.Holidays), err)
		}
	})
}

func TestVersionsKeepTheYearStoredBefore(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := newClock(at(t, "2026-06-01 10:00"))
		s := &Service{DB: d, Now: clock.Now}
		// A year stored before versions were kept: Monday 2026-06-08 is a holiday.
		legacy := withHoliday("2026-06-08")
		if err := d.Tx(context.Background(), func(tx *sql.Tx) error {
			return s.writeYear(context.Background(), tx, Normalize(legacy), clock.Now(), "old")
		}); err != nil {
			t.Fatal(err)
		}
		// From next week, that holiday is gone and Tuesday 06-09 is one instead.
		if err := s.PutYearFrom(as(districtSysAdmin), withHoliday("2026-06-09"), at(t, "2026-06-08 00:00")); err != nil {
			t.Fatal(err)
		}
		cal, err := s.Calendar(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cal.IsWorkingDay(at(t, "2026-06-08 10:00")) || !cal.IsWorkingDay(at(t, "2026-06-09 10:00")) {
			t.Error("today, the year stored before the edit must apply")
		}
		later, _ := s.CalendarAt(context.Background(), at(t, "2026-06-08 00:00"))
		if !later.IsWorkingDay(at(t, "2026-06-08 10:00")) || later.IsWorkingDay(at(t, "2026-06-09 10:00")) {
			t.Error("from effective_from, the new version must apply")
		}
		if got := states(t, s, 2026); len(got) != 2 || got[0] != "current 1970-01-01 08:00" || got[1] != "pending 2026-06-08 00:00" {
			t.Errorf("versions: %v", got)
		}
	})
}

func TestEffectiveFromInThePastIsRefused(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := newClock(at(t, "2026-06-01 10:00"))
		s := &Service{DB: d, Now: clock.Now}
		err := s.PutYearFrom(as(districtSysAdmin), withHoliday("2026-06-02"), at(t, "2026-06-01 09:00"))
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("an hour ago: %v", err)
		}
		if n := count(t, d, `SELECT count(*) FROM calendar_versions`); n != 0 {
			t.Errorf("%d versions stored", n)
		}
		// A minute ago (a form filled in just now) means now.
		if err := s.PutYearFrom(as(districtSysAdmin), withHoliday("2026-06-02"), at(t, "2026-06-01 09:59")); err != nil {
			t.Fatal(err)
		}
		if got := states(t, s, 2026); len(got) != 1 || got[0] != "current 2026-06-01 10:00" {
			t.Errorf("versions: %v", got)
		}
		// Two versions from the same instant: the one saved last wins.
		clock.Advance(time.Second)
		if err := s.PutYearFrom(as(districtSysAdmin), withHoliday("2026-06-03"), at(t, "2026-06-05 00:00")); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		if err := s.PutYearFrom(as(districtSysAdmin), withHoliday("2026-06-04"), at(t, "2026-06-05 00:00")); err != nil {
			t.Fatal(err)
		}
		cal, _ := s.CalendarAt(context.Background(), at(t, "2026-06-05 00:00"))
		if !cal.IsWorkingDay(at(t, "2026-06-03 10:00")) || cal.IsWorkingDay(at(t, "2026-06-04 10:00")) {
			t.Error("of two versions from one instant, the later saved must win")
		}
	})
}
