package cases

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/grid"
)

// Channel is how a report arrived.
type Channel string

const (
	ResidentApp Channel = "resident_app"
	Hotline     Channel = "hotline_12345"
	Patrol      Channel = "patrol"
	Open311     Channel = "open311"
	Sensor      Channel = "sensor"
	WalkIn      Channel = "walk_in"
	Import      Channel = "import" // historic import from a district's old system
)

// Channels lists every channel.
var Channels = []Channel{ResidentApp, Hotline, Patrol, Open311, Sensor, WalkIn, Import}

// public channels carry reports from the public: they need a grid worker's confirmation (核实)
// before registration when the category says so.
func (c Channel) public() bool {
	return c == ResidentApp || c == Hotline || c == Open311 || c == WalkIn
}

// Kind is what the reporter asks for (诉求类型).
type Kind string

// Kinds: 咨询/求助/投诉/举报/建议.
var Kinds = []Kind{"inquiry", "help", "complaint", "report", "suggestion"}

// Urgency is 紧急程度.
type Urgency string

// Urgencies: normal / urgent / emergency.
var Urgencies = []Urgency{"normal", "urgent", "emergency"}

// Stage names the clock that is running; each has a time limit per category × urgency.
type Stage string

const (
	StageConfirm  Stage = "confirm"
	StageRegister Stage = "register"
	StageDispatch Stage = "dispatch"
	StageSign     Stage = "sign"
	StageHandle   Stage = "handle"
	StageVerify   Stage = "verify"
	StageClose    Stage = "close"
	StageNone     Stage = "" // no clock: closed, voided, shelved, deferred …
)

// stageOf says which clock runs in a status.
func stageOf(s Status) Stage {
	switch s {
	case Confirming:
		return StageConfirm
	case Reported:
		return StageRegister
	case Registered, Returned:
		return StageDispatch
	case Dispatched:
		return StageSign
	case Handling:
		return StageHandle
	case ReportedBack:
		return StageVerify
	case Verified:
		return StageClose
	}
	return StageNone
}

// CategoryRef is what the case desk needs to know of a category.
type CategoryRef struct {
	Class            string        `json:"class"`
	Code             string        `json:"code"`
	Name             string        `json:"name"`
	ConfirmRequired  bool          `json:"-"`
	RequiresPhoto    bool          `json:"-"` // report_back needs a photo marked after the fix
	Active           bool          `json:"-"`
	DuplicateRadiusM int           `json:"-"`
	DuplicateWindow  time.Duration `json:"-"`
}

// Catalogue finds categories (package category, adapted in app).
type Catalogue interface {
	Category(ctx context.Context, class, code string) (CategoryRef, error)
}

// Clock computes deadlines on the work calendar with the category's time limits (packages
// calendar and category, adapted in app).
type Clock interface {
	// Due returns the deadline of a stage started at start; ok is false when the stage has no limit.
	Due(ctx context.Context, cat CategoryRef, urgency Urgency, stage Stage, start time.Time) (due time.Time, ok bool, err error)
	// Share returns the share of working time used between start and due at now (0…>1).
	Share(ctx context.Context, start, due, now time.Time) (float64, error)
	// WorkingDays counts the working days from from's day to to's day, both included (0 when
	// to is before from).
	WorkingDays(ctx context.Context, from, to time.Time) (int, error)
}

// Router suggests the lead department (package routing, adapted in app).
type Router interface {
	Route(ctx context.Context, cat CategoryRef, loc grid.Summary, urgency Urgency, at time.Time) (lead string, assisting []string, ok bool, err error)
}

// Case is a case as the API shows it. Contact details appear only masked, and only to roles
// that deal with the reporter.
type Case struct {
	ID                  string     `json:"id"`
	Number              string     `json:"number"`
	ExternalID          string     `json:"external_id,omitempty"`
	Status              Status     `json:"status"`
	Channel             Channel    `json:"channel"`
	Kind                Kind       `json:"kind"`
	CategoryClass       string     `json:"category_class,omitempty"`
	CategoryCode        string     `json:"category_code,omitempty"`
	CategoryName        string     `json:"category_name,omitempty"`
	Urgency             Urgency    `json:"urgency"`
	Lat                 float64    `json:"lat"`
	Lng                 float64    `json:"lng"`
	Address             string     `json:"address,omitempty"`
	Description         string     `json:"description"`
	GridCode            string     `json:"grid_code"`
	GridName            string     `json:"grid_name,omitempty"`
	CommunityCode       string     `json:"community_code"`
	CommunityName       string     `json:"community_name,omitempty"`
	SubdistrictCode     string     `json:"subdistrict_code"`
	SubdistrictName     string     `json:"subdistrict_name,omitempty"`
	ZoneCode            string     `json:"zone_code,omitempty"`
	Anonymous           bool       `json:"anonymous"`
	ReporterName        string     `json:"reporter_name,omitempty"`
	ReporterPhone       string     `json:"reporter_phone,omitempty"`
	LeadDepartment      string     `json:"department_code,omitempty"`
	SuggestedDepartment string     `json:"suggested_department_code,omitempty"`
	Assisting           []string   `json:"assisting_department_codes,omitempty"`
	ReworkCount         int        `json:"rework_count"`
	ReopenCount         int        `json:"reopen_count"`
	SuperviseCount      int        `json:"supervise_count"`
	ExtensionPending    bool       `json:"extension_pending"`
	MergedInto          string     `json:"merged_into,omitempty"`
	Rating              Rating     `json:"rating,omitempty"`
	Stage               Stage      `json:"stage,omitempty"`
	StageStartedAt      time.Time  `json:"stage_started_at"`
	StageDue            *time.Time `json:"stage_due,omitempty"`
	Deadline            *time.Time `json:"deadline,omitempty"` // the handling deadline
	// ExpectedDays is how many working days, today included, remain until the handling deadline
	// ("预计 3 个工作日内处理完"); one case read only, open cases with a deadline.
	ExpectedDays *int       `json:"expected_working_days,omitempty"`
	ReviewDate   *time.Time `json:"review_date,omitempty"` // when a shelved or deferred case is looked at again
	Light        string     `json:"sla,omitempty"`         // green / yellow / red
	ReportedAt   time.Time  `json:"reported_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Duplicates   []Nearby   `json:"duplicates,omitempty"`
	// AllowedActions are the actions the caller may take now (for the page's buttons).
	AllowedActions []Action `json:"allowed_actions"`
	FollowToken    string   `json:"follow_token,omitempty"` // shown once, to an anonymous reporter
	// Following is true when the caller only follows the case (joined it, or their report was
	// merged into it): they see its public face, as the public list shows it.
	Following bool `json:"following,omitempty"`
	// Step is the status in the resident's words (publicview.go).
	Step PublicStep `json:"step"`
	// Private: the reporter chose not to publish the case (不公开).
	Private bool `json:"private"`
	// Public is true when the case is in the public view now (publicview.go).
	Public bool `json:"public"`
	// PublicText is the text staff set for the public (nil: the description, redacted).
	PublicText *string `json:"public_text,omitempty"`
	// PublicReply is the handling unit's reply to the public (答复).
	PublicReply string `json:"public_reply,omitempty"`

	path      string
	reporter  string
	followers []string // reporters of duplicates merged into this case (case_reporters)
	state     State
	imported  bool // the handling deadline came from the old system
}

// Nearby is an open case that may be the same problem.
type Nearby struct {
	ID        string  `json:"id"`
	Number    string  `json:"number"`
	Status    Status  `json:"status"`
	DistanceM int     `json:"distance_m"`
	Text      string  `json:"description"`
	Score     float64 `json:"score"`
}

// Event is one recorded step of a case's history.
type Event struct {
	Seq       int            `json:"seq"`
	Action    Action         `json:"action"`
	Status    Status         `json:"status"`
	Step      PublicStep     `json:"step"` // the status in the resident's words
	ActorName string         `json:"actor,omitempty"`
	Role      string         `json:"role,omitempty"`
	OrgCode   string         `json:"org_code,omitempty"`
	At        time.Time      `json:"at"`
	Note      string         `json:"note,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
	Public    bool           `json:"public"`
}

// For writers of whole case histories outside the desk (package casegen, synthetic data):

// StageOf says which clock runs in a status.
func StageOf(s Status) Stage { return stageOf(s) }

// NoClockDue is the stage_due of a case without a running clock: it sorts after all others.
func NoClockDue() time.Time { return farFuture }

// SearchKey is the key of a case's row in the keyword index on SQLite (searchkey.go).
func SearchKey(reportedAt time.Time, rowid int64) int64 { return searchKey(reportedAt, rowid) }
