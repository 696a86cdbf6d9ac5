package participant

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

// Vault seals contacts at rest and opens them for managers (pii.Vault).
type Vault interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
}

// PatrolTime is the patrol module's clock of a person's patrols: minutes of their ended patrols
// started in [from, to) (app/adapters_participant.go fills it).
type PatrolTime interface {
	PatrolMinutes(ctx context.Context, userID string, from, to time.Time) (int, error)
}

// Service is the participant (1+N) module's rules and storage.
type Service struct {
	DB      *db.DB
	Outbox  *notify.Outbox
	Now     func() time.Time
	Vault   Vault
	Patrols PatrolTime
}

// HTTP serves the participant (1+N) API.
type HTTP struct {
	Participants *Service
	R            *httpx.Responder
}

// Module declares the participant (1+N) module to the platform: routes and API document, its
// permissions, the participant as a kind of object and the event of hours awaiting confirmation.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "participant", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.ParticipantRead, access.ParticipantManage},
		Kinds:       []access.Kind{ObjectKind},
		Events:      []string{HoursEvent}}
}
