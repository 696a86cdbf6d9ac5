package whistle

import (
	"context"
	"time"
)

// Kind is why a whistle is blown (standards-cn.md §3.3: 群众诉求 the street cannot solve alone,
// 综合执法, 应急处置).
type Kind string

const (
	Daily     Kind = "daily"     // 日常
	Hard      Kind = "hard"      // 疑难
	Emergency Kind = "emergency" // 应急
)

// Kinds lists every kind.
var Kinds = []Kind{Daily, Hard, Emergency}

// Status is where a whistle stands.
type Status string

const (
	Open      Status = "open"      // the summoned units are on their way or at work
	Closed    Status = "closed"    // the case is solved and the whistler confirmed it (事不完、人不撤)
	Cancelled Status = "cancelled" // called off by the whistler, with a note
)

// Statuses lists every status.
var Statuses = []Status{Open, Closed, Cancelled}

// Answer is where one summoned unit stands (its 报到).
type Answer string

const (
	Summoned     Answer = "summoned"     // told, not yet answered
	Acknowledged Answer = "acknowledged" // the unit said it is coming
	CheckedIn    Answer = "checked_in"   // on site: time and position recorded
	TaskDone     Answer = "task_done"    // the unit reported its task done
)

// Answers lists every state of a summons.
var Answers = []Answer{Summoned, Acknowledged, CheckedIn, TaskDone}

// Whistle is a whistle as the API shows it.
type Whistle struct {
	ID              string     `json:"id"`
	CaseID          string     `json:"case_id"`
	CaseNumber      string     `json:"case_number,omitempty"`
	Kind            Kind       `json:"kind"`
	Status          Status     `json:"status"`
	Ask             string     `json:"ask"`
	Lat             float64    `json:"lat"`
	Lng             float64    `json:"lng"`
	GridCode        string     `json:"grid_code"`
	CommunityCode   string     `json:"community_code"`
	SubdistrictCode string     `json:"subdistrict_code"`
	CheckInMinutes  *int       `json:"check_in_minutes,omitempty"` // the whistler's own deadline, when set
	FlagDistanceM   int        `json:"flag_distance_m"`            // from the rules in force when blown
	BlownBy         string     `json:"blown_by"`
	BlownByName     string     `json:"blown_by_name"`
	BlownRole       string     `json:"blown_role"`
	BlownAt         time.Time  `json:"blown_at"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	CancelledAt     *time.Time `json:"cancelled_at,omitempty"`
	Note            string     `json:"note,omitempty"` // the cancellation's reason, or the closing note
	Summons         []Summons  `json:"summons"`

	path     string
	blownOrg string // the org code of the grant the whistler blew under (audit)
}

// Summons is one summoned unit's task and answer.
type Summons struct {
	DepartmentCode string     `json:"department_code"`
	DepartmentName string     `json:"department_name,omitempty"`
	Task           string     `json:"task"`
	Status         Answer     `json:"status"`
	DueAt          time.Time  `json:"due_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	CheckedInAt    *time.Time `json:"checked_in_at"`
	// Late: checked in after the deadline, or not checked in and the deadline has passed.
	Late bool `json:"late"`
	// Flagged: checked in farther from the place than the whistle's flag distance (accepted, never silently).
	Flagged     bool       `json:"flagged"`
	DistanceM   *int       `json:"distance_m"`
	CheckInLat  *float64   `json:"check_in_lat,omitempty"`
	CheckInLng  *float64   `json:"check_in_lng,omitempty"`
	TaskDoneAt  *time.Time `json:"task_done_at,omitempty"`
	TaskNote    string     `json:"task_note,omitempty"`
	EscalatedAt *time.Time `json:"escalated_at,omitempty"`
	Stars       *int       `json:"stars,omitempty"`
	RatingNote  string     `json:"rating_note,omitempty"`
	RatedAt     *time.Time `json:"rated_at,omitempty"`
}

// CasePlace is a case as the whistle needs it: where it is and how far it has come.
type CasePlace struct {
	ID, Number                               string
	Path                                     string // the case's org path (its grid's)
	GridCode, CommunityCode, SubdistrictCode string
	Lat, Lng                                 float64
	Located                                  bool // the case lies in a grid (an unlocated case has no place to go to)
	Open                                     bool // not closed, voided or merged
	Solved                                   bool // the fix is confirmed (verified) or the case is closed
}

// Cases gives the case a whistle is blown on (package cases, adapted in app).
type Cases interface {
	// Place returns the case as the caller sees it: a NotFound error when the caller may not
	// read it.
	Place(ctx context.Context, caseID string) (CasePlace, error)
}

// Unit is a handling unit that may be summoned.
type Unit struct{ Code, Name string }

// Units finds handling units (org nodes of kind department, package org, adapted in app).
type Units interface {
	// Department returns the department of code; ok is false when there is none.
	Department(ctx context.Context, code string) (u Unit, ok bool, err error)
}

// Calendar is the work calendar as the whistle needs it (package calendar, adapted in app).
type Calendar interface {
	// WorkingTime is the working time in [from, to).
	WorkingTime(from, to time.Time) time.Duration
	// AddWorkingDays is the instant n working days after start (calendar.Deadline in days).
	AddWorkingDays(start time.Time, n int) time.Time
}

// Clock gives the current work calendar (it is data, and may change).
type Clock interface {
	Calendar(ctx context.Context) (Calendar, error)
}
