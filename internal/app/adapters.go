package app

import (
	"context"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/routing"
)

// The case desk names what it needs (cases.Catalogue, cases.Clock, cases.Router); these
// adapters give it the category catalogue, the work calendar and the routing rules.

// catalogueTTL is how long the case desk keeps a category or its limits in memory: catalogue
// edits reach intake within this time, and intake does not read the catalogue for every report.
const catalogueTTL = 10 * time.Second

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

// ttlCache is a small map whose entries expire; safe for concurrent use.
type ttlCache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]ttlEntry[V]
}

func (c *ttlCache[K, V]) get(k K, load func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && time.Since(e.at) < catalogueTTL {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[K]ttlEntry[V]{}
	}
	c.m[k] = ttlEntry[V]{v, time.Now()}
	c.mu.Unlock()
	return v, nil
}

type caseCatalogue struct {
	categories *category.Service
	cache      *ttlCache[[2]string, cases.CategoryRef]
}

func (a caseCatalogue) Category(ctx context.Context, class, code string) (cases.CategoryRef, error) {
	// Only the first lookup of a category checks the caller may read the catalogue; every
	// signed-in role may.
	return a.cache.get([2]string{class, code}, func() (cases.CategoryRef, error) { return a.category(ctx, class, code) })
}

func (a caseCatalogue) category(ctx context.Context, class, code string) (cases.CategoryRef, error) {
	var c category.Category
	var err error
	if class != "" {
		c, err = a.categories.Get(ctx, category.Class(class), code)
	} else {
		c, err = a.categories.Find(ctx, code)
	}
	if err != nil {
		return cases.CategoryRef{}, err
	}
	requiresPhoto, err := a.categories.RequiresPhoto(ctx, c.Class, c.Code)
	if err != nil {
		return cases.CategoryRef{}, err
	}
	return cases.CategoryRef{Class: string(c.Class), Code: c.Code, Name: c.Name, ConfirmRequired: c.ConfirmRequired, Active: c.Active,
		RequiresPhoto: requiresPhoto, DuplicateRadiusM: c.DuplicateRadiusM, DuplicateWindow: time.Duration(c.DuplicateWindowHours) * time.Hour}, nil
}

type caseClock struct {
	calendar   *calendar.Service
	categories *category.Service
	limits     *ttlCache[[3]string, category.Limits]
}

func (a caseClock) Due(ctx context.Context, ref cases.CategoryRef, urgency cases.Urgency, stage cases.Stage, start time.Time) (time.Time, bool, error) {
	limits, err := a.limits.get([3]string{ref.Class, ref.Code, string(urgency)}, func() (category.Limits, error) {
		if ref.Code == "" {
			set, err := a.categories.DefaultLimits(ctx)
			return set[category.Urgency(urgency)], err
		}
		return a.categories.Limits(ctx, category.Class(ref.Class), ref.Code, category.Urgency(urgency))
	})
	if err != nil {
		return time.Time{}, false, err
	}
	l, ok := limits[category.Stage(stage)]
	if !ok || l.Value == 0 {
		return time.Time{}, false, nil // e.g. closing has no limit of its own
	}
	cal, err := a.calendar.Calendar(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	return cal.Deadline(start, calendar.Limit{Value: l.Value, Unit: calendar.Unit(l.Unit)}), true, nil
}

func (a caseClock) Share(ctx context.Context, start, due, now time.Time) (float64, error) {
	cal, err := a.calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	total := cal.WorkingTime(start, due)
	if total <= 0 {
		if now.After(due) {
			return 2, nil
		}
		return 0, nil
	}
	if now.After(due) && cal.WorkingTime(due, now) == 0 {
		// Past the instant but not yet past any working time: still exactly used up, not red.
		return 1, nil
	}
	return float64(cal.WorkingTime(start, now)) / float64(total), nil
}

// WorkingDays counts the working days of the work calendar from from's day to to's day, both
// included (at most a year's: a deadline is never further).
func (a caseClock) WorkingDays(ctx context.Context, from, to time.Time) (int, error) {
	cal, err := a.calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	day := func(t time.Time) time.Time {
		t = t.In(calendar.Zone)
		return time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, calendar.Zone)
	}
	from, to = day(from), day(to)
	n := 0
	for d, i := from, 0; !d.After(to) && i < 366; d, i = d.AddDate(0, 0, 1), i+1 {
		if cal.IsWorkingDay(d) {
			n++
		}
	}
	if n == 0 && !to.Before(from) {
		n = 1 // due later today, or on a day off: within the day
	}
	return n, nil
}

type caseRouter struct {
	routing  *routing.Service
	calendar *calendar.Service
}

func (a caseRouter) Route(ctx context.Context, ref cases.CategoryRef, loc grid.Summary, urgency cases.Urgency, at time.Time) (string, []string, bool, error) {
	cal, err := a.calendar.Calendar(ctx)
	if err != nil {
		return "", nil, false, err
	}
	d, ok, err := a.routing.Decide(ctx, routing.Input{CategoryClass: category.Class(ref.Class), CategoryCode: ref.Code,
		OrgPath: routing.GridPath(loc), Urgency: category.Urgency(urgency), At: at, Working: cal.IsWorkingTime(at)})
	if err != nil || !ok {
		return "", nil, false, err
	}
	return d.Lead, d.Assisting, true, nil
}

// working tells the routing tester whether an instant is working time.
func (a *App) working(ctx context.Context, at time.Time) (bool, error) {
	cal, err := a.Calendar.Calendar(ctx)
	if err != nil {
		return false, err
	}
	return cal.IsWorkingTime(at), nil
}
