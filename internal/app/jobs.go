package app

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/jobs"
)

// jobs lists the periodic jobs of every module; jobs.Runner runs each period once per cluster.
func (a *App) jobs() []jobs.Job {
	return []jobs.Job{
		{Name: "cases.sla", Every: time.Minute, Run: func(ctx context.Context, _ time.Time) error {
			w, o, err := a.Cases.SweepSLA(ctx)
			if w+o > 0 {
				a.Log.Info("sla notices", "warnings", w, "overdue", o)
			}
			if err != nil {
				return err
			}
			n, err := a.Cases.SweepReviews(ctx)
			if n > 0 {
				a.Log.Info("review reminders", "cases", n)
			}
			return err
		}},
		{Name: "notify.deliver", Every: 10 * time.Second, Run: func(ctx context.Context, now time.Time) error {
			sent, failed, err := a.Deliverer.Run(ctx, now)
			if failed > 0 {
				a.Log.Warn("deliveries given up", "failed", failed, "sent", sent)
			}
			return err
		}},
		{Name: "auth.sessions", Every: 5 * time.Minute, Run: func(ctx context.Context, _ time.Time) error {
			_, err := a.Auth.PurgeSessions(ctx)
			return err
		}},
		{Name: "jobs.purge", Every: 24 * time.Hour, Run: func(ctx context.Context, _ time.Time) error {
			return a.Jobs.Purge(ctx, 30*24*time.Hour)
		}},
	}
}
