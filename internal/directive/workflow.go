package directive

import (
	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/flow"
)

// AckStatus is where one target grid's acknowledgement (签收回执) stands.
type AckStatus string

const (
	Unacknowledged AckStatus = "unacknowledged"
	Acknowledged   AckStatus = "acknowledged"
	Done           AckStatus = "done" // the required action was reported done (which acknowledges too)
)

// AckAction is what a grid's worker does with a directive.
type AckAction string

const (
	Ack        AckAction = "ack"  // 签收: received and understood
	ReportDone AckAction = "done" // 完成: the action the directive requires was taken
)

// ackers are the roles that acknowledge for a grid (participation.md §4: the grid's worker, or
// the community's staff for the community).
var ackers = []access.Role{access.GridWorker, access.CommunityStaff}

// ackFlow is a target's workflow. Repeats are idempotent: acknowledging an acknowledged grid
// or reporting a done grid done again leaves it as it is, so a worker on a bad connection may
// send twice.
var ackFlow = flow.New(flow.Table[AckStatus, AckAction, access.Role]{
	Name:    "directive",
	States:  []AckStatus{Unacknowledged, Acknowledged, Done},
	Initial: []AckStatus{Unacknowledged},
	Transitions: []flow.Transition[AckStatus, AckAction, access.Role]{
		{Action: Ack, Roles: ackers, From: []AckStatus{Unacknowledged}, To: Acknowledged},
		{Action: Ack, Roles: ackers, From: []AckStatus{Acknowledged, Done}},
		{Action: ReportDone, Roles: ackers, From: []AckStatus{Unacknowledged, Acknowledged}, To: Done},
		{Action: ReportDone, Roles: ackers, From: []AckStatus{Done}},
	},
})
