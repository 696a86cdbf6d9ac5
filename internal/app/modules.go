package app

import (
	"context"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/auth"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/directive"
	"github.com/yiwang-gov/yiwang/internal/directory"
	"github.com/yiwang-gov/yiwang/internal/eval"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/ledger"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/open311"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/participant"
	"github.com/yiwang-gov/yiwang/internal/patrol"
	"github.com/yiwang-gov/yiwang/internal/project"
	"github.com/yiwang-gov/yiwang/internal/routing"
	"github.com/yiwang-gov/yiwang/internal/users"
	"github.com/yiwang-gov/yiwang/internal/whistle"
)

// modules lists what yiwang is made of, in the order their routes are mounted. Everything else
// — routes, the API document, the stream's kinds of object, periodic jobs, event types — is read
// from the modules. A new module is one line here.
func (a *App) modules() module.Set {
	rs := a.responder()
	return module.Set{
		a.authHTTP.Module(),
		(&users.HTTP{Users: a.Users, R: rs}).Module(),
		(&org.HTTP{Org: a.Org, R: rs}).Module(),
		(&grid.HTTP{Grids: a.Grids, R: rs}).Module(),
		(&audit.HTTP{DB: a.DB, R: rs, AnchorEvery: a.Cfg.AuditAnchorEvery}).Module(),
		(&calendar.HTTP{Calendar: a.Calendar, R: rs}).Module(),
		(&category.HTTP{Categories: a.Categories, R: rs}).Module(),
		(&routing.HTTP{Routing: a.Routing, Categories: a.Categories, Org: a.Org, Grids: a.Grids, Working: a.working,
			Now: a.Now, R: rs}).Module(),
		(&cases.HTTP{Cases: a.Cases, R: rs, SLAEvery: a.Cfg.SLAEvery}).Module(),
		a.notifyHTTP.Module(),
		(&open311.HTTP{Services: a.Open311, Cases: a.Cases, Grids: a.Grids, Org: a.Org, Keys: a.APIKeys, Catalog: a.Catalog,
			Log: a.Log, Test: a.Cfg.Demo}).Module(),
		(&apikey.HTTP{Keys: a.APIKeys, R: rs}).Module(),
		(&eval.HTTP{Eval: a.Eval, R: rs}).Module(),
		(&directive.HTTP{Directives: a.Directives, R: rs}).Module(),
		(&whistle.HTTP{Whistles: a.Whistles, R: rs}).Module(),
		(&participant.HTTP{Participants: a.Participants, R: rs}).Module(),
		(&patrol.HTTP{Patrols: a.Patrols, R: rs}).Module(),
		(&directory.HTTP{Directory: a.Directory, R: rs}).Module(),
		(&ledger.HTTP{Ledger: a.Ledger, R: rs}).Module(),
		(&project.HTTP{Projects: a.Projects, R: rs}).Module(),
		a.addressModule(),
		a.basemapModule(),
		a.onboardModule(),
		a.platformModule(),
	}
}

// platformModule holds what belongs to no domain: the purge of old job runs, and of the
// answers kept for idempotent writes (httpx.Idempotency) once their keys expire.
func (a *App) platformModule() module.Module {
	idempotency := &httpx.Idempotency{DB: a.DB}
	return module.Module{Name: "platform", Jobs: []jobs.Job{{Name: "jobs.purge", Every: 24 * time.Hour,
		Run: func(ctx context.Context, _ time.Time) error { return a.Jobs.Purge(ctx, 30*24*time.Hour) }},
		{Name: "idempotency.purge", Every: time.Hour, Run: idempotency.Purge}}}
}

// plug reads the modules: it checks that each name, permission, kind, job and event type has one
// owner, declares the event types to the outbox, gives the stream every kind of object, and
// builds the job runner. The routes are mounted by routes().
func (a *App) plug() error {
	a.authHTTP = &auth.HTTP{Auth: a.Auth, R: a.responder(), SecureCookie: a.Cfg.SecureCookies, TrustProxy: a.Cfg.TrustProxy}
	a.notifyHTTP = &notify.HTTP{Notify: a.Notify, R: a.responder(), Deliverer: a.Deliverer,
		Deliveries: &notify.Deliveries{DB: a.DB, Vault: a.vault, Now: a.Now}, Texts: a.Texts, Gateways: a.Gateways}
	a.Modules = a.modules()
	if err := a.Modules.Check(); err != nil {
		return err
	}
	a.Notify.Outbox.Declare(a.Modules.Events())
	a.notifyHTTP.Kinds = a.Modules.Kinds()
	var err error
	a.Jobs, err = jobs.NewRunner(a.DB, a.Now, a.Log, a.Metrics, a.Modules.Jobs()...)
	return err
}
