package cases

import (
	"math"
	"slices"
)

// What is public, decided once (issue 14). Every public reading of cases — Open311 GET
// requests, the public JSON API and the /public page, a follower's view of someone else's
// case — goes through this file's rule and shapes; nothing else decides.
//
// A case is public when it has been registered (立案) — a report awaiting confirmation (核实)
// or registration is not yet the district's business — and none of these holds: the reporter
// chose not to publish it (不公开), it was voided or merged, or its category is on the
// district's sensitive list (categories.sensitive, set on the 类别与时限 page: 举报 of persons,
// a person's situation, security). The kind is no guide: "report" is every intake's default.

// publicStatuses are the statuses a registered case passes through that the public may see.
var publicStatuses = []Status{Registered, Dispatched, Returned, Handling, ReportedBack, Verified, Closed, Shelved, Deferred}

// publicWhere is the rule as a SQL condition on cases c LEFT JOIN categories cat.
const publicWhere = `NOT c.private AND NOT COALESCE(cat.sensitive, false)
	AND c.status IN ('registered','dispatched','returned','handling','reported_back','verified','closed','shelved','deferred')`

// isPublic is publicWhere for one loaded case (the case page says whether it is public).
func isPublic(st Status, private, sensitive bool) bool {
	return !private && !sensitive && slices.Contains(publicStatuses, st)
}

// PublicStep is where a case stands in the resident's words: 已受理 → 已派单 → 处理中 → 已办结
// (→ 待评价 for the reporter, who may rate it), or 暂缓 while it is parked.
type PublicStep string

const (
	StepReceived   PublicStep = "received"   // 已收到: awaiting confirmation or registration
	StepAccepted   PublicStep = "accepted"   // 已受理: registered, awaiting dispatch
	StepDispatched PublicStep = "dispatched" // 已派单: the unit has not yet signed
	StepHandling   PublicStep = "handling"   // 处理中: the unit works on it, or the fix is being checked
	StepClosed     PublicStep = "closed"     // 已办结
	StepPaused     PublicStep = "paused"     // 暂缓处理: shelved (挂账) or deferred (缓办)
	StepEnded      PublicStep = "ended"      // 已结束: voided or merged into another report
)

// PublicSteps are the filter values of the public list, in order.
var PublicSteps = []PublicStep{StepAccepted, StepDispatched, StepHandling, StepClosed, StepPaused}

// StepOf says a status in plain words.
func StepOf(s Status) PublicStep {
	switch s {
	case Confirming, Reported:
		return StepReceived
	case Registered, Returned:
		return StepAccepted // a unit's 退回 is the desk's business: for the public it waits for dispatch
	case Dispatched:
		return StepDispatched
	case Handling, ReportedBack, Verified:
		return StepHandling
	case Closed:
		return StepClosed
	case Shelved, Deferred:
		return StepPaused
	}
	return StepEnded
}

// I18nKey names the step's plain words in the catalogue.
func (p PublicStep) I18nKey() string { return "case.step." + string(p) }

// statusesOf lists the public statuses a step stands for.
func statusesOf(p PublicStep) []Status {
	var out []Status
	for _, s := range publicStatuses {
		if StepOf(s) == p {
			out = append(out, s)
		}
	}
	return out
}

// ParsePublicStatus reads a status filter: a step (accepted, handling …) or one public status.
func ParsePublicStatus(v string) ([]Status, bool) {
	if slices.Contains(PublicSteps, PublicStep(v)) {
		return statusesOf(PublicStep(v)), true
	}
	if slices.Contains(publicStatuses, Status(v)) {
		return []Status{Status(v)}, true
	}
	return nil, false
}

// publicActions are the steps of a case shown on its public timeline, without their notes:
// what happened and when. Internal steps (督办, comments, extension requests, reclassification,
// the desk's arbitration of a 退回) and every note written to a colleague stay inside.
var publicActions = []Action{Report, Register, Dispatch, Sign, ReportBack, Verify, Rework, Close, Reopen, Overrule,
	ApproveExtension, Shelve, Unshelve, Defer, Resume}

// roundPlace rounds a point to 3 decimals (about 100 m): the place of the problem, not of the
// door of whoever reported it.
func roundPlace(v float64) float64 { return math.Round(v*1000) / 1000 }
