package auth

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// Module is how sign-in plugs into yiwang: its routes, its part of the API document, and the
// purge of ended sessions.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "auth", Register: h.Register, OpenAPI: OpenAPI,
		Jobs: []jobs.Job{{Name: "auth.sessions", Every: 5 * time.Minute, Run: func(ctx context.Context, _ time.Time) error {
			_, err := h.Auth.PurgeSessions(ctx)
			return err
		}}}}
}
