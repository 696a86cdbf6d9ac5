package app

import (
	"context"

	"github.com/yiwang-gov/yiwang/internal/participant"
)

// buildParticipants wires the participant (1+N) module.
func (a *App) buildParticipants() *participant.Service {
	return &participant.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now}
}

// demoParticipants writes the module's part of the demo district (none yet).
func (a *App) demoParticipants(ctx context.Context) error { return nil }
