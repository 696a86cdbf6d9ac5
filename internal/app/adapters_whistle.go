package app

import (
	"context"

	"github.com/yiwang-gov/yiwang/internal/whistle"
)

// buildWhistles wires the whistle (吹哨报到) module.
func (a *App) buildWhistles() *whistle.Service {
	return &whistle.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now}
}

// demoWhistles writes the module's part of the demo district (none yet).
func (a *App) demoWhistles(ctx context.Context) error { return nil }
