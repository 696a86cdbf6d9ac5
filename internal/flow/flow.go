// Package flow is the pattern for a workflow written as data: a table of transitions (which
// roles may take an action, from which states, to which state, with which inputs), applied by
// a pure function and checked as a whole by Validate. A domain package (cases, and later
// whistle, directive, dispute, project) writes its table once, keeps its own rules that the table
// cannot say (who is the lead department, what a rating does) beside it, and tests both.
package flow

import (
	"slices"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Transition is one row of a table: Roles may take Action from any state in From; it leads to
// To, or leaves the state as it is when To is the zero state. Needs are the inputs the action
// cannot go without. An action may have several rows when it leads elsewhere from other states;
// their From states must not overlap.
type Transition[S, A, R ~string] struct {
	Action A
	Roles  []R
	From   []S
	To     S
	Needs  []Need
}

// Need is an input an action requires beyond the actor's role.
type Need struct {
	// Input names the input in Inputs; a missing one is refused with "<table>.<input>_required".
	Input string
	// MinLength is the least number of characters that counts as given (at least 1).
	MinLength int
}

// Note is the need most actions share: a note (a reason, a progress report, a comment) of at
// least two characters, so that a stray keystroke does not pass for one.
var Note = Need{Input: "note", MinLength: 2}

// Inputs are what the actor brings to an action, by name ("note" → the text).
type Inputs map[string]string

// has tells whether the inputs hold what n asks for.
func (in Inputs) has(n Need) bool {
	return utf8.RuneCountInString(in[n.Input]) >= max(n.MinLength, 1)
}

// Table is a workflow as data.
type Table[S, A, R ~string] struct {
	// Name starts the message keys of the errors Next returns: "<Name>.unknown_action",
	// "<Name>.role_cannot", "<Name>.illegal_transition", "<Name>.<input>_required".
	Name string
	// States lists every state an object may be in.
	States []S
	// Initial lists the states an object may start in; every other state must be reachable
	// from them.
	Initial     []S
	Transitions []Transition[S, A, R]
}

// Machine applies a table. Build it with New; it is safe for concurrent use.
type Machine[S, A, R ~string] struct {
	table    Table[S, A, R]
	byAction map[A][]int // action → its rows, in table order
}

// New indexes a table. Call Validate in the owning package's tests: New does not judge the table.
func New[S, A, R ~string](t Table[S, A, R]) *Machine[S, A, R] {
	m := &Machine[S, A, R]{table: t, byAction: map[A][]int{}}
	for i, tr := range t.Transitions {
		m.byAction[tr.Action] = append(m.byAction[tr.Action], i)
	}
	return m
}

// Next applies action, taken by role, to an object in state: it returns the next state (state
// itself when the action does not move it), or an apperr error whose key names what is wrong, in
// this order: an unknown action (invalid), a role that may never take it (forbidden), a state
// it cannot be taken from (conflict), a role that may not take it from this state (forbidden),
// a missing input (invalid).
func (m *Machine[S, A, R]) Next(state S, action A, role R, inputs Inputs) (S, error) {
	rows := m.byAction[action]
	if len(rows) == 0 {
		return state, apperr.New(apperr.Invalid, m.table.Name+".unknown_action", action)
	}
	if !m.Allowed(role, action) {
		return state, apperr.New(apperr.Forbidden, m.table.Name+".role_cannot", role, action)
	}
	tr, ok := m.row(state, action)
	if !ok {
		return state, apperr.New(apperr.Conflict, m.table.Name+".illegal_transition", action, state)
	}
	if !slices.Contains(tr.Roles, role) {
		return state, apperr.New(apperr.Forbidden, m.table.Name+".role_cannot", role, action)
	}
	if err := m.Require(action, inputs, tr.Needs...); err != nil {
		return state, err
	}
	if tr.To == "" {
		return state, nil
	}
	return tr.To, nil
}

// Require checks inputs against needs the table cannot state, such as a note that only a failed
// verification asks for, with the same rule and error as Next.
func (m *Machine[S, A, R]) Require(action A, inputs Inputs, needs ...Need) error {
	for _, need := range needs {
		if !inputs.has(need) {
			return apperr.New(apperr.Invalid, m.table.Name+"."+need.Input+"_required", action)
		}
	}
	return nil
}

// row finds the row of action that starts from state.
func (m *Machine[S, A, R]) row(state S, action A) (Transition[S, A, R], bool) {
	for _, i := range m.byAction[action] {
		if tr := m.table.Transitions[i]; slices.Contains(tr.From, state) {
			return tr, true
		}
	}
	return Transition[S, A, R]{}, false
}

// Allowed reports whether role may take action at all, whatever the state.
func (m *Machine[S, A, R]) Allowed(role R, action A) bool {
	for _, i := range m.byAction[action] {
		if slices.Contains(m.table.Transitions[i].Roles, role) {
			return true
		}
	}
	return false
}

// Available lists, in table order, the actions that someone holding roles may take from state as
// far as the table decides (inputs and the domain's own rules aside).
func (m *Machine[S, A, R]) Available(state S, roles []R) []A {
	out := []A{}
	for _, tr := range m.table.Transitions {
		if slices.Contains(out, tr.Action) || !slices.Contains(tr.From, state) {
			continue
		}
		for _, role := range roles {
			if slices.Contains(tr.Roles, role) {
				out = append(out, tr.Action)
				break
			}
		}
	}
	return out
}

// Roles lists the roles that may take action, in table order.
func (m *Machine[S, A, R]) Roles(action A) []R {
	return union(m, action, func(tr Transition[S, A, R]) []R { return tr.Roles })
}

// From lists the states action may be taken from, in table order.
func (m *Machine[S, A, R]) From(action A) []S {
	return union(m, action, func(tr Transition[S, A, R]) []S { return tr.From })
}

// union gathers pick of every transition of action, each value once, in table order.
func union[T comparable, S, A, R ~string](m *Machine[S, A, R], action A, pick func(Transition[S, A, R]) []T) []T {
	var out []T
	for _, i := range m.byAction[action] {
		for _, v := range pick(m.table.Transitions[i]) {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// Needs lists what action needs when taken from state (nil when it cannot be).
func (m *Machine[S, A, R]) Needs(state S, action A) []Need {
	tr, _ := m.row(state, action)
	return tr.Needs
}
