package calendar

import (
	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// Module is how the work calendar plugs into yiwang: its routes, its part of the API document and the
// permissions it checks.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "calendar", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.CalendarRead, access.CalendarWrite}}
}
