// Package address is the district's gazetteer (地址库): door-plate addresses and points of interest
// with their grid, found as an operator types (Chinese text or pinyin initials) and looked up from
// a point (the nearest address).
package address

import (
	_ "embed"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// HTTP serves the gazetteer API.
type HTTP struct {
	Addresses *Service
	R         *httpx.Responder
}

// Module declares the gazetteer to the platform.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "address", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.AddressSearch, access.AddressWrite}}
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/addresses/search", h.search)
	mux.HandleFunc("GET /api/v1/addresses/nearest", h.nearest)
	mux.HandleFunc("POST /api/v1/addresses/import", h.importFile)
}
