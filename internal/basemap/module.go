package basemap

import (
	_ "embed"

	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is the part of the API document that describes this package's routes. The tile paths
// outside /api/ (/tiles/…) serve images and archives to the map pages and are described here too.
//
//go:embed openapi.json
var OpenAPI []byte

// Module declares the base map to the platform. It checks no permission of its own: every
// signed-in user sees the same base map.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "basemap", Register: h.Register, OpenAPI: OpenAPI}
}
