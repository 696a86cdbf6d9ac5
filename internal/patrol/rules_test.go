package patrol

import (
	"math"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
)

func TestParseWeek(t *testing.T) {
	now := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		week, from string
		ok         bool
	}{
		{"2026-W49", "2026-11-30", true},
		{"2026-W01", "2025-12-29", true}, // week 1 holds 4 January: it starts in the year before
		{"2026-W53", "2026-12-28", true}, // 2026 has 53 ISO weeks
		{"2025-W53", "", false},          // 2025 has 52
		{"2026-W00", "", false},
		{"2026-49", "", false},
		{"", "2026-11-30", true}, // the current week
	} {
		from, to, err := ParseWeek(tc.week, now)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.week, err)
			continue
		}
		if !tc.ok {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("%q: %v is not a 400", tc.week, err)
			}
			continue
		}
		if got := from.Format(time.DateOnly); got != tc.from || to.Sub(from) != 7*24*time.Hour || from.Weekday() != time.Monday {
			t.Errorf("%q: from %s to %s, want from %s", tc.week, from, to, tc.from)
		}
		if from.Hour() != 0 || from.Location().String() != "CST" {
			t.Errorf("%q: the week starts at midnight district time, not %s", tc.week, from)
		}
	}
}

func TestCoverageStatus(t *testing.T) {
	for _, tc := range []struct {
		planned, done int
		want          string
	}{{3, 0, "none"}, {3, 1, "partial"}, {3, 3, "done"}, {3, 4, "done"}, {0, 0, "none"}, {0, 1, "done"}, {1, 1, "done"}} {
		if got := CoverageStatus(tc.planned, tc.done); got != tc.want {
			t.Errorf("planned %d done %d: %s, want %s", tc.planned, tc.done, got, tc.want)
		}
	}
}

func TestDistanceFlagsChecksAwayFromThePoint(t *testing.T) {
	lat, lng := 24.925, 118.575
	// 0.0027° of latitude is about 300 m; 0.001° about 111 m.
	if d := Distance(lat, lng, lat+0.0027, lng); math.Abs(d-300) > 5 || d <= FlagDistance {
		t.Errorf("300 m north: %.1f m", d)
	}
	if d := Distance(lat, lng, lat+0.001, lng); d > FlagDistance {
		t.Errorf("111 m north: %.1f m is flagged", d)
	}
	if d := Distance(lat, lng, lat, lng); d != 0 {
		t.Errorf("same point: %.1f", d)
	}
}

func TestWalkTable(t *testing.T) {
	if err := walk.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from   Status
		action Action
		role   access.Role
		want   Status
		code   apperr.Code
	}{
		{Running, Check, access.Volunteer, Running, ""},
		{Running, Find, access.GridWorker, Running, ""},
		{Running, EndWalk, access.Volunteer, Ended, ""},
		{Ended, Report, access.Volunteer, Ended, ""}, // a finding may be reported after the walk
		{Ended, Check, access.GridWorker, Ended, apperr.Conflict},
		{Ended, EndWalk, access.GridWorker, Ended, apperr.Conflict},
		{Running, Check, access.CommunityStaff, Running, apperr.Forbidden},
	} {
		got, err := walk.Next(tc.from, tc.action, tc.role, nil)
		if tc.code != "" {
			if apperr.CodeOf(err) != tc.code {
				t.Errorf("%s %s as %s: %v, want %s", tc.from, tc.action, tc.role, err, tc.code)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %s as %s: %s %v, want %s", tc.from, tc.action, tc.role, got, err, tc.want)
		}
	}
}

func TestDefaultChecklists(t *testing.T) {
	for _, kind := range []string{"basic", "dedicated"} {
		if len(DefaultChecklist(kind)) < 5 {
			t.Errorf("%s: %v", kind, DefaultChecklist(kind))
		}
	}
	if got := DefaultChecklist("unknown"); len(got) != len(defaultChecklists["basic"]) {
		t.Errorf("unknown kind: %v", got)
	}
	// A caller's copy cannot change the defaults.
	DefaultChecklist("basic")[0] = "x"
	if defaultChecklists["basic"][0] == "x" {
		t.Error("DefaultChecklist shares its data")
	}
}
