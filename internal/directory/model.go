package directory

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/directory/hours"
)

// Categories are the directory's kinds of service, in the order residents see them (一网速查:
// 社保, 医保, 户籍, 民政, 残联, 计生, 老龄, 就业, 教育, 医疗, 文体, 便民). Their names are texts
// under "directory.category.".
var Categories = []string{"social_insurance", "medical_insurance", "household", "civil_affairs", "disability",
	"family_planning", "elderly", "employment", "education", "health", "culture_sports", "convenience"}

// PlaceKinds are the kinds of place a service is given at.
var PlaceKinds = []string{"office", "centre", "station", "life_circle", "clinic"}

// Service is one published entry of the directory.
type Service struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Aliases        []string  `json:"aliases"`
	Category       string    `json:"category"`
	CategoryName   string    `json:"category_name"`
	Description    string    `json:"description"`
	Materials      []string  `json:"materials"`
	Fees           string    `json:"fees"`
	ProcessingTime string    `json:"processing_time"`
	LegalBasis     string    `json:"legal_basis"`
	Online         bool      `json:"online"`
	OnlineURL      string    `json:"online_url"`
	UnitCode       string    `json:"unit_code"`
	UnitName       string    `json:"unit_name"`
	Places         []Place   `json:"places"`
	OpenNow        bool      `json:"open_now"`
	ReviewedAt     time.Time `json:"reviewed_at"`
	ReviewedByName string    `json:"reviewed_by_name"`
	// Stale says the entry has not been reviewed for the district's stale_months.
	Stale     bool      `json:"stale"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
	// Pending says a change of the entry awaits review (editors only).
	Pending *bool `json:"pending,omitempty"`

	path     string
	placeIDs []string
}

// Place is where services are given.
type Place struct {
	ID       string      `json:"id"`
	Code     string      `json:"code"`
	Name     string      `json:"name"`
	Kind     string      `json:"kind"`
	UnitCode string      `json:"unit_code"`
	Address  string      `json:"address"`
	Lat      float64     `json:"lat"`
	Lng      float64     `json:"lng"`
	Phone    string      `json:"phone"`
	Hours    hours.Hours `json:"hours"`
	// HoursText is the hours in words ("工作日 周一至周五 08:30-12:00,14:30-17:30").
	HoursText  string         `json:"hours_text"`
	OpenNow    bool           `json:"open_now"`
	NextChange *time.Time     `json:"next_change,omitempty"`
	Today      []hours.Period `json:"today"`
	// Serves are the org codes (community, subdistrict, district) whose residents the place serves.
	Serves    []string  `json:"serves"`
	UpdatedAt time.Time `json:"updated_at"`

	path string
}

// ServiceInput is an entry as an editor proposes it (POST, PUT, import).
type ServiceInput struct {
	Name           string   `json:"name"`
	Aliases        []string `json:"aliases"`
	Category       string   `json:"category"`
	Description    string   `json:"description"`
	Materials      []string `json:"materials"`
	Fees           string   `json:"fees"`
	ProcessingTime string   `json:"processing_time"`
	LegalBasis     string   `json:"legal_basis"`
	Online         bool     `json:"online"`
	OnlineURL      string   `json:"online_url"`
	UnitCode       string   `json:"unit_code"`
	PlaceIDs       []string `json:"place_ids"`
	// Version is the version the editor changed (PUT): a change of an entry changed since is refused.
	Version int `json:"version,omitempty"`
}

// PlaceInput is a place as an editor writes it.
type PlaceInput struct {
	Code     string      `json:"code"`
	Name     string      `json:"name"`
	Kind     string      `json:"kind"`
	UnitCode string      `json:"unit_code"`
	Address  string      `json:"address"`
	Lat      float64     `json:"lat"`
	Lng      float64     `json:"lng"`
	Phone    string      `json:"phone"`
	Hours    hours.Hours `json:"hours"`
	Serves   []string    `json:"serves"`
}

// Op is what a change does to an entry.
type Op string

const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Change is an editor's proposal, published once a second editor approves it.
type Change struct {
	ID             string        `json:"id"`
	ServiceID      string        `json:"service_id,omitempty"`
	Op             Op            `json:"op"`
	Service        ServiceInput  `json:"service"`
	Before         *ServiceInput `json:"before"`
	UnitCode       string        `json:"unit_code"`
	UnitName       string        `json:"unit_name"`
	ProposedByName string        `json:"proposed_by_name"`
	ProposedAt     time.Time     `json:"proposed_at"`
	Status         string        `json:"status"`
	ReviewedByName string        `json:"reviewed_by_name,omitempty"`
	ReviewedAt     *time.Time    `json:"reviewed_at,omitempty"`
	Note           string        `json:"note"`
	// CanReview says the caller may approve or reject it (never their own change).
	CanReview bool `json:"can_review"`

	proposedBy  string
	path        string
	baseVersion int
}

// Result is one search hit as residents see it.
type Result struct {
	ID           string      `json:"id"`
	Name         string      `json:"name"`
	Aliases      []string    `json:"aliases"`
	Category     string      `json:"category"`
	CategoryName string      `json:"category_name"`
	Online       bool        `json:"online"`
	OnlineURL    string      `json:"online_url"`
	OpenNow      bool        `json:"open_now"`
	UnitName     string      `json:"unit_name"`
	Match        string      `json:"match"`
	DistanceM    *float64    `json:"distance_m,omitempty"`
	Place        *PlaceBrief `json:"place,omitempty"`
	Fees         string      `json:"fees"`
	Summary      string      `json:"summary"`
}

// PlaceBrief is the place a search result points to: the nearest, or the first.
type PlaceBrief struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Address string  `json:"address"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	OpenNow bool    `json:"open_now"`
}

// QueryStat is what residents searched for, and how often it found nothing.
type QueryStat struct {
	Q         string    `json:"q"`
	Count     int       `json:"count"`
	ZeroCount int       `json:"zero_count"`
	LastAt    time.Time `json:"last_at"`
}

// Settings are the district's directory settings.
type Settings struct {
	// StaleMonths: an entry not reviewed for this many months is flagged stale.
	StaleMonths int `json:"stale_months"`
}
