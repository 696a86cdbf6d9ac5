package eval

import (
	_ "embed"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Module is how the indicators plug into yiwang: routes, API document, the permissions they
// check, the job that sends the scheduled briefings and its event. The aggregates follow the
// outbox on every node (Service.Run, started by app).
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "eval", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.EvalRead, access.EvalPeople, access.EvalPick, access.EvalConfigure},
		// The scheduled briefings (briefing_job.go) tell leaders a briefing is ready.
		Jobs: h.Eval.briefingJobs(), Events: []string{BriefingEvent}}
}
