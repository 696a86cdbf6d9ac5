package app

import (
	"context"

	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/onboard"
)

// onboarding builds the onboarding service over the org and users services.
func (a *App) onboarding() *onboard.Service {
	return &onboard.Service{Org: a.Org, Users: a.Users, Catalog: a.Catalog, Now: a.Now}
}

// onboardModule imports a district's org tree, units, users and grants from templates.
func (a *App) onboardModule() module.Module {
	return (&onboard.HTTP{Onboard: a.onboarding(), R: a.responder()}).Module()
}

// ImportOnboard imports an org or users template (xlsx or CSV) from the command line ("yiwang
// import org|users FILE [--dry-run]"), as the system; messages are in Chinese.
func (a *App) ImportOnboard(ctx context.Context, kind string, raw []byte, dryRun bool) (onboard.Report, error) {
	return a.onboarding().Import(System(ctx, "import "+kind), kind, raw, dryRun, i18n.ZH)
}
