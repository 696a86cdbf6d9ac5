package app

import (
	"context"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/directive"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// buildDirectives wires the directive (指令穿透) module: the territory its targets resolve on
// (org and grid) and the work calendar its escalation counts on.
func (a *App) buildDirectives() *directive.Service {
	return &directive.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now,
		Territory: directiveTerritory{org: a.Org, grids: a.Grids}, Clock: directiveClock{a.Calendar}}
}

// demoDirectives writes the module's part of the demo district (none yet).
func (a *App) demoDirectives(ctx context.Context) error { return nil }

// directiveTerritory reads the whole map: the directive module decides reach itself, on the
// issuer's directive.issue scope, so it must see codes outside it to answer "not yours" rather
// than "no such code".
type directiveTerritory struct {
	org   *org.Service
	grids *grid.Service
}

func (t directiveTerritory) Places(ctx context.Context, kind string) ([]directive.Place, error) {
	places, err := t.org.Places(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]directive.Place, len(places))
	for i, p := range places {
		out[i] = directive.Place{Code: p.Code, Name: p.Name, Path: p.Path}
	}
	return out, nil
}

func (t directiveTerritory) Grids(ctx context.Context) ([]directive.Grid, error) {
	paths, err := t.org.Places(ctx, "grid")
	if err != nil {
		return nil, err
	}
	pathOf := make(map[string]string, len(paths))
	for _, p := range paths {
		pathOf[p.Code] = p.Path
	}
	// The grid list is scoped to its caller; the whole map is read as the system.
	list, err := t.grids.List(access.WithPrincipal(ctx, access.SystemPrincipal("directive")), grid.Filter{})
	if err != nil {
		return nil, err
	}
	out := make([]directive.Grid, 0, len(list))
	for _, g := range list {
		path, ok := pathOf[g.Code]
		if !ok {
			return nil, fmt.Errorf("grid %s has no path", g.Code)
		}
		out = append(out, directive.Grid{Code: g.Code, Name: g.Name, Path: path, CommunityCode: g.CommunityCode,
			SubdistrictCode: g.SubdistrictCode, ZoneCode: g.ZoneCode})
	}
	return out, nil
}

// directiveClock counts working hours on the work calendar.
type directiveClock struct{ calendar *calendar.Service }

func (c directiveClock) AddWorkingHours(ctx context.Context, start time.Time, hours int) (time.Time, error) {
	cal, err := c.calendar.Calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return cal.Deadline(start, calendar.Limit{Value: hours, Unit: calendar.Hours}), nil
}
