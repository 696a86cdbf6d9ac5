package participant

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Service is the participant (1+N) module's rules and storage.
type Service struct {
	DB     *db.DB
	Outbox *notify.Outbox
	Now    func() time.Time
}

// HTTP serves the participant (1+N) API.
type HTTP struct {
	Participants *Service
	R            *httpx.Responder
}

// Module declares the participant (1+N) module to the platform.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "participant", Permissions: []access.Permission{access.ParticipantRead, access.ParticipantManage}}
}
