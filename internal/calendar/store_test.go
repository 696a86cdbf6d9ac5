package calendar

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// Principals for the store tests; access decides from the grants alone.
var (
	districtSysAdmin = &access.Principal{UserID: "u-sys", Username: "sysadmin",
		Grants: []access.Grant{{Role: access.SysAdmin, OrgCode: "350503", OrgPath: "/350503/"}}}
	subdistrictSysAdmin = &access.Principal{UserID: "u-subsys", Username: "donghai.sysadmin",
		Grants: []access.Grant{{Role: access.SysAdmin, OrgCode: "350503001", OrgPath: "/350503/350503001/"}}}
	resident = &access.Principal{UserID: "u-res", Username: "resident1",
		Grants: []access.Grant{{Role: access.Resident, OrgCode: "350503001", OrgPath: "/350503/350503001/"}}}
)

// clock is a settable clock (apptest has one, but apptest imports the app, which imports this
// package).
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func as(p *access.Principal) context.Context {
	return access.WithPrincipal(context.Background(), p)
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// edited2026 is the official year with one extra holiday and a summer timetable.
func edited2026() Year {
	y := DemoYears()[0]
	y.Holidays = append(y.Holidays, Day{Date: "2026-03-02", Name: "测试假日"})
	y.Summer = &Summer{From: "07-01", To: "08-31", Hours: []Period{{"08:00", "12:00"}, {"15:00", "18:00"}}}
	return y
}

func TestServiceUsesBuiltinYearsUntilOneIsStored(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := newClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		s := &Service{DB: d, Now: clock.Now}
		ctx := as(resident)
		cal, err := s.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cal.IsWorkingDay(at(t, "2026-10-01 10:00")) || !cal.IsWorkingDay(at(t, "2026-10-10 10:00")) {
			t.Error("the built-in 2026 schedule is not used")
		}
		y, err := s.Year(ctx, 2026)
		if err != nil || y.Origin != "builtin" || len(y.Holidays) != 33 {
			t.Fatalf("2026: %v %+v", err, y)
		}
		y, err = s.Year(ctx, 2027)
		if err != nil || y.Origin != "default" || len(y.Holidays) != 0 || !reflect.DeepEqual(y.Hours, DefaultHours) {
			t.Fatalf("2027: %v %+v", err, y)
		}
		if _, err := s.Year(ctx, 1999); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("year 1999: %v", err)
		}
		if _, err := s.Year(context.Background(), 2026); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("anonymous: %v", err)
		}

		// Store an edited 2026: read back equal, used at once, audited in the chain.
		want := Normalize(edited2026())
		if err := s.PutYear(as(districtSysAdmin), edited2026()); err != nil {
			t.Fatal(err)
		}
		got, err := s.Year(ctx, 2026)
		if err != nil || got.Origin != "stored" {
			t.Fatalf("stored 2026: %v %+v", err, got)
		}
		got.Origin = ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
		cal, _ = s.Calendar(ctx)
		if cal.IsWorkingDay(at(t, "2026-03-02 10:00")) {
			t.Error("the stored holiday is not used")
		}
		if d := cal.Deadline(at(t, "2026-07-01 08:00"), Limit{1, Hours}); local(d) != "2026-07-01 09:00" {
			t.Errorf("stored summer timetable not used: %s", local(d))
		}
		var action, objectID, orgCode, actor, after string
		if err := d.Read.QueryRow(`SELECT action, object_id, org_code, actor_name, after_summary FROM audit_log ORDER BY seq DESC LIMIT 1`).
			Scan(&action, &objectID, &orgCode, &actor, &after); err != nil {
			t.Fatal(err)
		}
		if action != "calendar.put" || objectID != "2026" || orgCode != "350503" || actor != "sysadmin" || len(after) < 100 {
			t.Errorf("audit record: %s %s %s %s %.80s", action, objectID, orgCode, actor, after)
		}
		if rep, err := audit.Verify(context.Background(), d); err != nil || rep.Break != nil || rep.Records != 1 {
			t.Errorf("audit chain: %+v %v", rep, err)
		}

		// Replacing drops what the new data no longer lists.
		if err := s.PutYear(as(districtSysAdmin), DemoYears()[0]); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT count(*) FROM calendar_days WHERE year = $1`, 2026); n != 39 {
			t.Errorf("%d days stored, want 33 + 6", n)
		}
		if n := count(t, d, `SELECT count(*) FROM calendar_periods WHERE year = $1`, 2026); n != 2 {
			t.Errorf("%d periods stored, want 2", n)
		}
		var before string
		d.Read.QueryRow(`SELECT before_summary FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&before)
		if len(before) < 100 {
			t.Errorf("second put has no before: %q", before)
		}
	})
}

func TestPutYearIsRefusedWholly(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := &Service{DB: d, Now: time.Now}
		bad := DemoYears()[0]
		bad.Holidays = append(bad.Holidays, Day{Date: "2026-02-30"}, Day{Date: "2027-01-01"}, Day{Date: "2026-02-14"})
		bad.Hours = []Period{{"08:30", "12:00"}, {"11:30", "17:30"}}
		err := s.PutYear(as(districtSysAdmin), bad)
		var ps Problems
		if apperr.CodeOf(err) != apperr.Invalid || !errors.As(err, &ps) || len(ps) != 4 {
			t.Fatalf("bad year: %v", err)
		}
		for _, tc := range []struct {
			who  *access.Principal
			code apperr.Code
			key  string
		}{
			{resident, apperr.Forbidden, "auth.forbidden"},
			{subdistrictSysAdmin, apperr.Forbidden, "calendar.district_only"},
			{nil, apperr.Unauthenticated, "auth.required"},
		} {
			ctx := context.Background()
			if tc.who != nil {
				ctx = as(tc.who)
			}
			err := s.PutYear(ctx, DemoYears()[0])
			if e, ok := apperr.As(err); !ok || e.Code != tc.code || e.Key != tc.key {
				t.Errorf("%v: %v", tc.who, err)
			}
		}
		if n := count(t, d, `SELECT count(*) FROM calendar_years`); n != 0 {
			t.Errorf("a refused put stored %d years", n)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log`); n != 0 {
			t.Errorf("a refused put wrote %d audit records", n)
		}
		// The operator at the machine may.
		if err := s.PutYear(access.WithPrincipal(context.Background(), access.SystemPrincipal("cli:calendar import")), DemoYears()[0]); err != nil {
			t.Errorf("system principal: %v", err)
		}
	})
}

// Another node sharing the database sees a change once it rechecks the version.
func TestServiceFollowsOtherNodes(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := newClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		writer := &Service{DB: d, Now: clock.Now}
		reader := &Service{DB: d, Now: clock.Now, RecheckEvery: time.Minute}
		ctx := context.Background()
		cal, err := reader.Calendar(ctx)
		if err != nil || !cal.IsWorkingDay(at(t, "2026-03-02 10:00")) {
			t.Fatal(err)
		}
		if err := writer.PutYear(as(districtSysAdmin), edited2026()); err != nil {
			t.Fatal(err)
		}
		if cal, _ := reader.Calendar(ctx); !cal.IsWorkingDay(at(t, "2026-03-02 10:00")) {
			t.Error("reloaded before the recheck interval")
		}
		clock.Advance(2 * time.Minute)
		if cal, _ := reader.Calendar(ctx); cal.IsWorkingDay(at(t, "2026-03-02 10:00")) {
			t.Error("another node's change not seen after the recheck interval")
		}
	})
}

// Readers and a writer at once (run with -race).
func TestServiceConcurrentUse(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	s := &Service{DB: d, Now: time.Now, RecheckEvery: time.Nanosecond}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				cal, err := s.Calendar(context.Background())
				if err != nil {
					errs <- err
					return
				}
				cal.Deadline(time.Now(), Limit{3, Days})
			}
		}()
	}
	for i := 0; i < 5; i++ {
		y := edited2026()
		if i%2 == 1 {
			y = DemoYears()[0]
		}
		if err := s.PutYear(as(districtSysAdmin), y); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestImportFileAndCheck(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := &Service{DB: d, Now: time.Now}
		sys := access.WithPrincipal(context.Background(), access.SystemPrincipal("cli:calendar import"))
		file := `{"year": 2027, "hours": [{"start": "09:00", "end": "12:00"}, {"start": "13:30", "end": "18:00"}],
			"holidays": [{"date": "2027-01-01", "name": "元旦"}], "workdays": []}`
		y, err := ImportFile(sys, s, strings.NewReader(file))
		if err != nil || y.Year != 2027 || len(y.Hours) != 2 {
			t.Fatalf("import: %v %+v", err, y)
		}
		deadline, granted, err := s.Check(as(resident), at(t, "2026-12-31 17:00"), Limit{2, Hours})
		if err != nil || local(deadline) != "2027-01-04 10:30" || granted != 2*time.Hour {
			t.Errorf("check across into the imported year: %s %v %v", local(deadline), granted, err)
		}
		if _, _, err := s.Check(as(resident), time.Now(), Limit{2, "weeks"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("bad unit: %v", err)
		}
		// A bad file: every problem, translated into Chinese, nothing stored.
		_, err = ImportFile(sys, s, strings.NewReader(`{"year": 2028, "holidays": [{"date": "2028-02-30"}, {"date": "2027-12-31"}],
			"workdays": [{"date": "2028-03-01"}]}`))
		e, ok := apperr.As(err)
		if !ok || e.Key != "calendar.invalid" || len(e.Details) != 3 || e.Details[0].Field != "holidays[0].date" ||
			e.Details[0].Message != "日期“2028-02-30”无效，应为 YYYY-MM-DD 格式的实际日期" {
			t.Fatalf("bad file: %#v", err)
		}
		if n := count(t, d, `SELECT count(*) FROM calendar_years WHERE year = 2028`); n != 0 {
			t.Error("a bad file was stored")
		}
	})
}
