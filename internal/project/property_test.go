package project

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// TestPlanProperties checks the plan's rules on random acyclic plans (dependencies point to
// a random permutation's earlier milestones) and random deadlines of 2026 on the official calendar:
// every milestone spans exactly its working days, both ends on working days, finishes no later than
// the deadline, and finishes on the working day before its earliest dependant's latest start (the
// deadline's last working day when it has none); some milestone is critical, with zero slack.
func TestPlanProperties(t *testing.T) {
	cal := official(t)
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(rt, "n")
		perm := rapid.Permutation(makeRange(n)).Draw(rt, "order")
		steps := make([]Step, n)
		for k, i := range perm {
			steps[i].DurationDays = rapid.IntRange(1, 15).Draw(rt, "days")
			for _, j := range perm[:k] {
				if rapid.IntRange(0, 3).Draw(rt, "dep") == 0 {
					steps[i].DependsOn = append(steps[i].DependsOn, j)
				}
			}
		}
		deadline := time.Date(2026, 3, 1, 0, 0, 0, 0, calendar.Zone).AddDate(0, 0, rapid.IntRange(0, 300).Draw(rt, "deadline"))
		slots, err := Plan(steps, deadline, cal.IsWorkingDay)
		if err != nil {
			rt.Fatalf("plan: %v", err)
		}
		last, _ := onOrBefore(deadline, cal.IsWorkingDay)
		anyCritical := false
		for i, s := range slots {
			if days := workingDays(s.LatestStart, s.LatestFinish, cal.IsWorkingDay); days != steps[i].DurationDays {
				rt.Fatalf("milestone %d spans %d working days, wants %d", i, days, steps[i].DurationDays)
			}
			if !cal.IsWorkingDay(s.LatestStart) || !cal.IsWorkingDay(s.LatestFinish) || s.LatestFinish.After(deadline) {
				rt.Fatalf("milestone %d: %v–%v", i, s.LatestStart, s.LatestFinish)
			}
			want := last
			for d, other := range steps {
				for _, dep := range other.DependsOn {
					if dep == i {
						before, _ := onOrBefore(slots[d].LatestStart.AddDate(0, 0, -1), cal.IsWorkingDay)
						if before.Before(want) {
							want = before
						}
					}
				}
			}
			if !s.LatestFinish.Equal(want) {
				rt.Fatalf("milestone %d finishes %v, want %v", i, s.LatestFinish, want)
			}
			if s.Critical != (s.SlackDays == 0) || s.SlackDays < 0 {
				rt.Fatalf("milestone %d: critical %v, slack %d", i, s.Critical, s.SlackDays)
			}
			anyCritical = anyCritical || s.Critical
		}
		if !anyCritical {
			rt.Fatal("no critical milestone")
		}
	})
}

func makeRange(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// workingDays counts the working days from a to b, both inclusive.
func workingDays(a, b time.Time, isWorking func(time.Time) bool) int {
	n := 0
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		if isWorking(d) {
			n++
		}
	}
	return n
}
