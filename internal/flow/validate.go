package flow

import (
	"errors"
	"fmt"
	"slices"
)

// Validate checks the table itself and names every problem: no name, no states or a state listed
// twice, no initial state, a row without an action, roles or from-states, a state the table does
// not list, a need without an input name, one action from one state in two rows (which would
// apply?), and a state that no path from the initial states reaches.
func (m *Machine[S, A, R]) Validate() error {
	t := m.table
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	if t.Name == "" {
		bad("the table has no name (its error keys start with it)")
	}
	known := map[S]bool{}
	for _, s := range t.States {
		if s == "" {
			bad("an empty state is listed (the empty state means \"unchanged\")")
		} else if known[s] {
			bad("state %q is listed twice", s)
		}
		known[s] = true
	}
	if len(t.States) == 0 {
		bad("the table lists no states")
	}
	if len(t.Initial) == 0 {
		bad("the table names no initial state")
	}
	for _, s := range t.Initial {
		if !known[s] {
			bad("initial state %q is not a listed state", s)
		}
	}

	from := map[A]map[S]int{} // action → state → the row it is taken from there by
	for i, tr := range t.Transitions {
		row := fmt.Sprintf("row %d (%s)", i+1, tr.Action)
		if tr.Action == "" {
			bad("row %d has no action", i+1)
		}
		if len(tr.Roles) == 0 {
			bad("%s: no role may take it", row)
		}
		if len(tr.From) == 0 {
			bad("%s: no state it may be taken from", row)
		}
		for _, s := range tr.From {
			if !known[s] {
				bad("%s: from-state %q is not a listed state", row, s)
			}
		}
		if tr.To != "" && !known[tr.To] {
			bad("%s: to-state %q is not a listed state", row, tr.To)
		}
		for _, need := range tr.Needs {
			if need.Input == "" {
				bad("%s: a need without an input name", row)
			}
		}
		if from[tr.Action] == nil {
			from[tr.Action] = map[S]int{}
		}
		for _, s := range tr.From {
			switch other, twice := from[tr.Action][s]; {
			case twice && other == i+1:
				bad("%s: from-state %q is listed twice", row, s)
			case twice:
				bad("%s: %s from %q is also row %d", row, tr.Action, s, other)
			default:
				from[tr.Action][s] = i + 1
			}
		}
	}

	reached := m.reachable()
	for _, s := range t.States {
		if s != "" && !reached[s] {
			bad("state %q cannot be reached from %v", s, t.Initial)
		}
	}
	return errors.Join(problems...)
}

// reachable walks the table from the initial states.
func (m *Machine[S, A, R]) reachable() map[S]bool {
	reached := map[S]bool{}
	queue := slices.Clone(m.table.Initial)
	for _, s := range queue {
		reached[s] = true
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, tr := range m.table.Transitions {
			if tr.To != "" && !reached[tr.To] && slices.Contains(tr.From, s) {
				reached[tr.To] = true
				queue = append(queue, tr.To)
			}
		}
	}
	return reached
}
