package web

import (
	"bytes"
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/password"
)

// view is what every template receives.
type view struct {
	Lang   string
	Title  string
	Path   string // the current path with its query, for the language switch's way back
	User   *access.Principal
	Roles  []roleView
	Nav    []navItem
	Script string // the page's module under static/js/, "" for none
	Map    bool   // load Leaflet
	// Texts are the catalogue texts the page's script needs (rendered as a JSON data block).
	Texts map[string]string
	// Config is handed to the page's script as JSON (what the caller may do there).
	Config any
	// Data is the page's own data for its template.
	Data any
	// PasswordMin is the password policy's minimum length, for the forms' hints.
	PasswordMin int
	cat         func(lang, key string, args ...any) string
}

// T translates key into the page's language.
func (v *view) T(key string, args ...any) string { return v.cat(v.Lang, key, args...) }

// roleView is one grant as the top bar and the home page show it.
type roleView struct {
	Role, Name, OrgName, OrgCode string
}

func (w *Web) newView(r *http.Request, page pageID, titleKey string) *view {
	lang := i18n.FromRequest(r)
	v := &view{Lang: lang, Path: pathWithoutLang(r), cat: w.cfg.Catalog.T, Texts: w.jsTexts[lang],
		PasswordMin: password.MinLength}
	v.Title = v.T(titleKey)
	if p, ok := access.From(r.Context()); ok {
		v.User = p
		for _, g := range p.Grants {
			v.Roles = append(v.Roles, roleView{Role: string(g.Role), Name: v.T("role." + string(g.Role)),
				OrgName: g.OrgName, OrgCode: g.OrgCode})
		}
		v.Nav = menu(p, page, v.T)
	}
	return v
}

// pathWithoutLang is the request's path and query without a "lang" parameter, which would
// otherwise outrank the language the switch just chose.
func pathWithoutLang(r *http.Request) string {
	u := *r.URL
	if q := u.Query(); q.Has("lang") {
		q.Del("lang")
		u.RawQuery = q.Encode()
	}
	return u.RequestURI()
}

// render writes the page template name with v. The page is rendered into a buffer first so that
// a template error becomes a clean 500, not half a page.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t, ok := w.pages[name]
	if !ok {
		w.cfg.Log.Error("web: no such page template", "name", name)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base.html", v); err != nil {
		w.cfg.Log.Error("web: render page", "request_id", httpx.RequestID(r.Context()), "page", name, "err", err)
		http.Error(rw, v.T("error.internal"), http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", v.Lang)
	h.Set("Vary", "Cookie, Accept-Language")
	rw.WriteHeader(status)
	rw.Write(buf.Bytes())
}

// errorPage shows a short message with a way home.
func (w *Web) errorPage(rw http.ResponseWriter, r *http.Request, status int, messageKey string) {
	v := w.newView(r, "", "web.error.title")
	v.Data = map[string]any{"Status": status, "Message": v.T(messageKey)}
	w.render(rw, r, status, "error", v)
}

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.errorPage(rw, r, http.StatusNotFound, "web.error.not_found")
}
