package flow

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// A small directive (督办指令) workflow, the kind of table the domain packages write.
type (
	state  string
	action string
	role   string
)

const (
	draft     state = "draft"
	issued    state = "issued"
	accepted  state = "accepted"
	done      state = "done"
	cancelled state = "cancelled"

	issue   action = "issue"
	accept  action = "accept"
	finish  action = "finish"
	cancel  action = "cancel"
	reopen  action = "reopen"
	comment action = "comment"

	leader role = "leader"
	clerk  role = "clerk"
	staff  role = "staff"
)

var (
	states  = []state{draft, issued, accepted, done, cancelled}
	actions = []action{issue, accept, finish, cancel, reopen, comment}
	roles   = []role{leader, clerk, staff}
	note    = []Need{Note}
)

func directives() Table[state, action, role] {
	return Table[state, action, role]{
		Name:    "directive",
		States:  states,
		Initial: []state{draft},
		Transitions: []Transition[state, action, role]{
			{Action: issue, Roles: []role{leader, clerk}, From: []state{draft}, To: issued},
			{Action: accept, Roles: []role{staff}, From: []state{issued}, To: accepted},
			{Action: finish, Roles: []role{staff}, From: []state{accepted}, To: done, Needs: []Need{{Input: "evidence"}}},
			{Action: cancel, Roles: []role{leader}, From: []state{draft, issued, accepted}, To: cancelled, Needs: note},
			// reopen leads elsewhere from each state, and only the leader may reopen a cancelled one.
			{Action: reopen, Roles: []role{leader, clerk}, From: []state{done}, To: accepted, Needs: note},
			{Action: reopen, Roles: []role{leader}, From: []state{cancelled}, To: draft, Needs: note},
			{Action: comment, Roles: []role{leader, clerk, staff}, From: []state{draft, issued, accepted, done}, Needs: note},
		},
	}
}

var directive = New(directives())

func enough() Inputs { return Inputs{"note": "已阅", "evidence": "照片"} }

func TestNext(t *testing.T) {
	tests := []struct {
		name   string
		from   state
		action action
		role   role
		inputs Inputs
		want   state
		code   apperr.Code
		key    string
		args   []any
	}{
		{"moves", draft, issue, clerk, nil, issued, "", "", nil},
		{"a row without a to-state keeps the state", issued, comment, staff, enough(), issued, "", "", nil},
		{"the row of the current state decides where it leads", done, reopen, clerk, enough(), accepted, "", "", nil},
		{"… and from another state elsewhere", cancelled, reopen, leader, enough(), draft, "", "", nil},
		{"unknown action", draft, "teleport", leader, nil, "", apperr.Invalid, "directive.unknown_action", []any{action("teleport")}},
		{"a role that may never take it", draft, issue, staff, nil, "", apperr.Forbidden, "directive.role_cannot", []any{staff, issue}},
		{"the role comes before the state", done, issue, staff, nil, "", apperr.Forbidden, "directive.role_cannot", []any{staff, issue}},
		{"a state it cannot be taken from", done, issue, leader, nil, "", apperr.Conflict, "directive.illegal_transition", []any{issue, done}},
		{"the state comes before the inputs", done, cancel, leader, nil, "", apperr.Conflict, "directive.illegal_transition", []any{cancel, done}},
		{"a role that may take it, but not from this state", cancelled, reopen, clerk, enough(), "", apperr.Forbidden, "directive.role_cannot", []any{clerk, reopen}},
		{"a missing note", issued, cancel, leader, nil, "", apperr.Invalid, "directive.note_required", []any{cancel}},
		{"a note of one character is missing", issued, cancel, leader, Inputs{"note": "好"}, "", apperr.Invalid, "directive.note_required", []any{cancel}},
		{"a note of two characters is given", issued, cancel, leader, Inputs{"note": "好的"}, cancelled, "", "", nil},
		{"a need without a length needs one character", accepted, finish, staff, Inputs{"evidence": "x"}, done, "", "", nil},
		{"another missing input names itself", accepted, finish, staff, Inputs{"note": "照片在此"}, "", apperr.Invalid, "directive.evidence_required", []any{finish}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := directive.Next(tt.from, tt.action, tt.role, tt.inputs)
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("got %q, %v; want an apperr %s", got, err, tt.code)
			}
			if e.Code != tt.code || e.Key != tt.key || fmt.Sprint(e.Args) != fmt.Sprint(tt.args) {
				t.Errorf("got %s %s %v, want %s %s %v", e.Code, e.Key, e.Args, tt.code, tt.key, tt.args)
			}
			if got != tt.from {
				t.Errorf("a refused action returned state %q, want the state unchanged (%q)", got, tt.from)
			}
		})
	}
}

// TestNextAgreesWithTheTable walks every state × action × role: Next succeeds exactly where a
// row admits the role from the state, and Available offers exactly those actions.
func TestNextAgreesWithTheTable(t *testing.T) {
	table := directives()
	for _, s := range states {
		for _, r := range roles {
			var want []action
			for _, a := range actions {
				admitted := false
				for _, tr := range table.Transitions {
					admitted = admitted || (tr.Action == a && slices.Contains(tr.From, s) && slices.Contains(tr.Roles, r))
				}
				_, err := directive.Next(s, a, r, enough())
				if admitted != (err == nil) {
					t.Errorf("%s by %s in %s: admitted by the table %v, Next says %v", a, r, s, admitted, err)
				}
				if admitted {
					want = append(want, a)
				}
			}
			if got := directive.Available(s, []role{r}); !slices.Equal(got, want) {
				t.Errorf("Available(%s, %s) = %v, want %v", s, r, got, want)
			}
		}
	}
}

func TestAllowedAvailableRolesFromNeeds(t *testing.T) {
	allowed := map[role][]action{
		leader: {issue, cancel, reopen, comment},
		clerk:  {issue, reopen, comment},
		staff:  {accept, finish, comment},
	}
	for _, r := range roles {
		for _, a := range append(slices.Clone(actions), "teleport") {
			if got, want := directive.Allowed(r, a), slices.Contains(allowed[r], a); got != want {
				t.Errorf("Allowed(%s, %s) = %v, want %v", r, a, got, want)
			}
		}
	}
	if got := directive.Available(issued, []role{staff, leader}); !slices.Equal(got, []action{accept, cancel, comment}) {
		t.Errorf("Available(issued, staff+leader) = %v: table order, each action once", got)
	}
	if got := directive.Available(cancelled, []role{clerk}); got == nil || len(got) != 0 {
		t.Errorf("Available(cancelled, clerk) = %#v, want an empty list", got)
	}
	if got := directive.Roles(reopen); !slices.Equal(got, []role{leader, clerk}) {
		t.Errorf("Roles(reopen) = %v", got)
	}
	if got := directive.From(reopen); !slices.Equal(got, []state{done, cancelled}) {
		t.Errorf("From(reopen) = %v", got)
	}
	if got := directive.Needs(accepted, finish); len(got) != 1 || got[0].Input != "evidence" {
		t.Errorf("Needs(accepted, finish) = %v", got)
	}
	if got := directive.Needs(draft, finish); got != nil {
		t.Errorf("Needs(draft, finish) = %v, want none: it cannot be taken there", got)
	}
}

func TestValidate(t *testing.T) {
	if err := directive.Validate(); err != nil {
		t.Fatalf("the example table: %v", err)
	}
	tests := []struct {
		name   string
		change func(*Table[state, action, role])
		want   []string
	}{
		{"no name", func(t *Table[state, action, role]) { t.Name = "" }, []string{"no name"}},
		{"no states", func(t *Table[state, action, role]) { t.States = nil }, []string{"lists no states", `initial state "draft" is not a listed state`}},
		{"a state twice", func(t *Table[state, action, role]) { t.States = append(t.States, done) }, []string{`state "done" is listed twice`}},
		{"the empty state", func(t *Table[state, action, role]) { t.States = append(t.States, "") }, []string{"an empty state is listed"}},
		{"no initial state", func(t *Table[state, action, role]) { t.Initial = nil }, []string{"no initial state", `state "draft" cannot be reached`}},
		{"unknown initial state", func(t *Table[state, action, role]) { t.Initial = []state{"new"} }, []string{`initial state "new" is not a listed state`}},
		{"unknown from-state", func(t *Table[state, action, role]) { t.Transitions[1].From = []state{"pending"} },
			[]string{`row 2 (accept): from-state "pending" is not a listed state`}},
		{"unknown to-state", func(t *Table[state, action, role]) { t.Transitions[2].To = "archived" },
			[]string{`row 3 (finish): to-state "archived" is not a listed state`}},
		{"an action no role may take", func(t *Table[state, action, role]) { t.Transitions[0].Roles = nil },
			[]string{"row 1 (issue): no role may take it"}},
		{"a row without from-states", func(t *Table[state, action, role]) { t.Transitions[6].From = nil },
			[]string{"row 7 (comment): no state it may be taken from"}},
		{"a row without an action", func(t *Table[state, action, role]) { t.Transitions[6].Action = "" }, []string{"row 7 has no action"}},
		{"a need without a name", func(t *Table[state, action, role]) { t.Transitions[0].Needs = []Need{{MinLength: 3}} },
			[]string{"row 1 (issue): a need without an input name"}},
		{"one action from one state in two rows", func(t *Table[state, action, role]) {
			t.Transitions[5].From = []state{cancelled, done}
		}, []string{`row 6 (reopen): reopen from "done" is also row 5`}},
		{"a from-state listed twice", func(t *Table[state, action, role]) { t.Transitions[3].From = []state{draft, draft} },
			[]string{`row 4 (cancel): from-state "draft" is listed twice`}},
		{"an unreachable state", func(t *Table[state, action, role]) { t.Transitions[3].To = done },
			[]string{`state "cancelled" cannot be reached from [draft]`}},
		{"every problem is named", func(t *Table[state, action, role]) {
			t.Name = ""
			t.Transitions[0].Roles = nil
			t.Transitions[1].To = "archived"
		}, []string{"no name", "row 1 (issue): no role may take it", `to-state "archived"`, `state "accepted" cannot be reached`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := directives()
			table.States = slices.Clone(table.States)
			table.Transitions = slices.Clone(table.Transitions)
			tt.change(&table)
			err := New(table).Validate()
			if err == nil {
				t.Fatal("valid; want problems")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err, want)
				}
			}
		})
	}
}

func TestRequire(t *testing.T) {
	if err := directive.Require(finish, Inputs{"note": "已阅"}, Note); err != nil {
		t.Errorf("a note given: %v", err)
	}
	err := directive.Require(finish, Inputs{"note": "阅"}, Note)
	if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || e.Key != "directive.note_required" || fmt.Sprint(e.Args) != "[finish]" {
		t.Errorf("a note of one character: %v", err)
	}
	if err := directive.Require(finish, nil); err != nil {
		t.Errorf("nothing needed: %v", err)
	}
}
