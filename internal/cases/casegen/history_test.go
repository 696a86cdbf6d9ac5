package casegen

import (
	"math/rand"
	"reflect"
	"testing"
	"time"
)

// now is a Wednesday afternoon, Beijing time.
var now = time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)

func history(w *World, seed int64, n, days int) []Case {
	rng := rand.New(rand.NewSource(seed))
	span := time.Duration(days) * 24 * time.Hour
	out := make([]Case, n)
	for i := range out {
		out[i] = w.Case(rng, ReportTime(rng, now, span, i, n), now)
	}
	return out
}

// The same seed draws the same history; another seed another one.
func TestCaseIsDeterministic(t *testing.T) {
	a := history(SyntheticWorld(7, 3, 4, 5, 6), 7, 300, 60)
	b := history(SyntheticWorld(7, 3, 4, 5, 6), 7, 300, 60)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave two histories")
	}
	c := history(SyntheticWorld(8, 3, 4, 5, 6), 8, 300, 60)
	if reflect.DeepEqual(a, c) {
		t.Fatal("another seed gave the same history")
	}
}

// Every step that moved a case on ends the clock of the status it left, with that clock's
// deadline (none for closing); steps come in time order, after the report and before now; every
// staff step names its actor, role and org.
func TestStepsCarryStageAndDue(t *testing.T) {
	w := SyntheticWorld(1, 4, 4, 4, 8)
	for _, c := range history(w, 1, 3000, 120) {
		prev := c.Steps[0]
		if prev.Action != "report" || !prev.At.Equal(c.ReportedAt) {
			t.Fatalf("first step %+v, reported %s", prev, c.ReportedAt)
		}
		for _, s := range c.Steps[1:] {
			if s.At.Before(prev.At) || s.At.After(now) {
				t.Fatalf("%s at %s after %s (now %s)", s.Action, s.At, prev.At, now)
			}
			moved := s.Status != prev.Status
			if want := stageOf[prev.Status]; moved && s.Stage != want {
				t.Fatalf("%s from %s ended stage %q, want %q", s.Action, prev.Status, s.Stage, want)
			}
			if moved && (s.Due == nil) != (s.Stage == "close") {
				t.Fatalf("%s ended %s with due %v", s.Action, s.Stage, s.Due)
			}
			if !moved && s.Stage != "" {
				t.Fatalf("%s left the status and ended stage %s", s.Action, s.Stage)
			}
			if s.Actor.Role != "resident" && (s.Actor.ID == "" || s.Actor.Name == "" || s.Actor.OrgCode == "") {
				t.Fatalf("%s by %+v", s.Action, s.Actor)
			}
			prev = s
		}
		if prev.Status != c.Status {
			t.Fatalf("case %s, last step %s", c.Status, prev.Status)
		}
		if c.Stage != stageOf[c.Status] {
			t.Fatalf("case %s runs stage %q", c.Status, c.Stage)
		}
	}
}

// A history has what a district's has: confirmations (some failed), returns, reworks, extensions,
// deferrals, shelving, supervision and the three ratings; older cases are nearly all finished,
// the last days' spread over the workflow, some overdue.
func TestHistoryIsVaried(t *testing.T) {
	cases := history(SyntheticWorld(2, 4, 4, 4, 8), 2, 20000, 400)
	actions := map[string]int{}
	ratings := map[string]int{}
	oldOpen, old, recentOpen, recent, overdue := 0, 0, 0, 0, 0
	for _, c := range cases {
		for _, s := range c.Steps {
			key := s.Action
			if s.Result == "fail" {
				key += " fail"
			}
			actions[key]++
		}
		if c.Rating != "" {
			ratings[c.Rating]++
		}
		open := c.Status != "closed" && c.Status != "voided" && c.Status != "shelved" && c.Status != "deferred"
		switch age := now.Sub(c.ReportedAt); {
		case age > 30*24*time.Hour:
			old++
			if open {
				oldOpen++
			}
		case age < 3*24*time.Hour:
			recent++
			if open {
				recentOpen++
			}
		}
		if c.OverdueStage != "" {
			overdue++
		}
	}
	for _, a := range []string{"confirm", "confirm fail", "register", "void", "dispatch", "return", "sign", "report_back",
		"verify", "verify fail", "close", "rate", "request_extension", "approve_extension", "defer", "shelve", "supervise"} {
		if actions[a] == 0 {
			t.Errorf("no %s among %d cases", a, len(cases))
		}
	}
	for _, r := range []string{"satisfied", "mostly", "unsatisfied"} {
		if ratings[r] == 0 {
			t.Errorf("no rating %s", r)
		}
	}
	if ratings["satisfied"] < ratings["unsatisfied"] {
		t.Errorf("ratings %v: most residents should be satisfied", ratings)
	}
	if oldOpen*100 > old {
		t.Errorf("%d of %d cases older than a month are open", oldOpen, old)
	}
	if recent == 0 || recentOpen*4 < recent {
		t.Errorf("%d of %d cases of the last three days are open", recentOpen, recent)
	}
	if overdue == 0 {
		t.Error("no case is overdue now")
	}
}

// Units of better quality take their steps in time more often: over a year the subdistrict of
// the highest quality beats the one of the lowest on the share of desk steps in time, and the
// best department beats the worst on handling in time. Qualities drift from month to month.
func TestQualityTellsUnitsApart(t *testing.T) {
	w := SyntheticWorld(3, 6, 3, 3, 8)
	cases := history(w, 3, 20000, 365)
	m := monthIndex(now)
	type tally struct{ in, all int }
	bySub, byDept := map[string]*tally{}, map[string]*tally{}
	count := func(into map[string]*tally, k string, s Step) {
		if into[k] == nil {
			into[k] = &tally{}
		}
		into[k].all++
		if !s.At.After(*s.Due) {
			into[k].in++
		}
	}
	for _, c := range cases {
		for _, s := range c.Steps {
			switch {
			case s.Due == nil:
			case s.Stage == "handle":
				count(byDept, c.LeadDepartment, s)
			case s.Stage == "register" || s.Stage == "dispatch" || s.Stage == "verify":
				count(bySub, c.Grid.Subdistrict, s)
			}
		}
	}
	check := func(what string, shares map[string]*tally, quality func(code string) float64) {
		t.Helper()
		best, worst := "", ""
		for code := range shares {
			if best == "" || quality(code) > quality(best) {
				best = code
			}
			if worst == "" || quality(code) < quality(worst) {
				worst = code
			}
		}
		b, wo := shares[best], shares[worst]
		if float64(b.in)/float64(b.all) <= float64(wo.in)/float64(wo.all)+0.05 {
			t.Errorf("%s: best %s in time %d/%d, worst %s %d/%d", what, best, b.in, b.all, worst, wo.in, wo.all)
		}
	}
	// A subdistrict's desk works as well as the subdistrict and its zone (one per subdistrict here).
	check("subdistricts", bySub, func(code string) float64 {
		return 0.6*w.meanQuality(code, m) + 0.2*w.meanQuality(code+"Z01", m)
	})
	check("departments", byDept, func(code string) float64 { return w.meanQuality(code, m) })
	moved := 0
	for _, d := range w.Departments {
		if w.Quality(d, m) != w.Quality(d, m-1) {
			moved++
		}
	}
	if moved != len(w.Departments) {
		t.Errorf("%d of %d departments changed quality from one month to the next", moved, len(w.Departments))
	}
}

// meanQuality is a unit's quality over the twelve months before month.
func (w *World) meanQuality(code string, month int) float64 {
	sum := 0.0
	for i := range 12 {
		sum += w.Quality(code, month-i)
	}
	return sum / 12
}

// BenchmarkCase measures the pure generator (the writer's and the indicators benchmark's source).
func BenchmarkCase(b *testing.B) {
	w := SyntheticWorld(1, 8, 10, 10, 20)
	rng := rand.New(rand.NewSource(1))
	span := 400 * 24 * time.Hour
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.Case(rng, ReportTime(rng, now, span, i%100000, 100000), now)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
}
