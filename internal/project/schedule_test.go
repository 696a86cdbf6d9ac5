package project

import (
	"slices"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// official is the demo work calendar of 2026 (国务院办公厅 2025-11-04): 中秋 09-25..27, 国庆
// 10-01..07, make-up workdays 09-20 (Sunday) and 10-10 (Saturday).
func official(t testing.TB) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(calendar.DemoYears()...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, ok := ParseDate(s)
	if !ok {
		t.Fatalf("bad date %q", s)
	}
	return d
}

// want is one milestone's expected slot: latest start, latest finish, critical.
type want struct {
	start, finish string
	critical      bool
}

func TestPlan(t *testing.T) {
	cal := official(t)
	cases := []struct {
		name     string
		deadline string
		steps    []Step
		want     []want
	}{
		// The contract's example: a 3-day milestone ending on the deadline starts two working days before it.
		{"three days ending on the deadline", "2026-11-18", []Step{{DurationDays: 3}}, []want{{"2026-11-16", "2026-11-18", true}}},
		{"one day is the deadline itself", "2026-11-18", []Step{{DurationDays: 1}}, []want{{"2026-11-18", "2026-11-18", true}}},
		{"across a weekend", "2026-11-17", []Step{{DurationDays: 3}}, []want{{"2026-11-13", "2026-11-17", true}}},
		{"deadline on a Saturday", "2026-11-21", []Step{{DurationDays: 1}}, []want{{"2026-11-20", "2026-11-20", true}}},
		{"deadline on a Sunday", "2026-11-22", []Step{{DurationDays: 2}}, []want{{"2026-11-19", "2026-11-20", true}}},
		// 国庆 10-05 is a holiday: the last working day before it is 09-30 (中秋 09-25..27 is off too).
		{"deadline on a holiday", "2026-10-05", []Step{{DurationDays: 3}}, []want{{"2026-09-28", "2026-09-30", true}}},
		// 10-12, 10-10 (调休上班, a Saturday), 10-09, 10-08, then back over 国庆 to 09-30.
		{"across 国庆 with a make-up Saturday", "2026-10-12", []Step{{DurationDays: 5}}, []want{{"2026-09-30", "2026-10-12", true}}},
		{"deadline on a make-up Saturday", "2026-10-10", []Step{{DurationDays: 1}}, []want{{"2026-10-10", "2026-10-10", true}}},
		{"a make-up Sunday counts", "2026-09-21", []Step{{DurationDays: 2}}, []want{{"2026-09-20", "2026-09-21", true}}},
		{"across 中秋", "2026-09-28", []Step{{DurationDays: 2}}, []want{{"2026-09-24", "2026-09-28", true}}},
		{"across 元旦 into the old year", "2026-01-05", []Step{{DurationDays: 3}}, []want{{"2025-12-31", "2026-01-05", true}}},
		{"chain", "2026-11-20", []Step{{DurationDays: 2}, {DurationDays: 3, DependsOn: []int{0}}, {DurationDays: 1, DependsOn: []int{1}}},
			[]want{{"2026-11-13", "2026-11-16", true}, {"2026-11-17", "2026-11-19", true}, {"2026-11-20", "2026-11-20", true}}},
		// A chain over 国庆: the dependency finishes on the working day before its dependant's start.
		{"chain across 国庆", "2026-10-09", []Step{{DurationDays: 3}, {DurationDays: 2, DependsOn: []int{0}}},
			[]want{{"2026-09-28", "2026-09-30", true}, {"2026-10-08", "2026-10-09", true}}},
		// Fan-out then fan-in: 0 feeds 1 (5 days) and 2 (2 days), both feed 3. 0 finishes before
		// the earlier of its dependants' starts; 2 has three days of slack.
		{"fan-out and fan-in", "2026-11-20", []Step{{DurationDays: 1}, {DurationDays: 5, DependsOn: []int{0}},
			{DurationDays: 2, DependsOn: []int{0}}, {DurationDays: 1, DependsOn: []int{1, 2}}},
			[]want{{"2026-11-12", "2026-11-12", true}, {"2026-11-13", "2026-11-19", true}, {"2026-11-18", "2026-11-19", false},
				{"2026-11-20", "2026-11-20", true}}},
		{"fan-out to two ends", "2026-11-20", []Step{{DurationDays: 1}, {DurationDays: 2, DependsOn: []int{0}}, {DurationDays: 4, DependsOn: []int{0}}},
			[]want{{"2026-11-16", "2026-11-16", true}, {"2026-11-19", "2026-11-20", false}, {"2026-11-17", "2026-11-20", true}}},
		{"a dependency later in the list", "2026-11-20", []Step{{DurationDays: 1, DependsOn: []int{1}}, {DurationDays: 2}},
			[]want{{"2026-11-20", "2026-11-20", true}, {"2026-11-18", "2026-11-19", true}}},
		{"independent milestones: the longest is critical", "2026-11-20", []Step{{DurationDays: 2}, {DurationDays: 4}},
			[]want{{"2026-11-19", "2026-11-20", false}, {"2026-11-17", "2026-11-20", true}}},
		{"two equal chains are both critical", "2026-11-20", []Step{{DurationDays: 2}, {DurationDays: 1, DependsOn: []int{0}}, {DurationDays: 3}},
			[]want{{"2026-11-18", "2026-11-19", true}, {"2026-11-20", "2026-11-20", true}, {"2026-11-18", "2026-11-20", true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			slots, err := Plan(c.steps, day(t, c.deadline), cal.IsWorkingDay)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range c.want {
				got := want{slots[i].LatestStart.Format(DateLayout), slots[i].LatestFinish.Format(DateLayout), slots[i].Critical}
				if got != w {
					t.Errorf("milestone %d = %+v, want %+v", i, got, w)
				}
				if !cal.IsWorkingDay(slots[i].LatestStart) || !cal.IsWorkingDay(slots[i].LatestFinish) {
					t.Errorf("milestone %d: %+v not on working days", i, got)
				}
			}
		})
	}
}

func TestPlanSlack(t *testing.T) {
	steps := []Step{{DurationDays: 1}, {DurationDays: 5, DependsOn: []int{0}}, {DurationDays: 2, DependsOn: []int{0}}, {DurationDays: 1, DependsOn: []int{1, 2}}}
	slots, err := Plan(steps, day(t, "2026-11-20"), official(t).IsWorkingDay)
	if err != nil {
		t.Fatal(err)
	}
	var slack []int
	for _, s := range slots {
		slack = append(slack, s.SlackDays)
	}
	if !slices.Equal(slack, []int{0, 0, 3, 0}) {
		t.Errorf("slack = %v", slack)
	}
}

func TestPlanRefuses(t *testing.T) {
	cal := official(t)
	cases := []struct {
		name  string
		steps []Step
		key   string
	}{
		{"no milestones", nil, "project.no_milestones"},
		{"zero days", []Step{{DurationDays: 0}}, "project.bad_duration"},
		{"negative days", []Step{{DurationDays: -2}}, "project.bad_duration"},
		{"too many days", []Step{{DurationDays: MaxDurationDays + 1}}, "project.bad_duration"},
		{"index past the end", []Step{{DurationDays: 1, DependsOn: []int{1}}}, "project.bad_dependency"},
		{"negative index", []Step{{DurationDays: 1}, {DurationDays: 1, DependsOn: []int{-1}}}, "project.bad_dependency"},
		{"itself", []Step{{DurationDays: 1, DependsOn: []int{0}}}, "project.self_dependency"},
		{"twice", []Step{{DurationDays: 1}, {DurationDays: 1, DependsOn: []int{0, 0}}}, "project.duplicate_dependency"},
		{"two-cycle", []Step{{DurationDays: 1, DependsOn: []int{1}}, {DurationDays: 1, DependsOn: []int{0}}}, "project.cycle"},
		{"three-cycle behind a sound start", []Step{{DurationDays: 1}, {DurationDays: 1, DependsOn: []int{0, 3}}, {DurationDays: 1, DependsOn: []int{1}},
			{DurationDays: 1, DependsOn: []int{2}}}, "project.cycle"},
		{"too many milestones", make([]Step, MaxMilestones+1), "project.too_many_milestones"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Plan(c.steps, day(t, "2026-11-20"), cal.IsWorkingDay)
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Key != c.key {
				t.Fatalf("err = %v, want %s", err, c.key)
			}
		})
	}
	// A calendar without working days cannot be planned on, and the walk ends.
	if _, err := Plan([]Step{{DurationDays: 1}}, day(t, "2026-11-20"), func(time.Time) bool { return false }); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("no working day: %v", err)
	}
}

func TestStatus(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	m := Milestone{LatestStart: "2026-11-16", LatestFinish: "2026-11-18"}
	started, finished := m, m
	started.StartedAt = &now
	finished.StartedAt, finished.FinishedAt = &now, &now
	cases := []struct {
		m     Milestone
		today string
		want  string
	}{
		{m, "2026-11-13", Planned},
		{m, "2026-11-16", Planned}, // the latest start itself is still in time
		{m, "2026-11-17", AtRisk},
		{m, "2026-11-18", AtRisk},
		{m, "2026-11-19", Overdue},
		{started, "2026-11-17", InProgress},
		{started, "2026-11-18", InProgress},
		{started, "2026-11-19", Overdue},
		{finished, "2026-11-30", Done},
	}
	for _, c := range cases {
		if got := Status(c.m, c.today); got != c.want {
			t.Errorf("Status(started %v, finished %v, %s) = %s, want %s", c.m.StartedAt != nil, c.m.FinishedAt != nil, c.today, got, c.want)
		}
	}
}
