package open311

import "github.com/yiwang-gov/yiwang/internal/module"

// Module is how the Open311 GeoReport v2 server plugs into yiwang. Its routes live under
// /open311/ and are described by the GeoReport v2 specification (discovery document), not by
// yiwang's API document.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "open311", Register: h.Register}
}
