package app

import (
	"context"

	"github.com/yiwang-gov/yiwang/internal/patrol"
)

// buildPatrols wires the patrol (巡查) module.
func (a *App) buildPatrols() *patrol.Service {
	return &patrol.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now}
}

// demoPatrols writes the module's part of the demo district (none yet).
func (a *App) demoPatrols(ctx context.Context) error { return nil }
