// Package address is the district's gazetteer (地址库): door-plate addresses and points of interest
// with their grid, found as an operator types (Chinese text or pinyin initials) and looked up from
// a point (the nearest address).
package address

import (
	_ "embed"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Service is the gazetteer's rules and storage.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

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
func (h *HTTP) Register(mux *httpx.Mux) {}
