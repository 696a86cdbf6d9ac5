package audit

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// DefaultAnchorEvery is how often the chain's head is anchored outside the database when the
// configuration does not say: records newer than the last anchor can be deleted unnoticed.
const DefaultAnchorEvery = 5 * time.Minute

// Module is how the audit log plugs into yiwang: its routes, its part of the API document, the
// permissions it checks and the periodic anchoring of the chain's head.
func (h *HTTP) Module() module.Module {
	every := h.AnchorEvery
	if every <= 0 {
		every = DefaultAnchorEvery
	}
	return module.Module{Name: "audit", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.AuditRead},
		Jobs: []jobs.Job{{Name: "audit.anchor", Every: every, Run: func(ctx context.Context, now time.Time) error {
			return Anchor(ctx, h.DB, now)
		}}}}
}
