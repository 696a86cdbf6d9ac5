package project

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Limits of a plan: enough for any zone project, small enough that a plan is computed in
// microseconds and a bad request cannot make the working-day walk run for long.
const (
	MaxMilestones   = 100
	MaxDurationDays = 366
	// maxWalk is how many calendar days the walk back looks for a working day before it gives up
	// (a calendar without working days, or a plan reaching decades back).
	maxWalk = 20 * 366
)

// Step is one milestone as the plan sees it: how many working days it takes and the indices of
// the milestones that must finish before it starts.
type Step struct {
	DurationDays int
	DependsOn    []int
}

// Slot is a milestone's place in the backward plan (倒排进度): the latest working day it may start
// and the latest it may finish, both inclusive, and whether it lies on the critical path.
type Slot struct {
	LatestStart  time.Time
	LatestFinish time.Time
	// Critical: the milestone lies on a longest chain of the dependency graph (by working days),
	// the chain that fixes the earliest day the project must start.
	Critical bool
	// SlackDays is how many working days shorter than the longest chain the longest chain
	// through this milestone is (0 on the critical path).
	SlackDays int
}

// Plan computes the backward plan of steps ending by deadline, on the working days isWorking
// reports (the district's work calendar). Days are local dates at midnight.
//
// Both ends are inclusive: a 3-day milestone finishing on day F starts two working days before F.
// A milestone without dependants finishes on the deadline, or on the last working day before it
// when the deadline is not a working day; a milestone with dependants finishes on the working day
// before its earliest dependant's latest start. It refuses (apperr.Invalid, with the index of the
// milestone at fault) bad durations, bad or self dependencies and cycles.
func Plan(steps []Step, deadline time.Time, isWorking func(time.Time) bool) ([]Slot, error) {
	order, err := check(steps)
	if err != nil {
		return nil, err
	}
	dependants := make([][]int, len(steps))
	for i, s := range steps {
		for _, d := range s.DependsOn {
			dependants[d] = append(dependants[d], i)
		}
	}
	last, ok := onOrBefore(deadline, isWorking)
	if !ok {
		return nil, apperr.New(apperr.Invalid, "project.no_working_day")
	}
	slots := make([]Slot, len(steps))
	// order lists dependants before what they depend on: walk it, so every dependant's latest
	// start is known when its dependency is planned.
	for _, i := range order {
		finish := last
		for _, d := range dependants[i] {
			before, ok := onOrBefore(slots[d].LatestStart.AddDate(0, 0, -1), isWorking)
			if !ok {
				return nil, apperr.New(apperr.Invalid, "project.no_working_day")
			}
			if before.Before(finish) {
				finish = before
			}
		}
		start, ok := back(finish, steps[i].DurationDays-1, isWorking)
		if !ok {
			return nil, apperr.New(apperr.Invalid, "project.no_working_day")
		}
		slots[i] = Slot{LatestStart: start, LatestFinish: finish}
	}
	critical(steps, dependants, order, slots)
	return slots, nil
}

// critical marks the milestones on a longest chain, by working days, through the dependency
// graph: head[i] is the longest chain ending with i, tail[i] the longest starting with it.
func critical(steps []Step, dependants [][]int, order []int, slots []Slot) {
	n := len(steps)
	head, tail := make([]int, n), make([]int, n)
	for _, i := range order { // dependants first
		tail[i] = steps[i].DurationDays
		for _, d := range dependants[i] {
			tail[i] = max(tail[i], steps[i].DurationDays+tail[d])
		}
	}
	longest := 0
	for k := n - 1; k >= 0; k-- { // dependencies first
		i := order[k]
		head[i] = steps[i].DurationDays
		for _, d := range steps[i].DependsOn {
			head[i] = max(head[i], steps[i].DurationDays+head[d])
		}
		longest = max(longest, head[i])
	}
	for i := range slots {
		through := head[i] + tail[i] - steps[i].DurationDays
		slots[i].SlackDays = longest - through
		slots[i].Critical = through == longest
	}
}

// check validates steps and returns them in an order where every milestone comes before the
// milestones it depends on (Kahn's algorithm on the dependants' side); a cycle is refused.
func check(steps []Step) ([]int, error) {
	if len(steps) == 0 {
		return nil, bad("milestones", "project.no_milestones")
	}
	if len(steps) > MaxMilestones {
		return nil, bad("milestones", "project.too_many_milestones", MaxMilestones)
	}
	pending := make([]int, len(steps)) // how many dependants of i are not placed yet
	for i, s := range steps {
		if s.DurationDays < 1 || s.DurationDays > MaxDurationDays {
			return nil, bad(field(i, "duration_days"), "project.bad_duration", i, MaxDurationDays)
		}
		seen := map[int]bool{}
		for _, d := range s.DependsOn {
			switch {
			case d < 0 || d >= len(steps):
				return nil, bad(field(i, "depends_on"), "project.bad_dependency", i, d)
			case d == i:
				return nil, bad(field(i, "depends_on"), "project.self_dependency", i)
			case seen[d]:
				return nil, bad(field(i, "depends_on"), "project.duplicate_dependency", i, d)
			}
			seen[d] = true
			pending[d]++
		}
	}
	var order, ready []int
	for i := range steps {
		if pending[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		order = append(order, i)
		for _, d := range steps[i].DependsOn {
			if pending[d]--; pending[d] == 0 {
				ready = append(ready, d)
			}
		}
	}
	if len(order) < len(steps) {
		for i := range steps {
			if pending[i] > 0 {
				return nil, bad("milestones", "project.cycle", i)
			}
		}
	}
	return order, nil
}

// onOrBefore is the last working day on or before day.
func onOrBefore(day time.Time, isWorking func(time.Time) bool) (time.Time, bool) {
	for range maxWalk {
		if isWorking(day) {
			return day, true
		}
		day = day.AddDate(0, 0, -1)
	}
	return day, false
}

// back is the working day n working days before the working day day.
func back(day time.Time, n int, isWorking func(time.Time) bool) (time.Time, bool) {
	for ; n > 0; n-- {
		var ok bool
		if day, ok = onOrBefore(day.AddDate(0, 0, -1), isWorking); !ok {
			return day, false
		}
	}
	return day, true
}
