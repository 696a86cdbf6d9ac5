package app

import (
	"context"

	"github.com/yiwang-gov/yiwang/internal/directive"
)

// buildDirectives wires the directive (指令穿透) module.
func (a *App) buildDirectives() *directive.Service {
	return &directive.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now}
}

// demoDirectives writes the module's part of the demo district (none yet).
func (a *App) demoDirectives(ctx context.Context) error { return nil }
