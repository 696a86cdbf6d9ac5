package notify

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// Module is how notifications plug into yiwang: the notification list, the live stream, the job
// that sends outside deliveries (SMS, WeChat) and the list of those deliveries for the sys_admin.
func (h *HTTP) Module() module.Module {
	m := module.Module{Name: "notify", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.DeliveryRead, access.NotifyConfigure}}
	if h.Deliverer != nil {
		m.Jobs = []jobs.Job{{Name: "notify.deliver", Every: 10 * time.Second, Run: func(ctx context.Context, now time.Time) error {
			_, _, err := h.Deliverer.Run(ctx, now)
			return err
		}}}
	}
	return m
}
