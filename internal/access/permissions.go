package access

// Permission names one kind of thing a caller may do.
type Permission string

const (
	TerritoryRead   Permission = "territory.read"   // org tree, zones, grids and their polygons
	TerritoryLocate Permission = "territory.locate" // which grid holds a point (public geography)
	TerritoryWrite  Permission = "territory.write"  // import grids, edit the org tree
	DepartmentRead  Permission = "department.read"  // the list of departments
	UserRead        Permission = "user.read"        // list and read accounts
	UserWrite       Permission = "user.write"       // create, disable, reset, grant and revoke
	AuditRead       Permission = "audit.read"       // search and verify the audit log
	CalendarRead    Permission = "calendar.read"    // the work calendar (holidays, working hours)
	CalendarWrite   Permission = "calendar.write"   // replace a year of the work calendar
	CategoryRead    Permission = "category.read"    // the category catalogue and its time limits
	CategoryWrite   Permission = "category.write"   // edit categories, time limits and routing rules
	CaseReport      Permission = "case.report"      // report a problem (create a case)
	CaseRead        Permission = "case.read"        // read cases, their events and photos
	CaseAct         Permission = "case.act"         // take workflow actions (which ones: cases.workflow)
	CaseImport      Permission = "case.import"      // import historic cases from a district's old system
	// CaseContact shows a reporter's full contact details, to roles that call reporters back;
	// every reveal is audited.
	CaseContact Permission = "case.contact"
	// DeliveryRead lists the outbox's outside deliveries (SMS, WeChat) and sends a failed one again.
	// Deliveries belong to no org node: only a scope over the whole district reaches them.
	DeliveryRead Permission = "notify.deliveries"
	// EvalRead reads the indicators, rankings and briefings of the units in reach (package eval).
	EvalRead Permission = "eval.read"
	// EvalPeople reads the person tables (赛马场) of the staff in reach, with their evidence.
	EvalPeople Permission = "eval.people"
	// EvalPick records a leader's pick of a 担当者 candidate, with the reason.
	EvalPick Permission = "eval.pick"
	// EvalConfigure adds scoring schemes and scheme versions (district-wide only).
	EvalConfigure Permission = "eval.configure"
)

// Reach is how far a permission extends from the node where the role is held.
type Reach int

const (
	None       Reach = iota
	Own              // only the caller's own records
	Subtree          // the node and everything below it
	District         // the whole district the node belongs to
	Dispatched       // what is dispatched to the caller's department
)

// table is the role × permission matrix. It is data, read by Allowed and tested exhaustively.
var table = map[Role]map[Permission]Reach{
	Resident: {
		TerritoryRead: District, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseReport: District, CaseRead: Own, CaseAct: Own,
	},
	GridWorker: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseReport: District, CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead: Subtree,
	},
	IntakeOperator: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseReport: District, CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead: Subtree,
	},
	ShiftLead: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseReport: District, CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead: Subtree, EvalPeople: Subtree,
	},
	Dispatcher: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead: Subtree,
	},
	DepartmentStaff: {
		// A department serves the whole district, so it needs the whole map.
		TerritoryRead: District, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseRead: Dispatched, CaseAct: Dispatched, CaseContact: Dispatched,
		EvalRead: Dispatched,
	},
	Leader: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		UserRead:     Subtree,
		CalendarRead: District, CategoryRead: District,
		CaseRead: Subtree, CaseAct: Subtree,
		EvalRead: Subtree, EvalPeople: Subtree, EvalPick: Subtree,
	},
	SysAdmin: {
		TerritoryRead: Subtree, TerritoryLocate: District, TerritoryWrite: Subtree, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CalendarWrite: Subtree, CategoryWrite: Subtree,
		CaseImport: Subtree,
		// Held at the district node it reaches the whole district, which the deliveries need
		// (notify.Deliveries refuses a narrower scope); at a subdistrict it reaches none of them.
		DeliveryRead:  Subtree,
		EvalConfigure: Subtree,
	},
	SecAdmin: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		UserRead: Subtree, UserWrite: Subtree,
		CalendarRead: District, CategoryRead: District,
	},
	AuditAdmin: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		AuditRead:    Subtree,
		CalendarRead: District, CategoryRead: District,
	},
	// Community staff run their community: its cases are theirs to follow (they do not take desk
	// actions; the community's topics, disputes and directives come with those modules).
	CommunityStaff: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseReport: District, CaseRead: Subtree,
		EvalRead: Subtree,
	},
	// Volunteers report what they find on patrol and follow their own reports, like residents.
	Volunteer: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseReport: District, CaseRead: Own,
	},
	// Mediators see the map of their node; disputes bring their own permissions.
	Mediator: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
	},
	DirectoryEditor: {
		TerritoryRead: District, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
	},
	FinanceOfficer: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
	},
}

// Allowed returns how far role reaches with perm (None when it may not).
func Allowed(role Role, perm Permission) Reach {
	return table[role][perm]
}

// Permissions lists every permission in a stable order.
var Permissions = []Permission{TerritoryRead, TerritoryLocate, TerritoryWrite, DepartmentRead,
	UserRead, UserWrite, AuditRead, CalendarRead, CalendarWrite, CategoryRead, CategoryWrite,
	CaseReport, CaseRead, CaseAct, CaseImport, CaseContact, DeliveryRead,
	EvalRead, EvalPeople, EvalPick, EvalConfigure}
