package app

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/whistle"
)

// buildWhistles wires the whistle (吹哨报到) module: it names what it needs (whistle.Cases,
// whistle.Units, whistle.Clock) and these adapters give it the case desk's cases as the caller
// sees them, the org tree's departments and the work calendar.
func (a *App) buildWhistles() *whistle.Service {
	return &whistle.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now,
		Cases: whistleCases{cases: a.Cases, org: a.Org}, Units: whistleUnits{a.Org}, Clock: whistleClock{a.Calendar},
		Versions: a.Texts.Versions} // the district's versions of the whistle rules (configver)
}

// demoWhistles writes the module's part of the demo district (none yet).
func (a *App) demoWhistles(ctx context.Context) error { return nil }

type whistleCases struct {
	cases *cases.Service
	org   *org.Service
}

// Place reads the case through the case desk's own Get, so the caller's case.read scope decides
// (a case out of reach is not found). The whistle lies where the case lies: its grid's path.
func (a whistleCases) Place(ctx context.Context, caseID string) (whistle.CasePlace, error) {
	c, err := a.cases.Get(ctx, caseID)
	if err != nil {
		return whistle.CasePlace{}, err
	}
	if c.Following {
		// A follower sees the case's public face only: not enough to send units there.
		return whistle.CasePlace{}, apperr.New(apperr.NotFound, "case.not_found")
	}
	p := whistle.CasePlace{ID: c.ID, Number: c.Number, GridCode: c.GridCode, CommunityCode: c.CommunityCode,
		SubdistrictCode: c.SubdistrictCode, Lat: c.Lat, Lng: c.Lng, Located: c.GridCode != "" && c.CommunityCode != "",
		Open: c.Status.Open(),
		// Solved: the fix was confirmed on site (核查通过, verified) or the case is closed (结案).
		Solved: c.Status == cases.Verified || c.Status == cases.Closed}
	if p.Located {
		community, err := a.org.NodeByCode(ctx, c.CommunityCode)
		if err != nil {
			return whistle.CasePlace{}, err
		}
		p.Path = org.PathOf(community.Path, c.GridCode)
	}
	return p, nil
}

type whistleUnits struct{ org *org.Service }

// Department finds a handling unit: an org node of kind department (district bureaus, the
// subdistricts' offices and 综合执法队 are all departments of the org tree).
func (a whistleUnits) Department(ctx context.Context, code string) (whistle.Unit, bool, error) {
	n, err := a.org.NodeByCode(ctx, code)
	if apperr.CodeOf(err) == apperr.NotFound {
		return whistle.Unit{}, false, nil
	}
	if err != nil {
		return whistle.Unit{}, false, err
	}
	if n.Kind != org.Department {
		return whistle.Unit{}, false, nil
	}
	return whistle.Unit{Code: n.Code, Name: n.Name}, true, nil
}

type whistleClock struct{ calendar *calendar.Service }

func (a whistleClock) Calendar(ctx context.Context) (whistle.Calendar, error) {
	cal, err := a.calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return whistleCalendar{cal}, nil
}

// whistleCalendar adapts the work calendar to whistle.Calendar.
type whistleCalendar struct{ *calendar.Calendar }

// AddWorkingDays is calendar.Deadline in working days.
func (c whistleCalendar) AddWorkingDays(start time.Time, n int) time.Time {
	return c.Deadline(start, calendar.Limit{Value: n, Unit: calendar.Days})
}
