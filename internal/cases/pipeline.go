package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// The intake pipeline. Every channel — the resident app, the hotline and patrol (Create), API
// client applications (package open311, through Take) and the historic import (Import) — only
// translates what it received into an intake; the same steps then make a case of it:
//
//	validate → locate → categorise → route → find duplicates → start the clock → replay history
//	→ store (case, search index, report event, history, channel records, audit, outbox event)
//
// The channels' differences are options of the intake, not copies of the steps.

// intake is one report on its way through the pipeline: what the channel gave, the options that
// set its channel's differences, and what the steps derive.
type intake struct {
	Intake
	actor access.Actor // who records the report (events, audit)
	now   time.Time    // when the desk took it (the report time of a live report)

	// Options set by the channel.
	reporterID   string   // the reporting account (residents), kept even when anonymous
	reporterName string   // the account's name, for a reporter who gave none
	followLink   bool     // offer an anonymous or account-less reporter a private follow link
	history      *history // a historic case (Import): report time, events and deadline as recorded

	// Derived by the steps.
	c        Case
	place    grid.Summary // where routing looks: the grid, or the node an unlocated report waits at
	category CategoryRef
	phoneEnc string // the reporter's phone, sealed
	nameEnc  string // the reporter's name, sealed (the row keeps it masked)
	token    string // the follow link's token, shown once
}

// check runs the steps that decide what the case will be, in order; nothing is written yet.
func (s *Service) check(ctx context.Context, it *intake) error {
	return s.steps(ctx, it, s.validate, s.locate, s.categorise, s.route, s.findDuplicates, s.startClock, s.replayHistory)
}

func (s *Service) steps(ctx context.Context, it *intake, steps ...func(context.Context, *intake) error) error {
	for _, step := range steps {
		if err := step(ctx, it); err != nil {
			return err
		}
	}
	return nil
}

// take runs a live report through the whole pipeline: check, store (group-committed when there is
// a group committer) and, once committed, announce. The case comes back as stored.
func (s *Service) take(ctx context.Context, it *intake) (Case, error) {
	if err := s.check(ctx, it); err != nil {
		return Case{}, err
	}
	if err := s.write(ctx, func(tx *sql.Tx) error { return s.store(ctx, tx, it) }); err != nil {
		return Case{}, err
	}
	s.wake()
	c := it.c
	c.FollowToken = it.token
	return c, nil
}

// prepare runs the first steps on a report — validate, locate, categorise, route — and returns
// the case they derive. The desk's reclassification corrects a case so.
func (s *Service) prepare(ctx context.Context, in NewCase) (prepared, error) {
	it := &intake{Intake: Intake{NewCase: in}, now: s.Now()}
	if err := s.steps(ctx, it, s.validate, s.locate, s.categorise, s.route); err != nil {
		return prepared{}, err
	}
	return prepared{c: it.c}, nil
}

type prepared struct{ c Case }

// validate checks the report's fields and takes its text and its reporter: name, sealed phone,
// account and follow link. Only a historic case may carry its report time, deadline and external id.
func (s *Service) validate(_ context.Context, it *intake) error {
	in := &it.NewCase
	if it.history == nil && (in.ReportedAt != nil || in.Deadline != nil || in.ExternalID != "") {
		return apperr.New(apperr.Invalid, "case.import_only")
	}
	err := in.validate()
	if it.Unlocated {
		err = withoutDetail(err, "lat") // no point was given
	}
	if err != nil {
		return err
	}
	c := &it.c
	c.Channel, c.Kind, c.Urgency, c.Description = in.Channel, in.Kind, in.Urgency, in.Description
	c.Address, c.Anonymous, c.ExternalID, c.Private = strings.TrimSpace(in.Address), in.Anonymous, in.ExternalID, in.Private
	if !in.Anonymous {
		c.ReporterName = strings.TrimSpace(in.ReporterName)
		if in.ReporterPhone != "" {
			it.phoneEnc, c.ReporterPhone = s.Vault.For(pii.Cases).Seal(in.ReporterPhone), pii.MaskPhone(in.ReporterPhone)
		}
	}
	if it.reporterID != "" {
		c.reporter = it.reporterID // kept even when anonymous: the resident follows their case in "my cases"
		if c.ReporterName == "" && !c.Anonymous {
			c.ReporterName = it.reporterName
		}
	}
	if c.ReporterName != "" {
		// Reporters' names are personal data: sealed at rest, kept masked for lists (等保 2.0).
		it.nameEnc, c.ReporterName = s.Vault.For(pii.Cases).Seal(c.ReporterName), pii.MaskName(c.ReporterName)
	}
	if it.followLink && (c.Anonymous || c.reporter == "") {
		it.token = newToken()
	}
	c.ReportedAt = it.now.UTC()
	if it.history != nil {
		c.ReportedAt = in.ReportedAt.UTC()
		if in.Deadline != nil {
			d := in.Deadline.UTC()
			c.Deadline, c.imported = &d, true
		}
	}
	c.UpdatedAt = c.ReportedAt
	return nil
}

// locate finds the unit grid of the report's point (outside the district: refused). An unlocated
// report waits at the desk of the node its channel resolved (the district's when none).
func (s *Service) locate(ctx context.Context, it *intake) error {
	c := &it.c
	if it.Unlocated {
		sub, com := it.SubdistrictCode, it.CommunityCode
		if com != "" && (sub == "" || !strings.HasPrefix(com, sub)) {
			return fmt.Errorf("unlocated report: community %s is not in subdistrict %s", com, sub)
		}
		c.SubdistrictCode, c.CommunityCode = sub, com
		c.path = "/" + s.districtCode(ctx) + "/"
		for _, code := range []string{sub, com} {
			if code != "" {
				c.path += code + "/"
			}
		}
		it.place = grid.Summary{SubdistrictCode: sub, CommunityCode: com}
		return nil
	}
	loc, err := s.Grids.Locate(ctx, it.Lat, it.Lng)
	if err != nil {
		return err
	}
	if !loc.Inside {
		return apperr.New(apperr.Invalid, "case.outside_district").WithDetails([]apperr.Detail{{Field: "lat", Message: "case.outside_district"}})
	}
	g := loc.Grid
	c.Lat, c.Lng = it.Lat, it.Lng
	c.GridCode, c.CommunityCode, c.SubdistrictCode, c.ZoneCode = g.Code, g.CommunityCode, g.SubdistrictCode, g.ZoneCode
	c.GridName, c.CommunityName, c.SubdistrictName = g.Name, g.CommunityName, g.SubdistrictName
	c.path = "/" + s.districtCode(ctx) + "/" + g.SubdistrictCode + "/" + g.CommunityCode + "/" + g.Code + "/"
	it.place = *g
	return nil
}

// categorise checks the category (known and active) and sets the first status: a located public
// report of a category with confirm_required awaits a grid worker's confirmation first.
func (s *Service) categorise(ctx context.Context, it *intake) error {
	if it.CategoryCode != "" {
		cat, err := s.Catalogue.Category(ctx, it.CategoryClass, it.CategoryCode)
		if code := apperr.CodeOf(err); code == apperr.NotFound || code == apperr.Invalid {
			return apperr.New(apperr.Invalid, "case.unknown_category", it.CategoryCode)
		} else if err != nil {
			return err
		}
		if !cat.Active {
			return apperr.New(apperr.Invalid, "case.inactive_category", it.CategoryCode)
		}
		it.category = cat
	}
	c := &it.c
	c.CategoryClass, c.CategoryCode, c.CategoryName = it.category.Class, it.category.Code, it.category.Name
	c.Status = Reported
	if it.category.ConfirmRequired && c.Channel.public() && !it.Unlocated {
		c.Status = Confirming
	}
	c.state = State{Status: c.Status}
	return nil
}

// route suggests the lead and assisting departments (routing rules).
func (s *Service) route(ctx context.Context, it *intake) error {
	lead, assisting, ok, err := s.Router.Route(ctx, it.category, it.place, it.Urgency, it.now)
	if err != nil {
		return err
	}
	if ok {
		it.c.SuggestedDepartment, it.c.Assisting = lead, assisting
	}
	return nil
}

// findDuplicates lists open cases that may be the same problem. A historic case and an
// unlocated report have none.
func (s *Service) findDuplicates(ctx context.Context, it *intake) error {
	if it.history != nil || it.Unlocated {
		return nil
	}
	dups, err := s.nearby(ctx, it.c, it.now.UTC())
	it.c.Duplicates = dups
	return err
}

// startClock starts the first stage's clock at the report time.
func (s *Service) startClock(ctx context.Context, it *intake) error {
	return s.startStage(ctx, &it.c, it.c.ReportedAt)
}

// startStage starts the clock of the case's current stage at start.
func (s *Service) startStage(ctx context.Context, c *Case, start time.Time) error {
	c.Stage, c.StageStartedAt, c.StageDue = stageOf(c.Status), start, nil
	if c.Stage == StageNone {
		return nil
	}
	cat := CategoryRef{Class: c.CategoryClass, Code: c.CategoryCode}
	due, ok, err := s.Clock.Due(ctx, cat, c.Urgency, c.Stage, start)
	if err != nil {
		return err
	}
	if ok {
		c.StageDue = &due
		if c.Stage == StageHandle {
			c.Deadline = &due
		}
	}
	return nil
}

// store writes the case in tx: the case row (with its number and search text), the report event,
// a historic case's recorded steps, what the channel keeps beside the case, and the audit record.
// In a group commit it may run more than once: it derives everything it writes from it afresh.
func (s *Service) store(ctx context.Context, tx *sql.Tx, it *intake) error {
	if err := s.insert(ctx, tx, &it.c, it.token, it.phoneEnc, it.nameEnc); err != nil {
		return err
	}
	if err := s.appendEvent(ctx, tx, it.c.ID, 1, s.reportEvent(it)); err != nil {
		return err
	}
	if it.history != nil {
		if err := s.recordHistory(ctx, tx, it); err != nil {
			return err
		}
		// A historic case tells no one (its steps are long done), but its event lets the modules
		// that follow the outbox (the indicators) count it exactly like a live one.
		if s.Outbox == nil {
			return nil
		}
		return s.Outbox.Record(ctx, tx, it.c.ReportedAt, notify.Event{Type: "case.import", Object: it.c.object()})
	}
	if it.Record != nil {
		if err := it.Record(ctx, tx, it.c); err != nil {
			return err
		}
	}
	if err := s.auditReport(ctx, tx, it); err != nil {
		return err
	}
	if err := s.rememberCaller(ctx, tx, it); err != nil {
		return err
	}
	return s.record(ctx, tx, it.change())
}

// reportEvent is the case's first event: how it came in, and what its channel added.
func (s *Service) reportEvent(it *intake) eventRow {
	c := it.c
	data := map[string]any{"channel": c.Channel}
	if it.history != nil {
		data["imported"] = true
	} else {
		data["grid_code"] = c.GridCode
	}
	for k, v := range it.EventData {
		data[k] = v
	}
	if it.Unlocated {
		data["unlocated"] = true
	}
	return eventRow{action: Report, status: c.Status, actor: it.actor, at: c.ReportedAt, data: data, public: true}
}

// auditReport records a live report in the audit log (a historic batch is recorded once, by Import).
func (s *Service) auditReport(ctx context.Context, tx *sql.Tx, it *intake) error {
	c := it.c
	e := audit.For(it.actor, c.ReportedAt, "case.report", "case", c.ID)
	e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
	e.After = audit.Summary(map[string]any{"number": c.Number, "status": c.Status, "channel": c.Channel})
	_, err := audit.Append(ctx, s.DB, tx, e)
	return err
}

// change is a live report as the outbox records it, in the report's transaction: the live
// update for the desks that reach it. (A historic import announces nothing.)
func (it *intake) change() Change {
	c := it.c
	return Change{CaseID: c.ID, Number: c.Number, Action: Report, Status: c.Status, Path: c.path,
		Reporter: c.reporter, At: c.ReportedAt}
}

// withoutDetail drops the details about field from a validation error (nil when none remain).
func withoutDetail(err error, field string) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Details) == 0 {
		return err
	}
	var rest []apperr.Detail
	for _, d := range e.Details {
		if d.Field != field {
			rest = append(rest, d)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return apperr.New(e.Code, rest[0].Message).WithDetails(rest)
}
