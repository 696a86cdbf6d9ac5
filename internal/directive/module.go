package directive

import (
	"context"
	_ "embed"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Service is the directive (指令穿透) module's rules and storage.
type Service struct {
	DB        *db.DB
	Outbox    *notify.Outbox
	Now       func() time.Time
	Territory Territory
	Clock     Clock
}

// HTTP serves the directive (指令穿透) API.
type HTTP struct {
	Directives *Service
	R          *httpx.Responder
}

// Module declares the directive (指令穿透) module to the platform: its routes and API document,
// the permissions it checks, the directive as a kind of object (scope, live stream), the
// escalation job and its event types.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "directive", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.DirectiveRead, access.DirectiveIssue, access.DirectiveAck},
		Kinds:       []access.Kind{ObjectKind},
		Jobs: []jobs.Job{{Name: "directive.escalate", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
			_, err := h.Directives.Escalate(ctx, now)
			return err
		}}},
		Events: EventTypes()}
}
