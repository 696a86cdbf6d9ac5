package app

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/demo"
	"github.com/yiwang-gov/yiwang/internal/directory"
)

// buildDirectory wires 一网速查: opening hours follow the work calendar, and "which office serves
// my address" asks the grid index.
func (a *App) buildDirectory() *directory.Directory {
	return &directory.Directory{DB: a.DB, Now: a.Now, Calendars: a.Calendar, Locator: directoryLocator{a}}
}

// directoryLocator finds a resident's grid for the directory. Locating is public geography
// (territory.locate for every role); residents of the directory may be anonymous, so the lookup
// runs as the system.
type directoryLocator struct{ a *App }

func (l directoryLocator) Locate(ctx context.Context, lat, lng float64) (directory.Where, bool, error) {
	loc, err := l.a.Grids.Locate(System(ctx, "directory"), lat, lng)
	if err != nil || !loc.Inside || loc.Grid == nil {
		return directory.Where{}, false, err
	}
	g := loc.Grid
	return directory.Where{GridCode: g.Code, CommunityCode: g.CommunityCode, CommunityName: g.CommunityName,
		SubdistrictCode: g.SubdistrictCode, SubdistrictName: g.SubdistrictName}, true, nil
}

// demoDirectory publishes the demo's service directory (internal/demo/data/services.json).
func (a *App) demoDirectory(ctx context.Context) error {
	if _, _, err := a.Directory.LoadSeed(ctx, demo.ServicesJSON(), "区政务服务中心"); err != nil {
		return fmt.Errorf("demo directory: %w", err)
	}
	return nil
}
