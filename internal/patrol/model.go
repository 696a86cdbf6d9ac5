package patrol

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/flow"
)

// FlagDistance is how far from a planned point a check may be taken before it is flagged: a
// check more than 200 m away was not taken at the point (the whistle-blowing rule of thumb for
// 报到 on site, standards-cn.md §3.3).
const FlagDistance = 200.0

// Limits on what a plan and a patrol carry.
const (
	MaxPoints      = 50
	MaxChecklist   = 30
	MaxAssignees   = 50
	MaxPerWeek     = 21
	MaxText        = 500
	MaxDescription = 2000
)

// PlanKind is how scope sees a patrol plan: the grid's path, and its assignees as the users it
// belongs to, so that a volunteer (patrol.read Own) reads the plans assigned to them, by name or
// through their volunteer team (participation.md §5: volunteers are assigned to shifts as teams).
var PlanKind = access.Kind{Name: "patrol_plan", Read: access.PatrolRead, Path: "path",
	Users: []access.Relation{
		{Name: "assignee", Table: "patrol_plan_assignees", ObjectColumn: "plan_id", SubjectColumn: "subject"},
		{Name: "team member", Table: "(" + teamMembers + ")", ObjectColumn: "plan_id", SubjectColumn: "user_id"},
	}}

// teamMembers links plans to the accounts of the members of the teams assigned to them.
const teamMembers = `SELECT a.plan_id, m.user_id FROM patrol_plan_assignees a JOIN volunteer_members m ON m.team_id = a.subject
	WHERE a.kind = 'team' AND m.user_id <> ''`

// PatrolKind is how scope sees a patrol: the grid's path, and the person who walked it, so that a
// volunteer (patrol.read Own) reads their own patrols and nobody else's.
var PatrolKind = access.Kind{Name: "patrol", Read: access.PatrolRead, Path: "path",
	Users: []access.Relation{{Name: "patroller", Column: "started_by"}}}

// FindingEvent is recorded when a finding became a case.
const FindingEvent = "patrol.finding"

// Point is a point of a plan's route.
type Point struct {
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

// Assignee is a person or a volunteer team assigned to a plan.
type Assignee struct {
	Kind    string `json:"kind"` // user or team
	Subject string `json:"id"`
}

// Plan is a grid's patrol plan (巡查计划).
type Plan struct {
	ID        string     `json:"id"`
	GridCode  string     `json:"grid_code"`
	GridName  string     `json:"grid_name"`
	GridKind  string     `json:"grid_kind"`
	PerWeek   int        `json:"per_week"`
	Route     []Point    `json:"route"`
	Checklist []string   `json:"checklist"`
	Assignees []Assignee `json:"assignees"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	path      string
	// teamUsers are the accounts of the members of the teams assigned.
	teamUsers []string
}

func (p Plan) object() access.Object {
	o := access.Object{Kind: PlanKind.Name, ID: p.ID, Path: p.path, Users: p.teamUsers}
	for _, a := range p.Assignees {
		if a.Kind == "user" {
			o.Users = append(o.Users, a.Subject)
		}
	}
	return o
}

// Status of a patrol.
type Status string

const (
	Running Status = "running"
	Ended   Status = "ended"
)

// Action on a running patrol.
type Action string

const (
	Check   Action = "check"
	Find    Action = "find"
	Report  Action = "report"
	EndWalk Action = "end"
)

// walk is the patrol's state machine: the one who walks it checks points, records findings,
// reports them as cases and ends it; an ended patrol takes nothing more.
var walk = flow.New(flow.Table[Status, Action, access.Role]{
	Name:    "patrol",
	States:  []Status{Running, Ended},
	Initial: []Status{Running},
	Transitions: []flow.Transition[Status, Action, access.Role]{
		{Action: Check, Roles: walkers, From: []Status{Running}, To: Running},
		{Action: Find, Roles: walkers, From: []Status{Running}, To: Running},
		{Action: Report, Roles: walkers, From: []Status{Running, Ended}, To: ""},
		{Action: EndWalk, Roles: walkers, From: []Status{Running}, To: Ended},
	},
})

// walkers are the roles that run patrols (patrol.run).
var walkers = []access.Role{access.GridWorker, access.Volunteer}

// CheckRecord is a point checked on a patrol.
type CheckRecord struct {
	ID        string    `json:"id"`
	Point     int       `json:"point"`
	PointName string    `json:"point_name"`
	Lat       float64   `json:"lat"`
	Lng       float64   `json:"lng"`
	DistanceM float64   `json:"distance_m"`
	Flagged   bool      `json:"flagged"`
	CheckedAt time.Time `json:"checked_at"`
}

// Finding is a problem seen on a patrol; CaseID is set once it became a case.
type Finding struct {
	ID            string    `json:"id"`
	PatrolID      string    `json:"patrol_id"`
	Description   string    `json:"description"`
	Lat           float64   `json:"lat"`
	Lng           float64   `json:"lng"`
	CategoryClass string    `json:"category_class,omitempty"`
	CategoryCode  string    `json:"category_code,omitempty"`
	CaseID        string    `json:"case_id,omitempty"`
	CaseNumber    string    `json:"case_number,omitempty"`
	FoundAt       time.Time `json:"found_at"`
}

// Patrol is one round (巡查) of a grid.
type Patrol struct {
	ID        string            `json:"id"`
	PlanID    string            `json:"plan_id,omitempty"`
	GridCode  string            `json:"grid_code"`
	GridName  string            `json:"grid_name"`
	StartedBy string            `json:"started_by"`
	Status    Status            `json:"status"`
	StartedAt time.Time         `json:"started_at"`
	EndedAt   *time.Time        `json:"ended_at,omitempty"`
	Note      string            `json:"note,omitempty"`
	Answers   map[string]string `json:"answers"`
	Checks    []CheckRecord     `json:"checks"`
	Findings  []Finding         `json:"findings"`
	path      string
}

func (p Patrol) object() access.Object {
	return access.Object{Kind: PatrolKind.Name, ID: p.ID, Path: p.path, Users: []string{p.StartedBy}}
}

// CaseRef is the case a finding became.
type CaseRef struct {
	ID, Number string
}

// NewReport is what a finding hands the case desk.
type NewReport struct {
	Lat, Lng                    float64
	Description                 string
	CategoryClass, CategoryCode string
}
