// Package basemap is the map under the grids: a configured tile layer (天地图 WMTS with the
// district's key, any XYZ/WMTS URL, or an offline PMTiles/MBTiles file served by the binary).
// With none configured, the grid polygons alone are the map.
package basemap

import (
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// Config is the configured tile layer.
type Config struct{}

// HTTP serves the tiles and the map configuration.
type HTTP struct {
	Config Config
	R      *httpx.Responder
}

// Module declares the base map to the platform.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "basemap", Register: h.Register}
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {}
