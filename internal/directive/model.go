package directive

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// ObjectKind is how scope sees a directive (access decides; the module only declares): its place
// is the issuer's node, and it is also wherever one of its target grids is, so a community's
// staff and grid workers reach the directives that target any of its grids, and nothing else.
var ObjectKind = access.Kind{Name: "directive", Read: access.DirectiveRead, Path: "path",
	Places: []access.Relation{{Name: "target", Table: "directive_targets", ObjectColumn: "directive_id", SubjectColumn: "path"}}}

// State is where a directive stands. An Update supersedes the directive it references, a
// Cancel cancels it (CAP-v1.2 §3.2.1 msgType): either way its acknowledgements stop being due.
type State string

const (
	Active     State = "active"
	Superseded State = "superseded"
	Cancelled  State = "cancelled"
)

// Event types this module records in the outbox.
const (
	IssueEvent     = "directive.issue"
	AckEvent       = "directive.ack"
	EscalateEvent  = "directive.escalate"
	SupersedeEvent = "directive.supersede"
)

// EventTypes lists them, for Module.Events.
func EventTypes() []string { return []string{IssueEvent, AckEvent, EscalateEvent, SupersedeEvent} }

// Limits of what a request may carry.
const (
	MaxTitle       = 200
	MaxInstruction = 4000
	MaxNote        = 2000
	MaxCodes       = 50000 // codes in one target list
	// DefaultEscalationHours is how many working hours after the first escalation (to the
	// community) a still missing acknowledgement goes to the subdistrict's leaders.
	DefaultEscalationHours = 2
	MaxEscalationHours     = 240
)

// Target names where a directive goes: the union of whole districts, subdistricts, zones,
// communities and single grids, by code.
type Target struct {
	Districts    []string `json:"districts,omitempty"`
	Subdistricts []string `json:"subdistricts"`
	Zones        []string `json:"zones"`
	Communities  []string `json:"communities"`
	Grids        []string `json:"grids"`
}

func (t Target) empty() bool {
	return len(t.Districts)+len(t.Subdistricts)+len(t.Zones)+len(t.Communities)+len(t.Grids) == 0
}

// Input is a directive as issued (POST /api/v1/directives).
type Input struct {
	Title           string     `json:"title"`
	Instruction     string     `json:"instruction"`
	MsgType         MsgType    `json:"msg_type"`
	Category        Category   `json:"category,omitempty"`
	Urgency         Urgency    `json:"urgency"`
	Severity        Severity   `json:"severity"`
	Certainty       Certainty  `json:"certainty"`
	Target          Target     `json:"target"`
	AckDue          time.Time  `json:"ack_due"`
	ActionRequired  bool       `json:"action_required"`
	References      string     `json:"references,omitempty"`
	Effective       *time.Time `json:"effective,omitempty"`
	Expires         *time.Time `json:"expires,omitempty"`
	EscalationHours *int       `json:"escalation_hours,omitempty"`
}

// Directive is one directive as the API shows it.
type Directive struct {
	ID              string     `json:"id"`
	MsgType         MsgType    `json:"msg_type"`
	Status          State      `json:"status"`
	Title           string     `json:"title"`
	Instruction     string     `json:"instruction"`
	Category        Category   `json:"category"`
	Urgency         Urgency    `json:"urgency"`
	Severity        Severity   `json:"severity"`
	Certainty       Certainty  `json:"certainty"`
	Effective       *time.Time `json:"effective,omitempty"`
	Expires         *time.Time `json:"expires,omitempty"`
	AckDue          time.Time  `json:"ack_due"`
	EscalationHours int        `json:"escalation_hours"`
	EscalateAt      time.Time  `json:"escalate_at"`
	ActionRequired  bool       `json:"action_required"`
	References      string     `json:"references,omitempty"`
	SupersededBy    string     `json:"superseded_by,omitempty"`
	EndedAt         *time.Time `json:"ended_at,omitempty"`
	Target          Target     `json:"target"`
	AreaDesc        string     `json:"area_desc"`
	IssuerCode      string     `json:"issuer_code"`
	IssuerName      string     `json:"issuer_name"`
	IssuedBy        string     `json:"issued_by"`
	IssuedAt        time.Time  `json:"issued_at"`
	Targeted        int        `json:"targeted"`
	// Mine are the caller's own grids among the targets (those their directive.ack reaches).
	Mine []TargetState `json:"mine,omitempty"`

	path, issuedByID string
}

// TargetState is one target grid and where its acknowledgement stands.
type TargetState struct {
	GridCode        string     `json:"grid_code"`
	CommunityCode   string     `json:"community_code"`
	SubdistrictCode string     `json:"subdistrict_code"`
	ZoneCode        string     `json:"zone_code,omitempty"`
	Status          AckStatus  `json:"status"`
	AcknowledgedAt  *time.Time `json:"acknowledged_at,omitempty"`
	DoneAt          *time.Time `json:"done_at,omitempty"`
	Note            string     `json:"note,omitempty"`
	Lat             *float64   `json:"lat,omitempty"`
	Lng             *float64   `json:"lng,omitempty"`
	Overdue         bool       `json:"overdue"`
	EscalatedLevel  int        `json:"escalated_level"`

	path, acknowledgedBy string
}

// Grid is one grid of the territory, as target resolution needs it.
type Grid struct {
	Code, Name, Path, CommunityCode, SubdistrictCode, ZoneCode string
}

// Place is a district, subdistrict, community or zone of the territory.
type Place struct {
	Code, Name, Path string
}

// Territory is the district's map as directives need it, whole (not limited to the caller:
// the directive decides reach itself, on the issuer's directive.issue scope). app fills it from
// packages org and grid.
type Territory interface {
	// Places lists the places of a kind: "district", "subdistrict", "community" or "zone".
	Places(ctx context.Context, kind string) ([]Place, error)
	// Grids lists every grid with its community, subdistrict and zone.
	Grids(ctx context.Context) ([]Grid, error)
}

// Clock is the work calendar as directives need it.
type Clock interface {
	// AddWorkingHours is the instant n working hours after start (the calendar's Deadline).
	AddWorkingHours(ctx context.Context, start time.Time, hours int) (time.Time, error)
}
