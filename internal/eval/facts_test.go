package eval

import (
	"testing"
	"time"
)

// t0 is 2026-11-10 09:00 in the district's time zone.
var t0 = time.Date(2026, 11, 10, 9, 0, 0, 0, Zone)

// step is an event at t0 + h hours; due (hours after t0, 0: none) is the limit of the stage it ended.
type step struct {
	action, status, stage string
	h, due                float64
	result, rating        string
	actor, role           string
}

func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func history(status string, steps ...step) History {
	h := History{ID: "c1", Channel: "patrol", ReportedAt: at(0), Status: status, GridCode: "G1", CommunityCode: "C1",
		SubdistrictCode: "S1", ZoneCode: "Z1", DistrictCode: "D", LeadDepartment: "DEPT"}
	for _, s := range steps {
		e := Event{Action: s.action, At: at(s.h), Status: s.status, Stage: s.stage, Result: s.result, Rating: s.rating,
			ActorID: s.actor, Actor: s.actor, Role: s.role, OrgCode: "S1"}
		if s.due != 0 {
			d := at(s.due)
			e.Due = &d
		}
		h.Events = append(h.Events, e)
	}
	return h
}

// full walk of a case handled in time: report, register, dispatch, sign, report back, verify, close, rate.
func walk(rating string, handledAt float64) []step {
	return []step{
		{action: "report", status: "reported", h: 0, actor: "gw", role: "grid_worker"},
		{action: "register", status: "registered", stage: "register", h: 1, due: 2, actor: "lead", role: "shift_lead"},
		{action: "dispatch", status: "dispatched", stage: "dispatch", h: 2, due: 3, actor: "disp", role: "dispatcher"},
		{action: "sign", status: "handling", stage: "sign", h: 3, due: 4, actor: "staff", role: "department_staff"},
		{action: "report_back", status: "reported_back", stage: "handle", h: handledAt, due: 24, actor: "staff", role: "department_staff"},
		{action: "verify", status: "verified", stage: "verify", h: handledAt + 1, due: handledAt + 2, result: "pass", actor: "gw", role: "grid_worker"},
		{action: "close", status: "closed", stage: "close", h: handledAt + 2, due: handledAt + 3, actor: "lead", role: "shift_lead"},
		{action: "rate", status: "closed", h: handledAt + 30, rating: rating},
	}
}

// want lists the counts expected to be 1 (or the given value); every other count must be 0.
func check(t *testing.T, name string, f Facts, want map[Count]int64) {
	t.Helper()
	for i := Count(0); i < numCounts; i++ {
		if got := f.Counts[i]; got != want[i] {
			t.Errorf("%s: %s = %d, want %d", name, i.Code(), got, want[i])
		}
	}
}

func ones(cs ...Count) map[Count]int64 {
	m := map[Count]int64{}
	for _, c := range cs {
		m[c] = 1
	}
	return m
}

func TestComputeCountsOneCaseEachWay(t *testing.T) {
	handledInTime := []Count{Reports, ValidReports, Registered, ShouldDispatch, DispatchedOnTime, ShouldHandle,
		RespondedOnTime, Handled, HandledOnTime, ShouldVerify, VerifiedOnTime, ShouldClose, Closed, ClosedOnTime, Resolved}

	check(t, "in time, satisfied", Compute(history("closed", walk("satisfied", 10)...)),
		ones(append(handledInTime, Rated, RatedSatisfied)...))

	// Handled after the limit: not on time, not closed on time, overdue.
	late := ones(Reports, ValidReports, Registered, ShouldDispatch, DispatchedOnTime, ShouldHandle, RespondedOnTime,
		Handled, ShouldVerify, VerifiedOnTime, ShouldClose, Closed, Resolved, Overdue, Rated, RatedMostly)
	check(t, "handled late", Compute(history("closed", walk("mostly", 30)...)), late)

	// Reworked twice (a failed check, then the desk's rework): one reworked case, two reworks; every
	// report-back and check in time.
	w := walk("satisfied", 10)
	rework := append([]step{}, w[:5]...)
	rework = append(rework,
		step{action: "verify", status: "handling", stage: "verify", h: 11, due: 12, result: "fail", actor: "gw", role: "grid_worker"},
		step{action: "report_back", status: "reported_back", stage: "handle", h: 14, due: 24, actor: "staff", role: "department_staff"},
		step{action: "rework", status: "handling", stage: "verify", h: 15, due: 16, actor: "lead", role: "shift_lead"},
		step{action: "report_back", status: "reported_back", stage: "handle", h: 18, due: 24, actor: "staff", role: "department_staff"},
		step{action: "verify", status: "verified", stage: "verify", h: 19, due: 20, result: "pass", actor: "gw", role: "grid_worker"},
		step{action: "close", status: "closed", stage: "close", h: 20, due: 21, actor: "lead", role: "shift_lead"})
	want := ones(append(handledInTime, Reworked)...)
	want[Reworks] = 2
	check(t, "reworked twice", Compute(history("closed", rework...)), want)

	// An extension granted, then handled within the new limit.
	ext := append([]step{}, w[:4]...)
	ext = append(ext, step{action: "request_extension", status: "handling", h: 5},
		step{action: "approve_extension", status: "handling", h: 6},
		step{action: "report_back", status: "reported_back", stage: "handle", h: 40, due: 48, actor: "staff", role: "department_staff"})
	check(t, "extended", Compute(history("reported_back", ext...)), ones(Reports, ValidReports, Registered, ShouldDispatch,
		DispatchedOnTime, ShouldHandle, RespondedOnTime, Handled, HandledOnTime, ShouldVerify, ShouldClose, Extended))

	// Deferred (缓办) now: out of what should be handled and closed; deferred counts.
	deferred := append([]step{}, w[:4]...)
	deferred = append(deferred, step{action: "defer", status: "deferred", stage: "handle", h: 5, due: 24})
	check(t, "deferred now", Compute(history("deferred", deferred...)), ones(Reports, ValidReports, Registered,
		ShouldDispatch, DispatchedOnTime, Deferred))
	// …and resumed and closed later: back in.
	resumed := append(append([]step{}, deferred...), step{action: "resume", status: "handling", h: 50})
	after := walk("satisfied", 60)[4:]
	after[0].due = 70 // resuming started a new handling clock
	resumed = append(resumed, after...)
	check(t, "deferred then closed", Compute(history("closed", resumed...)), ones(append(handledInTime, Deferred, Rated, RatedSatisfied)...))

	// Voided before registration: a report that was not valid.
	check(t, "voided unregistered", Compute(history("voided", walk("", 0)[0],
		step{action: "void", status: "voided", stage: "register", h: 1, due: 2, actor: "lead", role: "shift_lead"})), ones(Reports, Voided))
	// Registered, awaiting dispatch: due for one.
	check(t, "registered", Compute(history("registered", walk("", 0)[:2]...)), ones(Reports, ValidReports, Registered,
		ShouldDispatch, ShouldClose))
	// Voided after registration: a registration that was not accurate.
	vr := append([]step{}, walk("", 0)[:2]...)
	vr = append(vr, step{action: "void", status: "voided", h: 3, actor: "lead", role: "shift_lead"})
	check(t, "voided after registration", Compute(history("voided", vr...)), ones(Reports, ValidReports, Registered, Voided, VoidedAfterRegistration))

	// A duplicate merged into another case: a report, nothing else.
	merged := history("merged", walk("", 0)[0], step{action: "merge", status: "merged", stage: "register", h: 1, due: 2})
	merged.MergedInto = "c0"
	check(t, "merged duplicate", Compute(merged), ones(Reports))

	// A public report confirmed late on site; another found false.
	pub := []step{{action: "report", status: "confirming", h: 0},
		{action: "confirm", status: "reported", stage: "confirm", h: 3, due: 1, result: "pass", actor: "gw", role: "grid_worker"}}
	check(t, "confirmed late", Compute(history("reported", pub...)), ones(Reports, ValidReports, ShouldConfirm))
	pub[1].h, pub[1].result = 0.5, "fail"
	check(t, "found false", Compute(history("reported", pub...)), ones(Reports, ShouldConfirm, ConfirmedOnTime))

	// Rated unsatisfied in the end: closed but not resolved.
	check(t, "unsatisfied", Compute(history("closed", walk("unsatisfied", 10)...)), ones(Reports, ValidReports, Registered,
		ShouldDispatch, DispatchedOnTime, ShouldHandle, RespondedOnTime, Handled, HandledOnTime, ShouldVerify,
		VerifiedOnTime, ShouldClose, Closed, ClosedOnTime, Rated, RatedUnsatisfied))

	// Still handling, its running stage past the limit (the SLA scan marked it).
	open := history("handling", walk("", 0)[:4]...)
	open.RunningStage, open.OverdueStage = "handle", "handle"
	check(t, "running late", Compute(open), ones(Reports, ValidReports, Registered, ShouldDispatch, DispatchedOnTime,
		ShouldHandle, RespondedOnTime, ShouldClose, Overdue))

	// Shelved (挂账) and supervised, still open: counted, and still due for closure.
	sh := append([]step{}, walk("", 0)[:4]...)
	sh = append(sh, step{action: "supervise", status: "handling", h: 5}, step{action: "shelve", status: "shelved", stage: "handle", h: 6, due: 24})
	check(t, "shelved", Compute(history("shelved", sh...)), ones(Reports, ValidReports, Registered, ShouldDispatch,
		DispatchedOnTime, ShouldHandle, RespondedOnTime, ShouldClose, Shelved, Supervised))

	// Returned by a department as not its duty, dispatched again: not an accurate dispatch.
	ret := append([]step{}, walk("", 0)[:3]...)
	ret = append(ret, step{action: "return", status: "returned", stage: "sign", h: 3, due: 4},
		step{action: "dispatch", status: "dispatched", stage: "dispatch", h: 4, due: 5})
	check(t, "returned", Compute(history("dispatched", ret...)), ones(Reports, ValidReports, Registered, ShouldDispatch,
		DispatchedOnTime, Returned, ShouldHandle, ShouldClose))
}

// A case belongs to the day it was reported in the district's time zone, however late its
// steps: reported at 23:30 on 30 November (15:30 UTC), closed in December, it is November's.
func TestComputeDayIsTheReportDayInDistrictTime(t *testing.T) {
	h := history("closed", walk("satisfied", 10)...)
	h.ReportedAt = time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC)
	if f := Compute(h); f.Day != "2026-11-30" {
		t.Errorf("day %s, want 2026-11-30", f.Day)
	}
	h.ReportedAt = time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC) // 00:30 on 1 December in Beijing
	if f := Compute(h); f.Day != "2026-12-01" {
		t.Errorf("day %s, want 2026-12-01", f.Day)
	}
}

func TestComputeCreditsEachPersonWithTheirSteps(t *testing.T) {
	f := Compute(history("closed", walk("satisfied", 30)...))
	by := map[string]Person{}
	for _, p := range f.People {
		by[p.ID] = p
	}
	if len(by) != 4 {
		t.Fatalf("people %v, want gw, lead, disp, staff", f.People)
	}
	expect := map[string][]Count{
		"gw":    {Reports, ValidReports, ShouldVerify, VerifiedOnTime},
		"lead":  {Registered, ShouldClose, Closed, Resolved}, // closed late (handled late): not on time
		"disp":  {ShouldDispatch, DispatchedOnTime},
		"staff": {RespondedOnTime, ShouldHandle, Handled},
	}
	for id, cs := range expect {
		var want Counts
		for _, c := range cs {
			want[c] = 1
		}
		if by[id].Counts != want {
			t.Errorf("%s: %v, want %v", id, by[id].Counts.Map(), want.Map())
		}
	}
	// Units: every level the case is in.
	if len(f.Units) != 6 {
		t.Errorf("units %v", f.Units)
	}
}
