// Package cases is 一网统管's case desk: one case per problem, from the report to the resident's
// verdict. This file holds the workflow as data — which role may take which action in which
// status, and where each action leads — as pure functions, tested exhaustively.
package cases

import (
	"slices"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/flow"
)

// Status is where a case stands.
type Status string

const (
	Confirming   Status = "confirming"    // a public report awaits a grid worker's on-site confirmation (核实)
	Reported     Status = "reported"      // 信息收集: awaits registration (立案) or voiding
	Registered   Status = "registered"    // 立案: awaits dispatch (派遣)
	Dispatched   Status = "dispatched"    // awaits the lead department's signature (签收)
	Returned     Status = "returned"      // the department sent it back (退回); the dispatcher arbitrates
	Handling     Status = "handling"      // the department works on it (处置)
	ReportedBack Status = "reported_back" // the department says it is done (反馈); awaits verification (核查)
	Verified     Status = "verified"      // the fix was confirmed on site; awaits closure (结案)
	Closed       Status = "closed"        // 结案; the reporter may rate it
	Voided       Status = "voided"        // 作废
	Merged       Status = "merged"        // a duplicate merged into another case
	Shelved      Status = "shelved"       // 挂账: cannot be solved now; parked with a review date
	Deferred     Status = "deferred"      // 缓办: postponed by rule
)

// Statuses lists every status.
var Statuses = []Status{Confirming, Reported, Registered, Dispatched, Returned, Handling, ReportedBack,
	Verified, Closed, Voided, Merged, Shelved, Deferred}

// Open reports whether work on the case is still due.
func (s Status) Open() bool {
	return s != Closed && s != Voided && s != Merged
}

// Action is one step of the workflow; each is recorded as an event.
type Action string

const (
	Report           Action = "report"            // the intake itself
	Confirm          Action = "confirm"           // 核实 (result pass|fail)
	Register         Action = "register"          // 立案
	Void             Action = "void"              // 作废
	Merge            Action = "merge"             // 合并 into another case
	Dispatch         Action = "dispatch"          // 派遣 (department_code, assisting)
	Sign             Action = "sign"              // 签收
	Return           Action = "return"            // 退回 with a reason
	RejectReturn     Action = "reject_return"     // the dispatcher upholds the dispatch
	Handle           Action = "handle"            // 处置: a progress note
	ReportBack       Action = "report_back"       // 反馈 with evidence
	Verify           Action = "verify"            // 核查 (result pass|fail)
	Rework           Action = "rework"            // 返工
	Close            Action = "close"             // 结案
	Rate             Action = "rate"              // 评价 (satisfied|mostly|unsatisfied)
	Reopen           Action = "reopen"            // 重办 after an unsatisfied rating (recorded by the system)
	Overrule         Action = "overrule"          // the desk keeps the case closed despite the rating
	RequestExtension Action = "request_extension" // 延期申请
	ApproveExtension Action = "approve_extension" // 延期批准
	RefuseExtension  Action = "refuse_extension"  // 延期驳回
	Shelve           Action = "shelve"            // 挂账
	Unshelve         Action = "unshelve"
	Defer            Action = "defer" // 缓办
	Resume           Action = "resume"
	Supervise        Action = "supervise" // 督办
	Comment          Action = "comment"
	Reclassify       Action = "reclassify" // the desk corrects category, place or urgency; routing and clocks follow
)

// Actions lists the actions a person can take through the API (Report and Reopen are not
// taken, they happen).
var Actions = []Action{Confirm, Register, Void, Merge, Dispatch, Sign, Return, RejectReturn, Handle,
	ReportBack, Verify, Rework, Close, Rate, Overrule, RequestExtension, ApproveExtension, RefuseExtension,
	Shelve, Unshelve, Defer, Resume, Supervise, Comment, Reclassify}

var (
	anyOpen = []Status{Confirming, Reported, Registered, Dispatched, Returned, Handling, ReportedBack,
		Verified, Shelved, Deferred}
	desk      = []access.Role{access.ShiftLead}
	needsNote = []flow.Need{flow.Note}
)

// caseFlow is the role × action × status table (GB/T 30428.8 / CJ/T 315 seven steps, plus the
// local 退回, 延期, 挂账, 缓办, 督办 and 重办 practices). A row without To leaves the status as
// it is; results such as verify fail, and the return to the previous status, are decided in Next.
var caseFlow = flow.New(flow.Table[Status, Action, access.Role]{
	Name:    "case",
	States:  Statuses,
	Initial: []Status{Confirming, Reported}, // a public report awaiting confirmation, or any other
	Transitions: []flow.Transition[Status, Action, access.Role]{
		{Action: Confirm, Roles: []access.Role{access.GridWorker}, From: []Status{Confirming}, To: Reported},
		{Action: Register, Roles: desk, From: []Status{Reported}, To: Registered},
		{Action: Void, Roles: desk, From: []Status{Confirming, Reported, Registered}, To: Voided, Needs: needsNote},
		// A resident merges their own new report into a duplicate offered to them: they follow it.
		{Action: Merge, Roles: []access.Role{access.IntakeOperator, access.ShiftLead},
			From: []Status{Confirming, Reported, Registered}, To: Merged},
		{Action: Dispatch, Roles: []access.Role{access.Dispatcher}, From: []Status{Registered, Returned}, To: Dispatched},
		{Action: Sign, Roles: []access.Role{access.DepartmentStaff}, From: []Status{Dispatched}, To: Handling},
		{Action: Return, Roles: []access.Role{access.DepartmentStaff}, From: []Status{Dispatched, Handling}, To: Returned, Needs: needsNote},
		{Action: RejectReturn, Roles: []access.Role{access.Dispatcher}, From: []Status{Returned}, To: Dispatched},
		{Action: Handle, Roles: []access.Role{access.DepartmentStaff}, From: []Status{Handling}, Needs: needsNote},
		{Action: ReportBack, Roles: []access.Role{access.DepartmentStaff}, From: []Status{Handling}, To: ReportedBack},
		{Action: Verify, Roles: []access.Role{access.GridWorker}, From: []Status{ReportedBack}, To: Verified},
		{Action: Rework, Roles: desk, From: []Status{ReportedBack, Verified}, To: Handling, Needs: needsNote},
		{Action: Close, Roles: desk, From: []Status{Verified}, To: Closed},
		{Action: Rate, Roles: []access.Role{access.Resident, access.IntakeOperator}, From: []Status{Closed}},
		{Action: Overrule, Roles: desk, From: []Status{Handling}, To: Closed, Needs: needsNote},
		// The note of an extension request is checked in Next, after who may ask.
		{Action: RequestExtension, Roles: []access.Role{access.DepartmentStaff}, From: []Status{Dispatched, Handling}},
		{Action: ApproveExtension, Roles: []access.Role{access.Dispatcher}, From: []Status{Dispatched, Handling}},
		{Action: RefuseExtension, Roles: []access.Role{access.Dispatcher}, From: []Status{Dispatched, Handling}, Needs: needsNote},
		{Action: Shelve, Roles: desk, From: []Status{Registered, Dispatched, Handling}, To: Shelved, Needs: needsNote},
		{Action: Unshelve, Roles: desk, From: []Status{Shelved}},
		{Action: Defer, Roles: desk, From: []Status{Registered, Dispatched, Handling}, To: Deferred, Needs: needsNote},
		{Action: Resume, Roles: desk, From: []Status{Deferred}},
		{Action: Supervise, Roles: []access.Role{access.Leader}, From: anyOpen, Needs: needsNote},
		{Action: Reclassify, Roles: []access.Role{access.IntakeOperator, access.ShiftLead},
			From: []Status{Confirming, Reported, Registered, Returned}},
		{Action: Comment, Roles: []access.Role{access.Resident, access.GridWorker, access.IntakeOperator, access.ShiftLead,
			access.Dispatcher, access.DepartmentStaff, access.Leader}, From: append(slices.Clone(anyOpen), Closed), Needs: needsNote},
	},
})

// step is one action's roles and from-statuses, as importer.go and read.go read them from
// workflow; caseFlow.Roles and caseFlow.From say the same.
type step struct {
	roles []access.Role
	from  []Status
}

// workflow is caseFlow by action.
var workflow = func() map[Action]step {
	byAction := map[Action]step{}
	for _, a := range Actions {
		byAction[a] = step{roles: caseFlow.Roles(a), from: caseFlow.From(a)}
	}
	return byAction
}()

// Rating is the reporter's verdict.
type Rating string

const (
	Satisfied   Rating = "satisfied"
	Mostly      Rating = "mostly"
	Unsatisfied Rating = "unsatisfied"
)

// State is the part of a case the workflow decides on.
type State struct {
	Status             Status
	PreviousStatus     Status // before shelve/defer
	ReopenCount        int
	Rating             Rating
	ExtensionPending   bool
	Reopened           bool // currently in 重办 (an unsatisfied rating reopened it)
	LeadDepartment     string
	Rated              bool // a final rating was given (the case stays closed)
	ReturnedDepartment string
}

// Input is what an actor brings to an action.
type Input struct {
	Action         Action
	Role           access.Role
	Result         string // confirm / verify: "pass" | "fail"
	Rating         Rating
	DepartmentCode string
	Note           string
	// IsReporter is true when the actor reported the case (a resident may only rate their own).
	IsReporter bool
	// IsLeadDepartment is true when a department actor belongs to the lead department.
	IsLeadDepartment bool
}

// Outcome is what an action does to the case.
type Outcome struct {
	Next       State
	Reopen     bool // an unsatisfied rating reopened the case (record a reopen event)
	Rework     bool // a failed verification sent it back (record a rework)
	StageReset bool // a new stage starts: compute its deadline
}

// contains reports whether list holds v (importer.go checks channels with it).
func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Allowed reports whether role may take action at all (regardless of status).
func Allowed(role access.Role, action Action) bool {
	return caseFlow.Allowed(role, action)
}

// Next applies an action to a state: it refuses an illegal action with a clear error (the key
// names what is wrong) and otherwise returns the new state.
func Next(st State, in Input) (Outcome, error) {
	// The table decides who, from where, to where, and the notes it asks for.
	inputs := flow.Inputs{flow.Note.Input: in.Note}
	to, err := caseFlow.Next(st.Status, in.Action, in.Role, inputs)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Next: st}
	next := &out.Next
	if to != st.Status {
		next.Status = to
		out.StageReset = true
	}
	needNote := func() error { return caseFlow.Require(in.Action, inputs, flow.Note) }
	switch in.Action {
	case Confirm, Verify:
		if in.Result != "pass" && in.Result != "fail" {
			return Outcome{}, apperr.New(apperr.Invalid, "case.bad_result")
		}
		if in.Action == Verify && in.Result == "fail" {
			if err := needNote(); err != nil {
				return Outcome{}, err
			}
			next.Status, out.Rework = Handling, true
		}
	}
	switch in.Action {
	case Dispatch:
		if in.DepartmentCode == "" {
			return Outcome{}, apperr.New(apperr.Invalid, "case.department_required")
		}
		next.LeadDepartment, next.ExtensionPending, next.ReturnedDepartment = in.DepartmentCode, false, ""
	case Sign, Return, Handle, ReportBack, RequestExtension:
		if !in.IsLeadDepartment {
			return Outcome{}, apperr.New(apperr.Forbidden, "case.not_lead_department")
		}
		if in.Action == Return {
			next.ReturnedDepartment = st.LeadDepartment
		}
		if in.Action == RequestExtension {
			if st.ExtensionPending {
				return Outcome{}, apperr.New(apperr.Conflict, "case.extension_pending")
			}
			if err := needNote(); err != nil {
				return Outcome{}, err
			}
			next.ExtensionPending = true
		}
	case ApproveExtension, RefuseExtension:
		if !st.ExtensionPending {
			return Outcome{}, apperr.New(apperr.Conflict, "case.no_extension_pending")
		}
		next.ExtensionPending = false
	case RejectReturn:
		next.LeadDepartment, next.ReturnedDepartment = st.ReturnedDepartment, ""
	case Shelve, Defer:
		next.PreviousStatus = st.Status
	case Unshelve, Resume:
		next.Status, next.PreviousStatus, out.StageReset = st.PreviousStatus, "", true
	case Close:
		next.Reopened = false
	case Overrule:
		if !st.Reopened {
			return Outcome{}, apperr.New(apperr.Conflict, "case.nothing_to_overrule")
		}
		// The reporter's verdict stands as given; it is not asked again.
		next.Reopened, next.Rated = false, true
	case Rate:
		if in.Role == access.Resident && !in.IsReporter {
			return Outcome{}, apperr.New(apperr.Forbidden, "case.not_reporter")
		}
		if st.Rated {
			return Outcome{}, apperr.New(apperr.Conflict, "case.already_rated")
		}
		switch in.Rating {
		case Satisfied, Mostly:
		case Unsatisfied:
			// 不满意重办: the first unsatisfied verdict reopens the case once.
			if st.ReopenCount == 0 {
				next.Status, next.ReopenCount, next.Reopened, out.Reopen, out.StageReset = Handling, 1, true, true, true
			}
		default:
			return Outcome{}, apperr.New(apperr.Invalid, "case.bad_rating")
		}
		next.Rating = in.Rating
		next.Rated = next.Status == Closed
	}
	return out, nil
}

// I18nKey names the status's text in the catalogue.
func (s Status) I18nKey() string { return "case.status." + string(s) }

// I18nKey names the action's text in the catalogue.
func (a Action) I18nKey() string { return "case.action." + string(a) }
