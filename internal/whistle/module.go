package whistle

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Service is the whistle (吹哨报到) module's rules and storage.
type Service struct {
	DB     *db.DB
	Outbox *notify.Outbox
	Now    func() time.Time
}

// HTTP serves the whistle (吹哨报到) API.
type HTTP struct {
	Whistles *Service
	R        *httpx.Responder
}

// Module declares the whistle (吹哨报到) module to the platform.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "whistle", Permissions: []access.Permission{access.WhistleRead, access.WhistleBlow, access.WhistleAnswer}}
}
