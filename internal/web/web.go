// Package web serves yiwang's browser pages: a server-rendered html/template shell (layout,
// navigation by role, language switch, sign-in redirects) around small JavaScript modules under
// static/js/ that call the JSON API for data and actions. Nothing is loaded from the network at
// run time: Leaflet is copied from npm into static/vendor/ at build time (scripts/web-assets.sh)
// and embedded with the rest.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/auth"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config is what the pages need from the rest of yiwang.
type Config struct {
	Catalog *i18n.Catalog
	Auth    *auth.Service // ends the session on sign-out
	Log     *slog.Logger
	// SecureCookie marks the cookies the pages set (sign-out, language) Secure, as the API's.
	SecureCookie bool
}

// Web is the set of browser pages.
type Web struct {
	cfg    Config
	pages  map[string]*template.Template
	static *staticServer
	// jsTexts holds, per language, the texts the JavaScript modules show.
	jsTexts map[string]map[string]string
	// sw is the service worker script with this build's cache name (pwa.go).
	sw []byte
}

// pageNames are the templates that are whole pages (every template but base.html and
// parts.html); each is parsed with base.html. Read from the embedded files, so a new page's
// template cannot be forgotten here.
func pageNames() ([]string, error) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name != "base" && name != "parts" {
			names = append(names, name)
		}
	}
	return names, nil
}

// jsTextPrefixes select the catalogue keys rendered into each page for its script.
var jsTextPrefixes = []string{"web.", "role.", "kind.", "desk.", "case.status.", "case.step.", "case.action.", "category.urgency.", "photo.", "dashboard.", "offline."}

// New parses the templates and indexes the static files.
func New(cfg Config) (*Web, error) {
	if cfg.Catalog == nil || cfg.Auth == nil || cfg.Log == nil {
		return nil, fmt.Errorf("web: Catalog, Auth and Log are required")
	}
	w := &Web{cfg: cfg, pages: map[string]*template.Template{}, jsTexts: map[string]map[string]string{}}
	base, err := template.New("base.html").ParseFS(templateFiles, "templates/base.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse base template: %w", err)
	}
	names, err := pageNames()
	if err != nil {
		return nil, fmt.Errorf("web: list page templates: %w", err)
	}
	for _, name := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: clone base template: %w", err)
		}
		if _, err := t.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		w.pages[name] = t
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	if w.static, err = newStaticServer(static); err != nil {
		return nil, err
	}
	if !w.static.has("/vendor/leaflet/leaflet.js") {
		// Not fatal, so that Go-only work needs no npm, but the map page cannot draw.
		cfg.Log.Error("web: Leaflet is missing from internal/web/static/vendor: run `make assets` (npm ci && sh scripts/web-assets.sh) before building")
	}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		texts := map[string]string{}
		for _, key := range cfg.Catalog.Keys(lang) {
			for _, prefix := range jsTextPrefixes {
				if strings.HasPrefix(key, prefix) {
					texts[key] = cfg.Catalog.T(lang, key)
				}
			}
		}
		w.jsTexts[lang] = texts
	}
	w.buildPWA()
	return w, nil
}

// Register adds the page routes. Every page but the sign-in and sign-up pages needs a signed-in
// caller; the API under /api/v1 does its own checks.
func (w *Web) Register(mux *httpx.Mux) {
	mux.Handle("GET /static/", http.StripPrefix("/static", w.static))
	mux.HandleFunc("GET /login", w.signInPage("login", "web.login.title", "login.js"))
	mux.HandleFunc("POST /login", w.loginWithoutScript)
	// The second step asks for a code of the authenticator, or sets one up (mfa.js, through
	// /api/v1/auth/mfa/…); it needs no session: the sign-in page hands over the challenge of the
	// right password in the tab's sessionStorage.
	mux.HandleFunc("GET /login/mfa", w.signInPage("mfa", "web.mfa.title", "mfa.js"))
	mux.HandleFunc("GET /signup", w.signup)
	mux.HandleFunc("GET /logout", w.signedIn(w.logoutPage))
	mux.HandleFunc("POST /logout", w.logout)
	mux.HandleFunc("GET /lang/{lang}", w.switchLanguage)
	mux.HandleFunc("GET /sw.js", w.serviceWorkerScript)
	mux.HandleFunc("GET /manifest.webmanifest", w.manifest)
	mux.HandleFunc("GET /{$}", w.signedIn(w.home))
	mux.HandleFunc("GET /org", w.signedIn(w.org))
	mux.HandleFunc("GET /dashboard", w.signedIn(w.needs(pageDashboard, w.dashboard)))
	mux.HandleFunc("GET /users", w.signedIn(w.needs(pageUsers, w.users)))
	mux.HandleFunc("GET /audit", w.signedIn(w.needs(pageAudit, w.audit)))
	mux.HandleFunc("GET /apikeys", w.signedIn(w.needs(pageAPIKeys, w.apiKeys)))
	mux.HandleFunc("GET /deliveries", w.signedIn(w.needs(pageDeliveries, w.scriptPage(pageDeliveries, "deliveries", "web.deliveries.title"))))
	mux.HandleFunc("GET /briefing", w.signedIn(w.needs(pageBriefing, w.briefing)))
	mux.HandleFunc("GET /me/password", w.signedIn(w.password))
	mux.HandleFunc("GET /me/data", w.signedIn(w.myData))
	mux.HandleFunc("GET /consent", w.signedIn(w.consentPage))
	for _, doc := range documentNames {
		mux.HandleFunc("GET /"+doc, w.document(doc))
	}
	mux.HandleFunc("GET /report", w.signedIn(w.needs(pageReport, w.report)))
	mux.HandleFunc("GET /my", w.signedIn(w.needs(pageMine, w.listPage(pageMine, "my", "my.js"))))
	mux.HandleFunc("GET /desk", w.signedIn(w.needs(pageDesk, w.listPage(pageDesk, "desk", "desk.js"))))
	mux.HandleFunc("GET /desk/new", w.signedIn(w.needs(pageHotline, w.hotline)))
	mux.HandleFunc("GET /inbox", w.signedIn(w.needs(pageInbox, w.listPage(pageInbox, "inbox", "inbox.js"))))
	mux.HandleFunc("GET /tasks", w.signedIn(w.needs(pageTasks, w.listPage(pageTasks, "tasks", "tasks.js"))))
	mux.HandleFunc("GET /cases/{id}", w.signedIn(w.needs(pageCase, w.casePage)))
	mux.HandleFunc("GET /follow/{token}", w.follow)
	mux.HandleFunc("GET /public", w.publicPage)
	mux.HandleFunc("GET /services", w.services)
	mux.HandleFunc("GET /services/{id}", w.service)
	mux.HandleFunc("GET /directory", w.signedIn(w.needs(pageDirectory, w.directory)))
	mux.HandleFunc("GET /racecourse", w.signedIn(w.needs(pageRacecourse, w.racecourse)))
	mux.HandleFunc("GET /league", w.signedIn(w.needs(pageLeague, w.league)))
	mux.HandleFunc("GET /whistles", w.signedIn(w.needs(pageWhistles, w.whistles)))
	mux.HandleFunc("GET /whistles/{id}", w.signedIn(w.needs(pageWhistles, w.whistle)))
	mux.HandleFunc("GET /directives", w.signedIn(w.needs(pageDirectives, w.directives)))
	mux.HandleFunc("GET /directives/{id}", w.signedIn(w.needs(pageDirectives, w.directive)))
	mux.HandleFunc("GET /patrol", w.signedIn(w.needs(pagePatrol, w.patrol)))
	mux.HandleFunc("GET /patrols/coverage", w.signedIn(w.needs(pagePatrolCoverage, w.patrolCoverage)))
	mux.HandleFunc("GET /rosters", w.signedIn(w.needs(pageRosters, w.rosters)))
	mux.HandleFunc("GET /schemes", w.signedIn(w.needs(pageSchemes, w.schemes)))
	mux.HandleFunc("GET /onboard", w.signedIn(w.needs(pageOnboard, w.onboard)))
	mux.HandleFunc("GET /settings", w.signedIn(w.needs(pageSettings, w.settings)))
	mux.HandleFunc("GET /settings/{section}", w.signedIn(w.needs(pageSettings, w.settings)))
	mux.HandleFunc("/", w.notFound)
}
