package whistle

import (
	"slices"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// ObjectKind is how scope sees a whistle (access decides; this package only declares): it lies
// where its case lies (a community's staff reach the whistles of its grids, a subdistrict's those
// of its communities), and it is before every unit it summons (a department's staff reach the
// whistles that summon their department, and no other).
var ObjectKind = access.Kind{Name: "whistle", Read: access.WhistleRead, Path: "path",
	Units: []access.Relation{
		{Name: "summoned", Table: "whistle_summons", ObjectColumn: "whistle_id", SubjectColumn: "department_code"},
	},
}

// object is the whistle as scope sees it; its units are what ObjectKind's relation holds.
func (w Whistle) object() access.Object {
	o := access.Object{Kind: ObjectKind.Name, ID: w.ID, Path: w.path}
	for _, s := range w.Summons {
		o.Units = append(o.Units, s.DepartmentCode)
	}
	return o
}

// grantFor picks the grant under which the caller takes action on w with permission perm: a
// role the flow allows for the action, held where it reaches the whistle. unit, when set, is the
// summoned unit the caller answers for: the grant must be that unit's.
func grantFor(p *access.Principal, w Whistle, perm access.Permission, roles []access.Role, unit string) (access.Grant, bool) {
	o := w.object()
	for _, g := range p.Grants {
		if !slices.Contains(roles, g.Role) || !access.GrantReaches(p.UserID, g, perm, o) {
			continue
		}
		if unit != "" && g.OrgCode != unit {
			continue
		}
		return g, true
	}
	return access.Grant{}, false
}

// subdistrictPath is the path of the subdistrict a whistle's place lies in
// ("/350503/350503001/…/" → "/350503/350503001/"): its leaders are told of late check-ins.
func subdistrictPath(path string) string {
	n := 0
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			if n++; n == 3 {
				return path[:i+1]
			}
		}
	}
	return path
}
