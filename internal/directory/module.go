package directory

import (
	_ "embed"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Module declares the directory (一网速查) to the platform: its routes and API document and the
// permission its editors hold. Reading and searching the directory needs none.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "directory", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.DirectoryEdit}}
}
