package users

import (
	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// Module is how account management plugs into yiwang: its routes, its part of the API document and the
// permissions it checks.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "users", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.UserRead, access.UserWrite}}
}
