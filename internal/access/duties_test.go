package access

import "testing"

// Separated duties (等保 2.0 level 3, GB/T 22239-2019 8.1.10.2/8.1.10.3 审计管理, 安全管理): the audit
// log is the audit_admin's alone, and the three administrators' duties do not overlap — the
// sys_admin neither manages accounts nor reads the log, the sec_admin neither reads it nor runs
// the system, the audit_admin changes nothing.
func TestSeparatedAdminDuties(t *testing.T) {
	for _, role := range Roles {
		if got := Allowed(role, AuditRead); (got != None) != (role == AuditAdmin) {
			t.Errorf("%s × audit.read = %d", role, got)
		}
	}
	exclusive := map[Permission]Role{UserWrite: SecAdmin, AuditRead: AuditAdmin, TerritoryWrite: SysAdmin,
		CalendarWrite: SysAdmin, CategoryWrite: SysAdmin, CaseImport: SysAdmin, DeliveryRead: SysAdmin,
		EvalConfigure: SysAdmin}
	for perm, owner := range exclusive {
		for _, role := range []Role{SysAdmin, SecAdmin, AuditAdmin} {
			if got := Allowed(role, perm); (got != None) != (role == owner) {
				t.Errorf("%s × %s = %d: the duty is %s's", role, perm, got, owner)
			}
		}
	}
}
