package cases

import (
	"github.com/yiwang-gov/yiwang/internal/access"
)

// ObjectKind is how scope sees a case (access decides; the case desk only declares): its place in the
// org tree, the users it belongs to (the reporter, and the reporters of duplicates merged into
// it, who follow it) and the departments it is dispatched to (lead or assisting).
var ObjectKind = access.Kind{Name: "case", Read: access.CaseRead, Path: "path",
	Users: []access.Relation{
		{Name: "reporter", Column: "reporter_id"},
		{Name: "follower", Table: "case_reporters", ObjectColumn: "case_id", SubjectColumn: "reporter_id"},
	},
	Units: []access.Relation{
		{Name: "department", Table: "case_departments", ObjectColumn: "case_id", SubjectColumn: "department_code"},
	},
}

// scopeCondition limits a case query (alias c) to what the caller reaches.
func scopeCondition(scope access.Scope, next int) (string, []any) {
	return scope.Where(ObjectKind, "c", next)
}

// object is the case as scope sees it; its relations hold what ObjectKind's relations hold.
func (c Case) object() access.Object {
	o := access.Object{Kind: ObjectKind.Name, ID: c.ID, Path: c.path, Users: c.followers}
	if c.reporter != "" {
		o.Users = append([]string{c.reporter}, c.followers...)
	}
	if c.LeadDepartment != "" {
		o.Units = append(o.Units, c.LeadDepartment)
	}
	o.Units = append(o.Units, c.Assisting...)
	return o
}
