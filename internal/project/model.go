package project

import (
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// Field is one of the five fields of zone projects (特色治理项目): 管理服务、环境卫生、综治平安、
// 产业发展、文明秩序.
type Field string

const (
	ManagementService Field = "management_service"
	Environment       Field = "environment"
	Safety            Field = "safety"
	Industry          Field = "industry"
	Civility          Field = "civility"
)

// Fields lists the fields in the order the district names them.
var Fields = []Field{ManagementService, Environment, Safety, Industry, Civility}

func (f Field) valid() bool { return slices.Contains(Fields, f) }

// Milestone statuses, computed at read time from the app clock (Status).
const (
	Planned    = "planned"     // not started, latest start not passed
	InProgress = "in_progress" // started, latest finish not passed
	AtRisk     = "at_risk"     // not started, its latest start has passed
	Overdue    = "overdue"     // not finished, its latest finish has passed
	Done       = "done"        // finished
)

// DateLayout is how dates travel: a local (Beijing) day.
const DateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD day as local midnight in the calendar's zone.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(DateLayout, s, calendar.Zone)
	return t, err == nil
}

// Input is a new project as POST /api/v1/projects takes it.
type Input struct {
	ZoneCode      string           `json:"zone_code"`
	Field         Field            `json:"field"`
	Title         string           `json:"title"`
	Goal          string           `json:"goal,omitempty"`
	OwnerUnitCode string           `json:"owner_unit_code"`
	Participants  []string         `json:"participants,omitempty"`
	BudgetFen     *int64           `json:"budget_fen,omitempty"`
	Deadline      string           `json:"deadline"`
	Milestones    []MilestoneInput `json:"milestones"`
	Tasks         []Task           `json:"tasks,omitempty"`
}

// MilestoneInput is one milestone of a new project: its working days and the indices of the
// milestones (in the same list) that must finish before it starts.
type MilestoneInput struct {
	Title        string `json:"title"`
	DurationDays int    `json:"duration_days"`
	DependsOn    []int  `json:"depends_on,omitempty"`
}

// Task is a piece of a project a responsible unit (责任单位) carries, optionally of one milestone.
type Task struct {
	UnitCode  string `json:"unit_code"`
	Title     string `json:"title"`
	Milestone *int   `json:"milestone,omitempty"`
}

// Project is a zone project with its backward plan.
type Project struct {
	ID            string      `json:"id"`
	ZoneCode      string      `json:"zone_code"`
	ZoneName      string      `json:"zone_name"`
	Field         Field       `json:"field"`
	Title         string      `json:"title"`
	Goal          string      `json:"goal"`
	OwnerUnitCode string      `json:"owner_unit_code"`
	Participants  []string    `json:"participants"`
	BudgetFen     *int64      `json:"budget_fen,omitempty"`
	Deadline      string      `json:"deadline"`
	PlannedStart  string      `json:"planned_start"` // the earliest latest start: when work must begin
	Status        string      `json:"status"`        // the worst milestone status
	Percent       int         `json:"percent"`       // progress rolled up, weighted by working days
	Milestones    []Milestone `json:"milestones"`
	Tasks         []Task      `json:"tasks"`
	CreatedBy     string      `json:"created_by"`
	CreatedAt     time.Time   `json:"created_at"`
	path          string
}

// Milestone is a milestone with its place in the plan, its progress and its status.
type Milestone struct {
	Index        int        `json:"index"`
	Title        string     `json:"title"`
	DurationDays int        `json:"duration_days"`
	DependsOn    []int      `json:"depends_on"`
	LatestStart  string     `json:"latest_start"`
	LatestFinish string     `json:"latest_finish"`
	Critical     bool       `json:"critical"`
	SlackDays    int        `json:"slack_days"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
	Percent      int        `json:"percent"`
	Status       string     `json:"status"`
	Evidence     []Evidence `json:"evidence"`
}

// Evidence is a note recorded with a milestone's progress.
type Evidence struct {
	Note      string    `json:"note"`
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
}

// ProgressInput records a milestone's progress: started, finished, a percent, a note (any of them).
type ProgressInput struct {
	Started  bool   `json:"started,omitempty"`
	Finished bool   `json:"finished,omitempty"`
	Percent  *int   `json:"percent,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Status is a milestone's status on the local day today: finished is done; past its latest finish
// unfinished is overdue; past its latest start unstarted is at risk. The latest start and finish
// days themselves are still in time.
func Status(m Milestone, today string) string {
	switch {
	case m.FinishedAt != nil:
		return Done
	case today > m.LatestFinish:
		return Overdue
	case m.StartedAt == nil && today > m.LatestStart:
		return AtRisk
	case m.StartedAt != nil:
		return InProgress
	}
	return Planned
}

// rank orders statuses from best to worst, for a project's status.
var rank = map[string]int{Done: 0, Planned: 1, InProgress: 2, AtRisk: 3, Overdue: 4}

// rollUp fills a project's status (its worst milestone's), percent (weighted by working days)
// and planned start from its milestones.
func (p *Project) rollUp(today string) {
	p.Status = Done
	var days, done int
	for i := range p.Milestones {
		m := &p.Milestones[i]
		m.Status = Status(*m, today)
		if rank[m.Status] > rank[p.Status] {
			p.Status = m.Status
		}
		if p.PlannedStart == "" || m.LatestStart < p.PlannedStart {
			p.PlannedStart = m.LatestStart
		}
		days += m.DurationDays
		done += m.DurationDays * m.Percent
	}
	if days > 0 {
		p.Percent = done / days
	}
}
