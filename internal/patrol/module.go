package patrol

import (
	"context"
	_ "embed"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Intake is the case desk's one intake pipeline as a patrol sees it: a finding becomes a case on
// the patrol channel, reported by the caller of ctx (app/adapters_patrol.go fills it).
type Intake interface {
	Report(ctx context.Context, r NewReport) (CaseRef, error)
}

// Service is the patrol (巡查) module's rules and storage.
type Service struct {
	DB     *db.DB
	Outbox *notify.Outbox
	Now    func() time.Time
	Intake Intake
}

// HTTP serves the patrol (巡查) API.
type HTTP struct {
	Patrols *Service
	R       *httpx.Responder
}

// Module declares the patrol (巡查) module to the platform: its routes and API document, its
// permissions, plans and patrols as kinds of object, and the event of a finding that became a case.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "patrol", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.PatrolRead, access.PatrolRun, access.PatrolPlan},
		Kinds:       []access.Kind{PlanKind, PatrolKind},
		Events:      []string{FindingEvent},
		// A grid worker in the field may lose the network mid-patrol: these writes are queued on
		// the phone and sent again (static/js/offline.js) without being recorded twice.
		Idempotent: []string{"POST /api/v1/patrols", "POST /api/v1/patrols/{id}/checks", "POST /api/v1/patrols/{id}/findings",
			"POST /api/v1/patrols/{id}/findings/{finding}/case", "POST /api/v1/patrols/{id}/end"}}
}
