package participant

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// Kind is what a participant of a zone's 1+N roster is (standards-cn.md, 1+N): the one lead
// party organisation (党组织) and the N participating units (单位), firms (企业), social
// organisations (社会组织) and volunteer teams (志愿服务队).
type Kind string

const (
	Lead          Kind = "lead"
	Unit          Kind = "unit"
	Firm          Kind = "firm"
	SocialOrg     Kind = "social_org"
	VolunteerTeam Kind = "volunteer_team"
)

// Kinds lists the kinds of participant.
var Kinds = []Kind{Lead, Unit, Firm, SocialOrg, VolunteerTeam}

// Pledge kinds (共建项目 / 资源清单) and statuses.
var (
	PledgeKinds    = []string{"project", "resource"}
	PledgeStatuses = []string{"pledged", "in_progress", "delivered"}
)

// ObjectKind is how scope sees a participant: at its zone's path, and also wherever one of the
// zone's grids is (a zone spans communities: 东梅社区's staff and volunteers reach the roster of the
// zone their grids belong to, as org.Zones shows them the zone). The relation reads the grids
// table by zone code, so the kind's id column is the participant's zone_code.
var ObjectKind = access.Kind{Name: "participant", Read: access.ParticipantRead, Path: "path", ID: "zone_code",
	Places: []access.Relation{{Name: "grid", Table: "grids", ObjectColumn: "zone_code", SubjectColumn: "path"}}}

// HoursEvent is recorded when hours await a manager's confirmation.
const HoursEvent = "participant.hours"

// Participant is one member of a zone's 1+N roster. Contact details are masked unless the caller
// manages the roster (participant.manage).
type Participant struct {
	ID           string    `json:"id"`
	ZoneCode     string    `json:"zone_code"`
	Kind         Kind      `json:"kind"`
	Name         string    `json:"name"`
	ContactName  string    `json:"contact_name,omitempty"`
	ContactPhone string    `json:"contact_phone,omitempty"`
	Masked       bool      `json:"contact_masked"`
	Pledges      []Pledge  `json:"pledges"`
	Members      *int      `json:"members,omitempty"` // volunteer teams: how many members
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Pledge is what a participant pledged: a joint project (共建项目) or a resource (资源清单).
type Pledge struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Kind        string    `json:"kind"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Roster is a zone's 1+N roster.
type Roster struct {
	ZoneCode     string        `json:"zone_code"`
	ZoneName     string        `json:"zone_name"`
	Subdistrict  string        `json:"subdistrict_code"`
	Lead         *Participant  `json:"lead"`
	Participants []Participant `json:"participants"`
}

// Member is a member of a volunteer team: an account (user_id) or a named person without one.
type Member struct {
	ID       string    `json:"id"`
	TeamID   string    `json:"team_id"`
	UserID   string    `json:"user_id,omitempty"`
	Name     string    `json:"name"`
	JoinedAt time.Time `json:"joined_at"`
}

// VolunteerID is how hours name a volunteer: the account's user ID, or the member's ID for a
// person without an account.
func (m Member) VolunteerID() string {
	if m.UserID != "" {
		return m.UserID
	}
	return m.ID
}

// Team is a volunteer team as the list shows it.
type Team struct {
	ID       string `json:"id"`
	ZoneCode string `json:"zone_code"`
	ZoneName string `json:"zone_name"`
	Name     string `json:"name"`
	Members  int    `json:"members"`
}

// HoursEntry is hours logged outside patrols.
type HoursEntry struct {
	ID          string     `json:"id"`
	VolunteerID string     `json:"volunteer_id"`
	TeamID      string     `json:"team_id"`
	Day         string     `json:"day"`
	Minutes     int        `json:"minutes"`
	Note        string     `json:"note"`
	Status      string     `json:"status"` // pending or confirmed
	LoggedBy    string     `json:"logged_by"`
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	path        string
	zone        string
}

// Hours is a volunteer's hours over a period: patrol time counts by itself, logged hours once
// confirmed; pending hours are shown but not counted (participation.md §5).
type Hours struct {
	VolunteerID      string       `json:"volunteer_id"`
	From             string       `json:"from"`
	To               string       `json:"to"`
	PatrolMinutes    int          `json:"patrol_minutes"`
	ConfirmedMinutes int          `json:"confirmed_minutes"`
	PendingMinutes   int          `json:"pending_minutes"`
	TotalMinutes     int          `json:"total_minutes"`
	Entries          []HoursEntry `json:"entries"`
}
