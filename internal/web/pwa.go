package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// The installable app (PWA, issue 14): a web app manifest and a service worker, both served by
// the binary from the site's root. The worker must sit at /sw.js, not under /static/, for its
// scope to cover the pages it keeps for offline use (/report, /my, /patrol). CSP needs no change:
// worker-src and manifest-src fall back to default-src 'self'.

//go:embed pwa/sw.js
var serviceWorker string

// offlinePages are the pages the service worker keeps so that they open without network: the
// resident's report form and "my reports", the grid worker's patrol page. A page the caller may
// not open is simply not kept.
var offlinePages = []string{"/report", "/my", "/patrol"}

// offlineSkip are static folders not kept for offline use: no offline page draws a chart.
var offlineSkip = []string{"/vendor/echarts/"}

// buildPWA fills in the service worker's cache name and asset list. The cache name is a hash of
// every static file and of the worker itself, so that a new build installs a new worker, whose
// activation drops the caches of the old one.
func (w *Web) buildPWA() {
	var assets []string
	sum := sha256.New()
	sum.Write([]byte(serviceWorker))
	names := make([]string, 0, len(w.static.files))
	for name := range w.static.files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sum.Write([]byte(name + w.static.files[name].etag))
		skip := strings.HasSuffix(name, ".txt") || strings.HasSuffix(name, ".map")
		for _, prefix := range offlineSkip {
			skip = skip || strings.HasPrefix(name, prefix)
		}
		if !skip {
			assets = append(assets, "/static"+name)
		}
	}
	for _, t := range templateHashes() {
		sum.Write(t)
	}
	version := hex.EncodeToString(sum.Sum(nil)[:8])
	list, _ := json.Marshal(assets)
	pages, _ := json.Marshal(offlinePages)
	w.sw = []byte(strings.NewReplacer(`"__VERSION__"`, `"`+version+`"`, `["__ASSETS__"]`, string(list),
		`["__PAGES__"]`, string(pages)).Replace(serviceWorker))
}

// templateHashes are the page templates' hashes: a changed page is a new build as well.
func templateHashes() [][]byte {
	var out [][]byte
	names, _ := pageNames()
	for _, name := range append(names, "base", "parts") {
		b, _ := templateFiles.ReadFile("templates/" + name + ".html")
		s := sha256.Sum256(b)
		out = append(out, s[:])
	}
	return out
}

// serviceWorkerScript serves /sw.js. Browsers check it for updates on every navigation when it
// is not cached (no-cache): a new build reaches phones the next time they open a page.
func (w *Web) serviceWorkerScript(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	rw.Write(w.sw)
}

// manifest serves /manifest.webmanifest in the caller's language; it opens on the report form.
func (w *Web) manifest(rw http.ResponseWriter, r *http.Request) {
	lang := i18n.FromRequest(r)
	t := func(key string) string { return w.cfg.Catalog.T(lang, key) }
	m := map[string]any{
		"name": t("web.product") + " · " + t("web.product_sub"), "short_name": t("web.product"),
		"lang": lang, "start_url": "/report", "scope": "/", "display": "standalone",
		"background_color": "#ffffff", "theme_color": "#c8102e",
		"icons": []map[string]string{
			{"src": "/static/img/favicon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
		},
	}
	h := rw.Header()
	h.Set("Content-Type", "application/manifest+json")
	h.Set("Cache-Control", "no-cache")
	json.NewEncoder(rw).Encode(m)
}
