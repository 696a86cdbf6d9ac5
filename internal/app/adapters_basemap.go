package app

import (
	"context"

	"github.com/yiwang-gov/yiwang/internal/basemap"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// basemapModule is the tile layer under the grids. The configuration was checked when it was
// read (Flags refuses a bad file at start); a file that cannot be opened now (removed since)
// leaves the grids alone as the map, with the reason in the log.
func (a *App) basemapModule() module.Module {
	base, err := basemap.Open(context.Background(), a.Cfg.Tiles)
	if err != nil {
		a.Log.Error("base map unavailable: the maps show the grids only", "err", err)
		base = nil
	}
	return (&basemap.HTTP{Base: base, R: a.responder()}).Module()
}
