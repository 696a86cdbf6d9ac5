package directive

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Service is the directive (指令穿透) module's rules and storage.
type Service struct {
	DB     *db.DB
	Outbox *notify.Outbox
	Now    func() time.Time
}

// HTTP serves the directive (指令穿透) API.
type HTTP struct {
	Directives *Service
	R          *httpx.Responder
}

// Module declares the directive (指令穿透) module to the platform.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "directive", Permissions: []access.Permission{access.DirectiveRead, access.DirectiveIssue, access.DirectiveAck}}
}
