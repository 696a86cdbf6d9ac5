package cases

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// NewCase is a report as the API and the import take it (the same field names).
type NewCase struct {
	ExternalID    string  `json:"external_id,omitempty"`
	Channel       Channel `json:"channel,omitempty"`
	Kind          Kind    `json:"kind,omitempty"`
	CategoryClass string  `json:"category_class,omitempty"`
	CategoryCode  string  `json:"category_code,omitempty"`
	Urgency       Urgency `json:"urgency,omitempty"`
	Lat           float64 `json:"lat"`
	Lng           float64 `json:"lng"`
	Address       string  `json:"address,omitempty"`
	Description   string  `json:"description"`
	ReporterName  string  `json:"reporter_name,omitempty"`
	ReporterPhone string  `json:"reporter_phone,omitempty"`
	Anonymous     bool    `json:"anonymous,omitempty"`
	// Private: the reporter chose not to publish the report (不公开); it never enters the public view.
	Private    bool       `json:"private,omitempty"`
	ReportedAt *time.Time `json:"reported_at,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
}

// Limits on what a report may carry.
const (
	MaxDescription = 2000
	MaxAddress     = 200
)

// channelFor decides the channel from the reporter's role: a resident reports through the app, a
// grid worker from patrol, the hotline desk for callers and walk-ins.
func channelFor(role access.Role, asked Channel) (Channel, error) {
	allowed := map[access.Role][]Channel{
		access.Resident:       {ResidentApp},
		access.GridWorker:     {Patrol},
		access.IntakeOperator: {Hotline, WalkIn, Patrol, Sensor},
		access.ShiftLead:      {Hotline, WalkIn, Patrol, Sensor},
		access.Volunteer:      {Patrol},
		// Community staff report what residents bring to the community office, and what they see.
		access.CommunityStaff: {WalkIn, Patrol},
	}[role]
	if asked == "" && len(allowed) > 0 {
		return allowed[0], nil
	}
	if !slices.Contains(allowed, asked) {
		return "", apperr.New(apperr.Invalid, "case.bad_channel", asked)
	}
	return asked, nil
}

func (in *NewCase) validate() error {
	var details []apperr.Detail
	bad := func(field, key string) {
		details = append(details, apperr.Detail{Field: field, Message: key})
	}
	if in.Kind == "" {
		in.Kind = "report"
	}
	if !slices.Contains(Kinds, in.Kind) {
		bad("kind", "case.bad_kind")
	}
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
	if !slices.Contains(Urgencies, in.Urgency) {
		bad("urgency", "case.bad_urgency")
	}
	if !(in.Lat >= -90 && in.Lat <= 90 && in.Lng >= -180 && in.Lng <= 180) || (in.Lat == 0 && in.Lng == 0) {
		bad("lat", "case.bad_location")
	}
	in.Description = strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Description); n < 2 || n > MaxDescription {
		bad("description", "case.bad_description")
	}
	if utf8.RuneCountInString(in.Address) > MaxAddress || utf8.RuneCountInString(in.ReporterName) > 64 {
		bad("address", "case.too_long")
	}
	if in.ReporterPhone != "" {
		p, ok := pii.NormalizeContact(in.ReporterPhone)
		if !ok {
			bad("reporter_phone", "auth.bad_phone")
		}
		in.ReporterPhone = p
	}
	if len(in.ExternalID) > 64 {
		bad("external_id", "case.too_long")
	}
	if len(details) > 0 {
		return apperr.New(apperr.Invalid, details[0].Message).WithDetails(details)
	}
	return nil
}

// Create takes a report from the resident app, the hotline desk or patrol (POST /api/v1/cases):
// the channel follows the caller's role, a resident is the case's reporter, and an anonymous or
// account-less reporter gets a follow link. The case goes through the intake pipeline.
func (s *Service) Create(ctx context.Context, in NewCase) (Case, error) {
	scope, err := access.Need(ctx, access.CaseReport)
	if err != nil {
		return Case{}, err
	}
	p, _ := access.From(ctx)
	grant := scope.Primary()
	if in.Channel, err = channelFor(grant.Role, in.Channel); err != nil {
		return Case{}, err
	}
	it := &intake{Intake: Intake{NewCase: in}, actor: access.ActorOf(ctx, grant), now: s.Now(), followLink: true}
	// A reporter who reads only their own cases (a resident, a volunteer) follows the report
	// as its reporter.
	if access.Allowed(grant.Role, access.CaseRead) == access.Own {
		it.reporterID, it.reporterName = p.UserID, p.DisplayName
	}
	c, err := s.take(ctx, it)
	if err != nil {
		return Case{}, err
	}
	return s.present(ctx, scope, c), nil
}

// Intake is a report from a channel outside this package (Open311 API clients), translated to
// what the pipeline takes: the report, and the options that make its channel's differences.
type Intake struct {
	NewCase
	// Unlocated: the reporter gave no point. The report waits at the desk of the subdistrict or
	// community named here (the district's when both are empty), which locates it (reclassify)
	// before anything else; it is neither confirmed first nor checked for duplicates.
	Unlocated       bool
	SubdistrictCode string
	CommunityCode   string
	// EventData is added to the data of the report event (what the channel knows beside the report).
	EventData map[string]any
	// Record writes what the channel keeps beside the case, in the case's transaction. A group
	// commit may run it more than once: it must derive what it writes from its arguments.
	Record func(ctx context.Context, tx *sql.Tx, c Case) error
}

// Take runs a report of another channel through the intake pipeline, as the caller in ctx (who
// records it). The reporter has no account here. The case comes back as stored, not presented:
// the channel answers in its own terms.
func (s *Service) Take(ctx context.Context, in Intake) (Case, error) {
	scope, err := access.Need(ctx, access.CaseReport)
	if err != nil {
		return Case{}, err
	}
	if in.Channel == Import || !slices.Contains(Channels, in.Channel) {
		return Case{}, apperr.New(apperr.Invalid, "case.bad_channel", in.Channel)
	}
	return s.take(ctx, &intake{Intake: in, actor: access.ActorOf(ctx, scope.Primary()), now: s.Now()})
}
