package app

import (
	"github.com/yiwang-gov/yiwang/internal/basemap"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// basemapModule is the tile layer under the grids.
func (a *App) basemapModule() module.Module {
	return (&basemap.HTTP{R: a.responder()}).Module()
}
