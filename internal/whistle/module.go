// Package whistle is 网格吹哨、部门报到 (standards-cn.md §3.3): a grid, community or subdistrict
// that cannot solve a case alone blows the whistle, summoning handling units to the case's place;
// each unit acknowledges, checks in on site (time and position from the phone; late or far
// check-ins are recorded and flagged, late ones escalated to the subdistrict's leaders), works
// its task in a shared thread, and is rated by the whistler once the case is solved and the
// whistler closes the whistle. The figures per unit (报到及时率 …) feed the indicators.
package whistle

import (
	_ "embed"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Module declares the whistle (吹哨报到) module to the platform: its routes and API document, the
// permissions it checks, the whistle as a kind of object (scope, live stream), the escalation job
// and the event types it records.
func (h *HTTP) Module() module.Module {
	var js []jobs.Job
	if h.Whistles != nil {
		js = h.Whistles.jobs()
	}
	return module.Module{Name: "whistle", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.WhistleRead, access.WhistleBlow, access.WhistleAnswer},
		Kinds:       []access.Kind{ObjectKind},
		Jobs:        js,
		Events:      EventTypes()}
}
