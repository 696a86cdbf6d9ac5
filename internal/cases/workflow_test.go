package cases

import (
	"slices"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// goodInput returns an input that satisfies every per-action requirement, so that the
// exhaustive test sees only the role and status rules.
func goodInput(a Action, role access.Role) Input {
	return Input{Action: a, Role: role, Result: "pass", Rating: Satisfied, DepartmentCode: "350503D01",
		Note: "现场已处理完毕", IsReporter: true, IsLeadDepartment: true}
}

// goodState returns a state in which the action's own preconditions (a pending extension, a
// reopened case …) hold.
func goodState(s Status, a Action) State {
	st := State{Status: s, LeadDepartment: "350503D01", PreviousStatus: Handling}
	switch a {
	case ApproveExtension, RefuseExtension:
		st.ExtensionPending = true
	case Overrule:
		st.Reopened, st.ReopenCount = true, 1
	case RejectReturn:
		st.ReturnedDepartment = "350503D01"
	}
	return st
}

// TestEveryRoleActionStatus walks the whole role × action × status cube.
func TestEveryRoleActionStatus(t *testing.T) {
	cells := 0
	for _, a := range Actions {
		roles, from := caseFlow.Roles(a), caseFlow.From(a)
		for _, role := range access.Roles {
			for _, s := range Statuses {
				cells++
				_, err := Next(goodState(s, a), goodInput(a, role))
				switch {
				case !contains(roles, role):
					if apperr.CodeOf(err) != apperr.Forbidden {
						t.Errorf("%s by %s in %s: want forbidden, got %v", a, role, s, err)
					}
				case !contains(from, s):
					if apperr.CodeOf(err) != apperr.Conflict {
						t.Errorf("%s by %s in %s: want conflict, got %v", a, role, s, err)
					}
				default:
					if err != nil {
						t.Errorf("%s by %s in %s: want allowed, got %v", a, role, s, err)
					}
				}
			}
		}
	}
	if cells != len(Actions)*len(access.Roles)*len(Statuses) {
		t.Fatal("cube incomplete")
	}
	// Administrators never act on cases (separation of duties).
	for _, a := range Actions {
		for _, r := range []access.Role{access.SysAdmin, access.SecAdmin, access.AuditAdmin} {
			if Allowed(r, a) {
				t.Errorf("%s may %s", r, a)
			}
		}
	}
}

// TestWorkflowTable checks the table as a whole: every state reachable, every action taken by
// some role from some status, every action a person can take has a row and nothing else does,
// and the by-action view that other files read says what the table says.
func TestWorkflowTable(t *testing.T) {
	if err := caseFlow.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, a := range append([]Action{Report, Reopen}, Actions...) {
		hasRow := len(caseFlow.Roles(a)) > 0
		if taken := a != Report && a != Reopen; hasRow != taken {
			t.Errorf("%s: has a row %v, is taken by a person %v", a, hasRow, taken)
		}
		if s := workflow[a]; !slices.Equal(s.roles, caseFlow.Roles(a)) || !slices.Equal(s.from, caseFlow.From(a)) {
			t.Errorf("%s: workflow says %v from %v, the table %v from %v", a, s.roles, s.from, caseFlow.Roles(a), caseFlow.From(a))
		}
	}
	// What a page offers is what Next admits.
	for _, s := range Statuses {
		for _, role := range access.Roles {
			offered := caseFlow.Available(s, []access.Role{role})
			for _, a := range Actions {
				_, err := Next(goodState(s, a), goodInput(a, role))
				if (err == nil) != slices.Contains(offered, a) {
					t.Errorf("%s by %s in %s: offered %v, Next says %v", a, role, s, slices.Contains(offered, a), err)
				}
			}
		}
	}
}

func run(t *testing.T, st State, steps ...Input) State {
	t.Helper()
	for _, in := range steps {
		out, err := Next(st, in)
		if err != nil {
			t.Fatalf("%s in %s: %v", in.Action, st.Status, err)
		}
		st = out.Next
	}
	return st
}

func in(a Action, role access.Role, mods ...func(*Input)) Input {
	i := Input{Action: a, Role: role, Note: "说明情况", IsLeadDepartment: true, IsReporter: true}
	for _, m := range mods {
		m(&i)
	}
	return i
}

func result(r string) func(*Input)  { return func(i *Input) { i.Result = r } }
func rating(r Rating) func(*Input)  { return func(i *Input) { i.Rating = r } }
func dept(code string) func(*Input) { return func(i *Input) { i.DepartmentCode = code } }
func note(n string) func(*Input)    { return func(i *Input) { i.Note = n } }
func notLead() func(*Input)         { return func(i *Input) { i.IsLeadDepartment = false } }
func notReporter() func(*Input)     { return func(i *Input) { i.IsReporter = false } }

func TestWholeLoopWithUnsatisfiedReopenOnce(t *testing.T) {
	st := run(t, State{Status: Confirming},
		in(Confirm, access.GridWorker, result("pass")),
		in(Register, access.ShiftLead),
		in(Dispatch, access.Dispatcher, dept("D1")),
		in(Sign, access.DepartmentStaff),
		in(Handle, access.DepartmentStaff),
		in(ReportBack, access.DepartmentStaff),
		in(Verify, access.GridWorker, result("pass")),
		in(Close, access.ShiftLead))
	if st.Status != Closed || st.LeadDepartment != "D1" {
		t.Fatalf("after close: %+v", st)
	}
	out, err := Next(st, in(Rate, access.Resident, rating(Unsatisfied)))
	if err != nil || !out.Reopen || out.Next.Status != Handling || out.Next.ReopenCount != 1 {
		t.Fatalf("first unsatisfied: %+v %v", out, err)
	}
	st = run(t, out.Next,
		in(ReportBack, access.DepartmentStaff),
		in(Verify, access.GridWorker, result("pass")),
		in(Close, access.ShiftLead))
	out, err = Next(st, in(Rate, access.Resident, rating(Unsatisfied)))
	if err != nil || out.Reopen || out.Next.Status != Closed || !out.Next.Rated {
		t.Fatalf("second unsatisfied must not reopen again: %+v %v", out, err)
	}
	if _, err := Next(out.Next, in(Rate, access.Resident, rating(Satisfied))); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("rating twice: %v", err)
	}
}

func TestRules(t *testing.T) {
	handling := State{Status: Handling, LeadDepartment: "D1"}
	cases := []struct {
		name string
		st   State
		in   Input
		code apperr.Code
		want Status
	}{
		{"verify fail sends back", State{Status: ReportedBack}, in(Verify, access.GridWorker, result("fail")), "", Handling},
		{"verify fail needs a note", State{Status: ReportedBack}, in(Verify, access.GridWorker, result("fail"), note("")), apperr.Invalid, ""},
		{"verify needs a result", State{Status: ReportedBack}, in(Verify, access.GridWorker, result("maybe")), apperr.Invalid, ""},
		{"void needs a reason", State{Status: Reported}, in(Void, access.ShiftLead, note("")), apperr.Invalid, ""},
		{"dispatch needs a department", State{Status: Registered}, in(Dispatch, access.Dispatcher), apperr.Invalid, ""},
		{"assisting department cannot sign", State{Status: Dispatched}, in(Sign, access.DepartmentStaff, notLead()), apperr.Forbidden, ""},
		{"resident rates only own case", State{Status: Closed}, in(Rate, access.Resident, rating(Satisfied), notReporter()), apperr.Forbidden, ""},
		{"hotline records a rating by phone", State{Status: Closed}, in(Rate, access.IntakeOperator, rating(Mostly), notReporter()), "", Closed},
		{"bad rating", State{Status: Closed}, in(Rate, access.Resident, rating("meh")), apperr.Invalid, ""},
		{"overrule without reopen", handling, in(Overrule, access.ShiftLead), apperr.Conflict, ""},
		{"overrule a reopened case", State{Status: Handling, Reopened: true, ReopenCount: 1}, in(Overrule, access.ShiftLead), "", Closed},
		{"approve without request", handling, in(ApproveExtension, access.Dispatcher), apperr.Conflict, ""},
		{"second extension request", State{Status: Handling, ExtensionPending: true}, in(RequestExtension, access.DepartmentStaff), apperr.Conflict, ""},
		{"close before verification", State{Status: ReportedBack}, in(Close, access.ShiftLead), apperr.Conflict, ""},
		{"grid worker cannot register", State{Status: Reported}, in(Register, access.GridWorker), apperr.Forbidden, ""},
		{"unknown action", State{Status: Reported}, in("teleport", access.ShiftLead), apperr.Invalid, ""},
		{"a note of one character is none", handling, in(Handle, access.DepartmentStaff, note("好")), apperr.Invalid, ""},
		{"a note of two characters", handling, in(Handle, access.DepartmentStaff, note("好的")), "", Handling},
		{"a note comes before the lead department", handling, in(Return, access.DepartmentStaff, note(""), notLead()), apperr.Invalid, ""},
		{"an extension request asks who first, then the note", handling, in(RequestExtension, access.DepartmentStaff, note(""), notLead()), apperr.Forbidden, ""},
		{"an extension request needs a note", handling, in(RequestExtension, access.DepartmentStaff, note("")), apperr.Invalid, ""},
		{"the role comes before the status", State{Status: Closed}, in(Register, access.GridWorker), apperr.Forbidden, ""},
		{"the status comes before the note", State{Status: Closed}, in(Void, access.ShiftLead, note("")), apperr.Conflict, ""},
	}
	for _, tc := range cases {
		out, err := Next(tc.st, tc.in)
		if tc.code != "" {
			if apperr.CodeOf(err) != tc.code {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
			}
			continue
		}
		if err != nil || out.Next.Status != tc.want {
			t.Errorf("%s: got %+v %v, want %s", tc.name, out.Next, err, tc.want)
		}
	}
}

func TestShelveDeferReturnAndExtensionRestoreState(t *testing.T) {
	st := run(t, State{Status: Handling, LeadDepartment: "D1"}, in(Shelve, access.ShiftLead))
	if st.Status != Shelved || st.PreviousStatus != Handling {
		t.Fatalf("shelve: %+v", st)
	}
	st = run(t, st, in(Unshelve, access.ShiftLead))
	if st.Status != Handling || st.PreviousStatus != "" {
		t.Fatalf("unshelve: %+v", st)
	}
	st = run(t, State{Status: Dispatched, LeadDepartment: "D1"}, in(Defer, access.ShiftLead), in(Resume, access.ShiftLead))
	if st.Status != Dispatched {
		t.Fatalf("defer/resume: %+v", st)
	}
	st = run(t, State{Status: Dispatched, LeadDepartment: "D1"}, in(Return, access.DepartmentStaff))
	if st.Status != Returned || st.ReturnedDepartment != "D1" {
		t.Fatalf("return: %+v", st)
	}
	upheld := run(t, st, in(RejectReturn, access.Dispatcher))
	if upheld.Status != Dispatched || upheld.LeadDepartment != "D1" {
		t.Fatalf("reject return: %+v", upheld)
	}
	redispatched := run(t, st, in(Dispatch, access.Dispatcher, dept("D2")))
	if redispatched.LeadDepartment != "D2" || redispatched.ReturnedDepartment != "" {
		t.Fatalf("re-dispatch: %+v", redispatched)
	}
	st = run(t, State{Status: Handling, LeadDepartment: "D1"}, in(RequestExtension, access.DepartmentStaff))
	if !st.ExtensionPending {
		t.Fatal("request did not mark pending")
	}
	if st = run(t, st, in(ApproveExtension, access.Dispatcher)); st.ExtensionPending {
		t.Fatal("approval left it pending")
	}
}
