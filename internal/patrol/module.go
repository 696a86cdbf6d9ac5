package patrol

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Service is the patrol (巡查) module's rules and storage.
type Service struct {
	DB     *db.DB
	Outbox *notify.Outbox
	Now    func() time.Time
}

// HTTP serves the patrol (巡查) API.
type HTTP struct {
	Patrols *Service
	R       *httpx.Responder
}

// Module declares the patrol (巡查) module to the platform.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "patrol", Permissions: []access.Permission{access.PatrolRead, access.PatrolRun, access.PatrolPlan}}
}
