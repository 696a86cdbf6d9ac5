// Package access is the one place where yiwang decides who may do what, and over which part of
// the org tree. Every domain query asks it for a Scope and adds the Scope's SQL condition, so a
// handler cannot forget to restrict what a caller sees.
package access

// Role is a user's function, held at one node of the org tree (see GLOSSARY.md).
type Role string

const (
	Resident        Role = "resident"
	GridWorker      Role = "grid_worker"
	IntakeOperator  Role = "intake_operator"
	ShiftLead       Role = "shift_lead"
	Dispatcher      Role = "dispatcher"
	DepartmentStaff Role = "department_staff"
	Leader          Role = "leader"
	SysAdmin        Role = "sys_admin"
	SecAdmin        Role = "sec_admin"
	AuditAdmin      Role = "audit_admin"
	// The roles of the coordination, participation and money modules (GLOSSARY.md).
	CommunityStaff  Role = "community_staff"
	Volunteer       Role = "volunteer"
	Mediator        Role = "mediator"
	DirectoryEditor Role = "directory_editor"
	FinanceOfficer  Role = "finance_officer"
)

// Roles lists every role in a stable order.
var Roles = []Role{Resident, GridWorker, IntakeOperator, ShiftLead, Dispatcher, DepartmentStaff,
	Leader, SysAdmin, SecAdmin, AuditAdmin, CommunityStaff, Volunteer, Mediator, DirectoryEditor, FinanceOfficer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// Admin reports whether r is one of the three separated administrator duties (等保 2.0 三权分立).
func (r Role) Admin() bool {
	return r == SysAdmin || r == SecAdmin || r == AuditAdmin
}

// NodeKinds says at which kinds of org node a role may be granted.
func (r Role) NodeKinds() []string {
	switch r {
	case DepartmentStaff:
		return []string{"department"}
	case Resident, SysAdmin, SecAdmin, AuditAdmin:
		return []string{"district", "subdistrict"}
	case GridWorker, Volunteer:
		return []string{"subdistrict", "community"}
	case CommunityStaff:
		return []string{"community"}
	case Mediator:
		// 人民调解: committees in communities and subdistricts, and the district's centre.
		return []string{"district", "subdistrict", "community"}
	case DirectoryEditor:
		// Each unit keeps its own service entries, departments included.
		return []string{"district", "subdistrict", "community", "department"}
	default:
		return []string{"district", "subdistrict"}
	}
}

// I18nKey names the role's text in the catalogue.
func (r Role) I18nKey() string { return "role." + string(r) }
