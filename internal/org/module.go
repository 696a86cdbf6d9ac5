package org

import (
	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// Module is how the org tree plugs into yiwang: its routes, its part of the API document and the
// permissions it checks.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "org", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.TerritoryRead, access.TerritoryWrite, access.DepartmentRead}}
}
