package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/auth"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/ratelimit"
)

// routes mounts every handler. Middleware order, outermost first: observe (request ID, log,
// metrics, panic guard) → security headers → cross-origin protection for state-changing
// requests (CSRF) → text check of path, query and form → authentication → rate
// limits of writes and searches.
func (a *App) routes() (http.Handler, error) {
	rs := a.responder()
	mux := httpx.NewMux()
	a.mux = mux
	for _, m := range a.Modules {
		if m.Register != nil {
			m.Register(mux)
		}
	}
	apiDocument, err := a.OpenAPIDocument()
	if err != nil {
		return nil, err
	}
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI(apiDocument))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		rs.Error(w, r, apperr.New(apperr.NotFound, "error.not_found"))
	})
	if err := a.mountWeb(mux); err != nil {
		return nil, err
	}

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.Error(w, r, apperr.New(apperr.Forbidden, "auth.forbidden"))
	}))
	idempotent, err := a.idempotency(mux)
	if err != nil {
		return nil, err
	}
	var h http.Handler = idempotent.Middleware(mux) // inside authentication: the user is part of the key
	h = auth.RequireSignIn(rs, auth.PublicPaths, h)
	// Every write and search, after authentication so that the account is known (issue 10).
	limits := &ratelimit.Guard{Rules: a.Cfg.RateLimits, TrustProxy: a.Cfg.TrustProxy, Now: a.Now, Responder: rs,
		Limiter: ratelimit.New(ratelimit.MaxKeys)}
	h = limits.Middleware(h)
	h = a.authHTTP.Middleware(h)
	h = csrf.Handler(h)
	h = httpx.CheckInput(rs, []string{"/open311/"}, h) // NUL, broken UTF-8: 400 before any handler (issue 10)
	h = httpx.SecurityHeaders(h, a.Cfg.TrustProxy)
	h = httpx.Observe(a.Log, httpx.NewMetrics(a.Metrics), rs, mux, h)
	return h, nil
}

// idempotency builds the middleware of the routes the modules declare Idempotent; a declared
// route that no module registered is a mistake caught at start.
func (a *App) idempotency(mux *httpx.Mux) (*httpx.Idempotency, error) {
	registered := map[string]bool{}
	for _, p := range mux.Patterns() {
		registered[p] = true
	}
	accept := map[string]bool{}
	for _, p := range a.Modules.Idempotent() {
		if !registered[p] {
			return nil, fmt.Errorf("idempotent route %q is not registered", p)
		}
		accept[p] = true
	}
	return &httpx.Idempotency{DB: a.DB, R: a.responder(), Now: a.Now, Routes: mux, Accept: accept}, nil
}

// ready answers 200 when the database answers and every migration is applied.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	status := map[string]any{"engine": string(a.DB.Engine), "time": time.Now().UTC()}
	if err := a.DB.Ping(ctx); err != nil {
		status["database"] = "unreachable"
		httpx.JSON(w, http.StatusServiceUnavailable, status)
		return
	}
	current, target, err := a.DB.MigrationState(ctx)
	status["schema_version"], status["schema_target"] = current, target
	if err != nil || current < target {
		status["database"] = "migrations pending"
		httpx.JSON(w, http.StatusServiceUnavailable, status)
		return
	}
	status["database"] = "ok"
	httpx.JSON(w, http.StatusOK, status)
}
