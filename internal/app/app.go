package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/auth"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/configver"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/directive"
	"github.com/yiwang-gov/yiwang/internal/directory"
	"github.com/yiwang-gov/yiwang/internal/eval"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/ledger"
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/open311"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/participant"
	"github.com/yiwang-gov/yiwang/internal/password"
	"github.com/yiwang-gov/yiwang/internal/patrol"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/project"
	"github.com/yiwang-gov/yiwang/internal/routing"
	"github.com/yiwang-gov/yiwang/internal/sms"
	"github.com/yiwang-gov/yiwang/internal/users"
	"github.com/yiwang-gov/yiwang/internal/whistle"
)

// App is a wired yiwang: database, services and HTTP handler.
type App struct {
	Cfg     Config
	Log     *slog.Logger
	DB      *db.DB
	Catalog *i18n.Catalog
	Org     *org.Service
	Users   *users.Service
	Auth    *auth.Service
	Grids   *grid.Service
	Eval    *eval.Service
	// The coordination modules: 吹哨报到, 指令穿透, 巡查 and the 1+N rosters.
	Whistles     *whistle.Service
	Directives   *directive.Service
	Patrols      *patrol.Service
	Participants *participant.Service
	Directory    *directory.Directory
	Ledger       *ledger.Service  // the seed fund (财政启动资金)
	Projects     *project.Service // the zone projects (特色项目)
	Calendar     *calendar.Service
	Categories   *category.Service
	Routing      *routing.Service
	Cases        *cases.Service
	Notify       *notify.Service
	// Feed hands committed events (from the outbox, whichever node wrote them) to this node's
	// live stream.
	Feed *notify.Feed
	// Deliverer sends the outbox's SMS and WeChat deliveries (a job).
	Deliverer *notify.Deliverer
	// Jobs runs the modules' periodic jobs, each period once per cluster.
	Jobs *jobs.Runner
	// Modules are the modules this yiwang is made of (modules.go).
	Modules    module.Set
	authHTTP   *auth.HTTP
	notifyHTTP *notify.HTTP
	vault      *pii.Vault
	Open311    *open311.Services
	APIKeys    *apikey.Service
	SMS        *sms.LogGateway
	// Texts word messages; Gateways send them (the configuration pages' versions).
	Texts    *notify.Texts
	Gateways *notify.Gateways
	Metrics  *prometheus.Registry
	Now      func() time.Time
	handler  http.Handler
	mux      *httpx.Mux
}

// Routes lists every registered route pattern.
func (a *App) Routes() []string { return a.mux.Patterns() }

// NewLogger builds the process logger from the configuration.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// New opens the database, applies migrations and builds every service.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	a, err := Build(ctx, cfg, log, d)
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

// Build wires the services over an open, migrated database.
func Build(ctx context.Context, cfg Config, log *slog.Logger, d *db.DB) (*App, error) {
	// Personal data is sealed with data keys kept in the database wrapped by the KEKs of the key
	// file or YIWANG_SECRET_KEY (pii.Keyring); "yiwang keys" rotates both.
	ring, err := pii.LoadKeyring(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	vault, err := pii.OpenVault(ctx, d, ring, pii.Options{})
	if err != nil {
		return nil, err
	}
	key := ring.CurrentKey()
	// The audit chain is keyed and anchored outside the database (audit.Setup).
	if err := audit.Setup(d, audit.Options{Secret: key, DataDir: cfg.DataDir, KeysFile: cfg.AuditKeys,
		AnchorsFile: cfg.AuditAnchors}); err != nil {
		return nil, err
	}
	catalog, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	params := password.Default
	if cfg.PasswordCost == "test" {
		params = password.Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}
	}
	hasher := password.NewHasher(params, 4)
	now := time.Now
	if cfg.Clock != nil {
		now = cfg.Clock
	}
	a := &App{Cfg: cfg, Log: log, DB: d, Catalog: catalog, Now: now, Metrics: prometheus.NewRegistry(), vault: vault}
	a.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Org = &org.Service{DB: d}
	a.Users = &users.Service{DB: d, Org: a.Org, Vault: vault, Hasher: hasher, Now: now}
	// Message templates and gateways as the district set them on the configuration pages
	// (versions), else the catalogue's texts and the command line's gateways.
	a.Texts = &notify.Texts{Catalog: catalog, Versions: &configver.Store{DB: d, Now: now}}
	a.SMS = &sms.LogGateway{Log: log, ShowText: cfg.Demo, Catalog: a.Texts.Now()}
	a.Gateways = &notify.Gateways{Versions: a.Texts.Versions, Vault: vault, Texts: a.Texts, Fallback: a.SMS,
		Flags: map[string]notify.GatewaySettings{"sms": {URL: cfg.SMSWebhook},
			"wechat": {URL: cfg.WeChatWebhook, DefaultTemplate: cfg.WeChatTemplate}}}
	gateway := a.Gateways.SMS()
	policy := auth.DefaultPolicy
	policy.IdleTimeout, policy.MaxSession = cfg.IdleTimeout, cfg.MaxSession
	policy.MaxFailures, policy.LockFor, policy.PasswordMaxAge = cfg.MaxFailures, cfg.LockFor, cfg.PasswordMaxAge
	for _, role := range cfg.MFARequiredRoles {
		policy.MFARoles = append(policy.MFARoles, access.Role(role))
	}
	a.Users.Changed = func(userID string) { a.Auth.Forget(userID) }
	a.Auth = &auth.Service{DB: d, Users: a.Users, Org: a.Org, Vault: vault, Hasher: hasher, SMS: gateway, Policy: policy, Now: now}
	a.Grids = &grid.Service{DB: d, Org: a.Org, Now: now}
	a.Calendar = &calendar.Service{DB: d, Now: now}
	a.Categories = &category.Service{DB: d, Now: now}
	a.Routing = &routing.Service{DB: d, Now: now}
	writer := db.NewGroupCommitter(d, 256)
	outbox := notify.NewOutbox(d, users.People{}, catalog)
	outbox.Texts = a.Texts
	a.Notify = &notify.Service{DB: d, Hub: notify.NewHub(), Outbox: outbox, Now: now}
	a.Feed = &notify.Feed{Outbox: outbox, Hub: a.Notify.Hub, Log: log}
	if err := a.Feed.Start(ctx); err != nil {
		return nil, err
	}
	channels := map[string]notify.Channel{"sms": notify.SMS{Gateway: gateway, Vault: vault}, "wechat": a.Gateways.WeChat()}
	a.Deliverer = notify.NewDeliverer(d, a.Texts.Now(), channels, a.Metrics)
	a.Cases = &cases.Service{DB: d, Writer: writer, PublicURL: cfg.PublicURL, Grids: a.Grids, Org: a.Org, Vault: vault, Now: now, Outbox: outbox,
		Catalogue: caseCatalogue{categories: a.Categories, cache: &ttlCache[[2]string, cases.CategoryRef]{}},
		Clock:     caseClock{calendar: a.Calendar, categories: a.Categories, limits: &ttlCache[[3]string, category.Limits]{}},
		Router:    caseRouter{routing: a.Routing, calendar: a.Calendar}}
	a.Eval = &eval.Service{DB: d, Outbox: outbox, Cases: evalCases{a.Cases}, Directory: evalDirectory{org: a.Org, db: d}, Now: now, Log: log,
		Briefings: eval.Briefings{Desk: briefingDesk{a.Cases}, Schedule: cfg.Briefings}}
	a.Directives = a.buildDirectives()
	a.Whistles = a.buildWhistles()
	a.Eval.CheckIns = evalCheckIns{a.Whistles}
	a.Participants = a.buildParticipants()
	a.Directory = a.buildDirectory()
	a.Projects = a.buildProjects()
	a.Ledger = a.buildLedger()
	a.Patrols = a.buildPatrols()
	a.Open311 = &open311.Services{DB: d, Categories: a.Categories, Now: now}
	a.APIKeys = &apikey.Service{DB: d, Now: now, Limiter: apikey.NewLimiter(apikey.DefaultRate)}
	// The category catalogue ships with the standard codes; a new database starts with it.
	if err := a.Categories.LoadDefaults(System(ctx, "start")); err != nil {
		return nil, fmt.Errorf("load the category catalogue: %w", err)
	}
	if err := a.Grids.LoadIndex(ctx); err != nil {
		return nil, err
	}
	if err := a.Eval.LoadDefaults(ctx); err != nil {
		return nil, fmt.Errorf("load the scoring schemes: %w", err)
	}
	if err := a.Eval.Start(ctx); err != nil {
		return nil, err
	}
	// Reporters' names written before they were sealed are sealed now (once; nothing to read after).
	if n, err := a.Cases.SealNames(ctx); err != nil {
		return nil, fmt.Errorf("seal reporters' names: %w", err)
	} else if n > 0 {
		log.Info("sealed reporters' names", "cases", n)
	}
	if err := a.plug(); err != nil {
		return nil, err
	}
	a.handler, err = a.routes()
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// Close finishes queued writes and closes the database.
func (a *App) Close() error {
	if a.Cases != nil && a.Cases.Writer != nil {
		a.Cases.Writer.Close()
	}
	return a.DB.Close()
}

// Serve listens on cfg.Addr until ctx ends, then lets in-flight requests finish.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	if a.Cfg.Demo && !a.Cfg.AllowPublicDemo && !isLoopback(a.Cfg.Addr) {
		return fmt.Errorf("refusing to serve the demo district (known passwords) on non-loopback address %s: use --allow-public-demo to insist", a.Cfg.Addr)
	}
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("listening", "addr", ln.Addr().String(), "engine", string(a.DB.Engine), "database", a.DB.Location)
	if ready != nil {
		ready(ln.Addr().String())
	}
	// Background work: this node's live feed, the periodic jobs (once per cluster) and the
	// indicators following the outbox.
	bgCtx, stopBackground := context.WithCancel(System(ctx, "jobs"))
	background := make(chan struct{}, 3)
	go func() { a.Feed.Run(bgCtx); background <- struct{}{} }()
	go func() { a.Jobs.Run(bgCtx, a.Cfg.JobTick); background <- struct{}{} }()
	go func() { a.Eval.Run(bgCtx, time.Second); background <- struct{}{} }()
	defer func() { stopBackground(); <-background; <-background; <-background }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: letting in-flight requests finish", "timeout", a.Cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// responder is shared by every handler.
func (a *App) responder() *httpx.Responder {
	return &httpx.Responder{Catalog: a.Catalog, Log: a.Log}
}
