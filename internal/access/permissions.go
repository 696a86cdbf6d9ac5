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
	// NotifyConfigure words the message templates and sets the SMS and WeChat gateways (district
	// sys_admin, the configuration pages).
	NotifyConfigure Permission = "notify.configure"
	// EvalRead reads the indicators, rankings and briefings of the units in reach (package eval).
	EvalRead Permission = "eval.read"
	// EvalPeople reads the person tables (赛马场) of the staff in reach, with their evidence.
	EvalPeople Permission = "eval.people"
	// EvalPick records a leader's pick of a 担当者 candidate, with the reason.
	EvalPick Permission = "eval.pick"
	// EvalConfigure adds scoring schemes and scheme versions (district-wide only).
	EvalConfigure Permission = "eval.configure"
	// WhistleRead reads whistles (吹哨) in reach: those of cases below the caller's node, and a
	// department's staff those that summon their department.
	WhistleRead Permission = "whistle.read"
	// WhistleBlow blows the whistle on a case, closes the whistle and rates the units summoned.
	WhistleBlow Permission = "whistle.blow"
	// WhistleAnswer is a summoned unit's part (报到): acknowledge, check in on site, report its task.
	WhistleAnswer Permission = "whistle.answer"
	// DirectiveRead reads directives (指令) issued in reach or targeting grids in reach.
	DirectiveRead Permission = "directive.read"
	// DirectiveIssue issues a directive (or its Update or Cancel) to targets in reach.
	DirectiveIssue Permission = "directive.issue"
	// DirectiveAck acknowledges a directive for a grid in reach and reports its action done.
	DirectiveAck Permission = "directive.ack"
	// PatrolRead reads patrol plans, patrols and their logs (民情日志) in reach.
	PatrolRead Permission = "patrol.read"
	// PatrolRun starts a patrol, checks its points and records findings.
	PatrolRun Permission = "patrol.run"
	// PatrolPlan writes patrol plans (frequency, route points, checklist) for grids in reach.
	PatrolPlan Permission = "patrol.plan"
	// ParticipantRead reads a zone's 1+N roster: lead organisation, participating units, volunteer teams.
	ParticipantRead Permission = "participant.read"
	// ParticipantManage edits rosters, teams and pledges, and confirms volunteers' hours.
	ParticipantManage Permission = "participant.manage"
	// AddressSearch finds door-plate addresses and places in the gazetteer (地址库) as one types,
	// and the nearest address of a point.
	AddressSearch Permission = "address.search"
	// AddressWrite imports the gazetteer.
	AddressWrite Permission = "address.write"
	// DirectoryEdit keeps the service directory (一网速查) of the units in reach: proposes entries
	// and changes, reviews other editors' changes, edits places and synonyms, reads the query log.
	// Reading the directory needs no permission: it is public.
	DirectoryEdit Permission = "directory.edit"
	// LedgerRead reads the seed fund (财政启动资金) of the zones in reach: a zone's fund figures,
	// its ledger entries with their postings and evidence, and the periodic closes.
	LedgerRead Permission = "ledger.read"
	// LedgerWrite makes seed-fund ledger entries, approves (posts) or rejects another finance
	// officer's entries (maker and checker differ), and attaches evidence.
	LedgerWrite Permission = "ledger.write"
	// ProjectRead reads the zone projects (特色项目) in reach with their backward plans and progress.
	ProjectRead Permission = "project.read"
	// ProjectPlan creates zone projects in reach and records their milestones' progress.
	ProjectPlan Permission = "project.plan"
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
		CalendarRead: District, CategoryRead: District, AddressSearch: District,
		CaseReport: District, CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead:    Subtree,
		WhistleRead: Subtree, WhistleBlow: Subtree, DirectiveRead: Subtree, DirectiveAck: Subtree,
		PatrolRead: Subtree, PatrolRun: Subtree, ParticipantRead: Subtree,
	},
	IntakeOperator: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District, AddressSearch: District,
		CaseReport: District, CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead: Subtree,
	},
	ShiftLead: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District, AddressSearch: District,
		CaseReport: District, CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead: Subtree, EvalPeople: Subtree,
		WhistleRead: Subtree, WhistleBlow: Subtree, DirectiveRead: Subtree, DirectiveIssue: Subtree,
		PatrolRead: Subtree, PatrolPlan: Subtree, ParticipantRead: Subtree, ParticipantManage: Subtree,
		ProjectRead: Subtree, ProjectPlan: Subtree,
	},
	Dispatcher: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District, AddressSearch: District,
		CaseRead: Subtree, CaseAct: Subtree, CaseContact: Subtree,
		EvalRead:    Subtree,
		WhistleRead: Subtree, WhistleBlow: Subtree, DirectiveRead: Subtree, PatrolRead: Subtree, ParticipantRead: Subtree,
	},
	DepartmentStaff: {
		// A department serves the whole district, so it needs the whole map.
		TerritoryRead: District, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District, AddressSearch: District,
		CaseRead: Dispatched, CaseAct: Dispatched, CaseContact: Dispatched,
		EvalRead:    Dispatched,
		WhistleRead: Dispatched, WhistleAnswer: Dispatched,
	},
	Leader: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		UserRead:     Subtree,
		CalendarRead: District, CategoryRead: District, AddressSearch: District,
		CaseRead: Subtree, CaseAct: Subtree,
		EvalRead: Subtree, EvalPeople: Subtree, EvalPick: Subtree,
		WhistleRead: Subtree, WhistleBlow: Subtree, DirectiveRead: Subtree, DirectiveIssue: Subtree,
		PatrolRead: Subtree, PatrolPlan: Subtree, ParticipantRead: Subtree, ParticipantManage: Subtree,
		LedgerRead: Subtree, ProjectRead: Subtree, ProjectPlan: Subtree,
	},
	SysAdmin: {
		TerritoryRead: Subtree, TerritoryLocate: District, TerritoryWrite: Subtree, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District, AddressSearch: District, AddressWrite: Subtree,
		CalendarWrite: Subtree, CategoryWrite: Subtree,
		CaseImport: Subtree,
		// Held at the district node it reaches the whole district, which the deliveries need
		// (notify.Deliveries refuses a narrower scope); at a subdistrict it reaches none of them.
		DeliveryRead:    Subtree,
		NotifyConfigure: Subtree,
		EvalConfigure:   Subtree,
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
	// actions), its directives theirs to acknowledge, its patrols theirs to plan.
	CommunityStaff: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District, AddressSearch: District,
		CaseReport: District, CaseRead: Subtree,
		EvalRead:    Subtree,
		WhistleRead: Subtree, WhistleBlow: Subtree, DirectiveRead: Subtree, DirectiveAck: Subtree,
		PatrolRead: Subtree, PatrolPlan: Subtree, ParticipantRead: Subtree, ParticipantManage: Subtree,
		ProjectRead: Subtree, ProjectPlan: Subtree,
	},
	// Volunteers report what they find on patrol and follow their own reports, like residents; they
	// run the patrols of their node and read their own.
	Volunteer: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		CaseReport: District, CaseRead: Own,
		PatrolRead: Own, PatrolRun: Subtree, ParticipantRead: Subtree,
	},
	// Mediators see the map of their node; disputes bring their own permissions.
	Mediator: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
	},
	DirectoryEditor: {
		TerritoryRead: District, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District, DirectoryEdit: Subtree,
	},
	FinanceOfficer: {
		TerritoryRead: Subtree, TerritoryLocate: District, DepartmentRead: District,
		CalendarRead: District, CategoryRead: District,
		LedgerRead: Subtree, LedgerWrite: Subtree,
	},
}

// Allowed returns how far role reaches with perm (None when it may not).
func Allowed(role Role, perm Permission) Reach {
	return table[role][perm]
}

// Permissions lists every permission in a stable order.
var Permissions = []Permission{TerritoryRead, TerritoryLocate, TerritoryWrite, DepartmentRead,
	UserRead, UserWrite, AuditRead, CalendarRead, CalendarWrite, CategoryRead, CategoryWrite,
	CaseReport, CaseRead, CaseAct, CaseImport, CaseContact, DeliveryRead, NotifyConfigure,
	EvalRead, EvalPeople, EvalPick, EvalConfigure,
	WhistleRead, WhistleBlow, WhistleAnswer, DirectiveRead, DirectiveIssue, DirectiveAck,
	PatrolRead, PatrolRun, PatrolPlan, ParticipantRead, ParticipantManage, AddressSearch, AddressWrite,
	DirectoryEdit, LedgerRead, LedgerWrite, ProjectRead, ProjectPlan}
