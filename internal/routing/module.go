package routing

import "github.com/yiwang-gov/yiwang/internal/module"

// Module is how this package plugs into yiwang: its routes and its part of the API document (it
// checks permissions of other modules: routing rules are catalogue settings, API keys the
// sys_admin's).
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "routing", Register: h.Register, OpenAPI: OpenAPI}
}
