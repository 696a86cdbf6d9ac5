package access

import (
	"fmt"
	"slices"
	"strings"
)

// Scope is decided here, once, for every type of object: as an SQL condition for lists, counts,
// exports and aggregates (Scope.Where), and as a check on one loaded object for reads, actions
// and the live stream (Scope.Reaches, GrantReaches). Both read the same Kind, so they cannot
// disagree: a relation a module declares (a case's reporters and followers, the departments a
// case is dispatched to, the units a whistle summons, the parties of a dispute) counts in both.

// Relation links an object to the users or handling units it concerns. Either Column names a
// column of the object's own table, or Table links the two: Table.ObjectColumn holds the object's
// id and Table.SubjectColumn the user ID or unit code.
type Relation struct {
	Name                               string // what the relation means ("reporter", "follower", "department")
	Column                             string
	Table, ObjectColumn, SubjectColumn string
}

// Kind declares, for one type of object, how scope finds its place and its relations. Each
// module declares its kinds; no module reads grant tables itself.
type Kind struct {
	Name string // object type, as events and the audit log name it ("case")
	// Read is the permission that lets a caller see objects of this kind (the live stream uses it).
	Read Permission
	// Path is the column holding the object's org path (materialised, "/350503/350503001/…/").
	Path string
	// ID is the object's id column (for Table relations); "id" when empty.
	ID string
	// Users are the relations that make an object a user's own (Reach Own).
	Users []Relation
	// Units are the relations that put an object before a handling unit (Reach Dispatched).
	Units []Relation
	// Places are relations whose subjects are org paths: the object is also in reach wherever
	// one of them is (a directive is where each of its target grids is). Table relations only.
	Places []Relation
}

// Object is one loaded object as scope sees it. Its Users and Units must hold what the Kind's
// relations hold for it, so that Reaches agrees with Where.
type Object struct {
	Kind  string   `json:"kind"`
	ID    string   `json:"id,omitempty"`
	Path  string   `json:"path,omitempty"`
	Users []string `json:"users,omitempty"`
	Units []string `json:"units,omitempty"`
	// Places are the org paths the Kind's Places relations hold for the object.
	Places []string `json:"places,omitempty"`
}

// Reaches reports whether an object is in scope: below one of its paths, related to the caller,
// or before one of the caller's units.
func (s Scope) Reaches(o Object) bool {
	if o.Path != "" && s.Covers(o.Path) {
		return true
	}
	for _, p := range o.Places {
		if s.Covers(p) {
			return true
		}
	}
	if s.UserID != "" && slices.Contains(o.Users, s.UserID) {
		return true
	}
	for _, u := range s.Departments {
		if slices.Contains(o.Units, u) {
			return true
		}
	}
	return false
}

// GrantReaches reports whether the caller userID, acting under grant g with permission perm,
// reaches o. Actions pick their grant with it (the role recorded in events and audit).
func GrantReaches(userID string, g Grant, perm Permission, o Object) bool {
	switch Allowed(g.Role, perm) {
	case Own:
		return userID != "" && slices.Contains(o.Users, userID)
	case Subtree:
		return o.at(g.OrgPath)
	case District:
		return o.at(districtPath(g.OrgPath))
	case Dispatched:
		return slices.Contains(o.Units, g.OrgCode)
	}
	return g.Role == "system"
}

// at reports whether the object's path or one of its places lies below prefix.
func (o Object) at(prefix string) bool {
	if o.Path != "" && strings.HasPrefix(o.Path, prefix) {
		return true
	}
	for _, p := range o.Places {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// Where returns the SQL condition that holds for rows of kind k (table alias alias) in scope,
// with its arguments numbered from next. It is never empty: no reach at all is "1 = 0".
func (s Scope) Where(k Kind, alias string, next int) (string, []any) {
	var parts []string
	var args []any
	if len(s.Paths) > 0 {
		cond, a := s.PathCondition(alias+"."+k.Path, next)
		parts, args = append(parts, cond), append(args, a...)
		next += len(a)
		for _, r := range k.Places {
			cond, a := s.PathCondition("rel."+r.SubjectColumn, next)
			parts = append(parts, fmt.Sprintf("EXISTS (SELECT 1 FROM %s rel WHERE rel.%s = %s.%s AND %s)",
				r.Table, r.ObjectColumn, alias, k.idColumn(), cond))
			args = append(args, a...)
			next += len(a)
		}
	}
	if s.UserID != "" && len(k.Users) > 0 {
		var own []string
		for _, r := range k.Users {
			own = append(own, r.condition(k, alias, fmt.Sprintf("$%d", next)))
		}
		parts, args = append(parts, "("+strings.Join(own, " OR ")+")"), append(args, s.UserID)
		next++
	}
	if len(s.Departments) > 0 && len(k.Units) > 0 {
		ph := make([]string, len(s.Departments))
		for i, d := range s.Departments {
			ph[i] = fmt.Sprintf("$%d", next)
			args = append(args, d)
			next++
		}
		list := strings.Join(ph, ",")
		for _, r := range k.Units {
			parts = append(parts, r.conditionIn(k, alias, list))
		}
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// condition is "this relation links the object to the subject placeholder".
func (r Relation) condition(k Kind, alias, placeholder string) string {
	if r.Column != "" {
		return alias + "." + r.Column + " = " + placeholder
	}
	return fmt.Sprintf("EXISTS (SELECT 1 FROM %s rel WHERE rel.%s = %s.%s AND rel.%s = %s)",
		r.Table, r.ObjectColumn, alias, k.idColumn(), r.SubjectColumn, placeholder)
}

// conditionIn is "this relation links the object to one of the listed subjects".
func (r Relation) conditionIn(k Kind, alias, list string) string {
	if r.Column != "" {
		return alias + "." + r.Column + " IN (" + list + ")"
	}
	return fmt.Sprintf("EXISTS (SELECT 1 FROM %s rel WHERE rel.%s = %s.%s AND rel.%s IN (%s))",
		r.Table, r.ObjectColumn, alias, k.idColumn(), r.SubjectColumn, list)
}

func (k Kind) idColumn() string {
	if k.ID == "" {
		return "id"
	}
	return k.ID
}
