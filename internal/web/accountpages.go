package web

import (
	"net/http"
	"net/url"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/consent"
)

// The resident's account pages: the 用户协议 and 隐私政策 (public), the page that asks a
// resident to accept a new version of them, and "我的数据".

// consentPath is where a resident who must accept a new version of the texts is sent.
const consentPath = "/consent"

// document serves the text of one document, with its version: public, so that it can be read
// before signing up.
func (w *Web) document(doc string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		v := w.newView(r, "", "account."+doc+".title")
		texts := w.cfg.Auth.Consents()
		html, err := texts.HTML(doc, v.Lang)
		if err != nil {
			w.cfg.Log.Error("web: document", "doc", doc, "err", err)
			w.errorPage(rw, r, http.StatusInternalServerError, "error.internal")
			return
		}
		v.Data = map[string]any{"Doc": doc, "HTML": html, "Version": texts.Current()[doc], "Effective": texts.Effective(doc)}
		w.render(rw, r, http.StatusOK, "document", v)
	}
}

// consentNeeded asks the API's rule whether the signed-in caller must accept new texts first
// (a resident only; staff are never asked). An error lets the caller through: the API asks again.
func (w *Web) consentNeeded(r *http.Request, p *access.Principal) []string {
	needed, err := w.cfg.Auth.ConsentNeeded(r.Context(), p)
	if err != nil {
		w.cfg.Log.Error("web: consent status", "err", err)
		return nil
	}
	return needed
}

// consentPage shows the documents a resident must accept again, with the versions in force.
func (w *Web) consentPage(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, "", "account.consent.title")
	v.Script = "consent.js"
	v.Texts = w.textsWith(v.Lang, "account.consent.")
	needed := w.consentNeeded(r, v.User)
	next := afterLogin(r.URL.Query().Get("next"))
	if len(needed) == 0 {
		http.Redirect(rw, r, next, http.StatusSeeOther)
		return
	}
	texts := w.cfg.Auth.Consents()
	type doc struct{ Doc, Version, Effective string }
	var docs []doc
	for _, d := range needed {
		docs = append(docs, doc{Doc: d, Version: texts.Current()[d], Effective: texts.Effective(d)})
	}
	v.Config = map[string]any{"versions": texts.Current(), "next": next}
	v.Data = map[string]any{"Docs": docs}
	w.render(rw, r, http.StatusOK, "consent", v)
}

// myData is "我的数据": what the platform holds about the caller, its download, and deleting the
// account (static/js/mydata.js through /api/v1/me/data and DELETE /api/v1/me).
func (w *Web) myData(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageMyData, "account.data.title")
	v.Script = "mydata.js"
	v.Texts = w.textsWith(v.Lang, "account.")
	staff := len(v.User.Grants) > 0
	for _, g := range v.User.Grants {
		staff = staff && g.Role != access.Resident
	}
	cfg := map[string]any{"can_delete": !staff}
	v.Config, v.Data = cfg, cfg
	w.render(rw, r, http.StatusOK, "mydata", v)
}

// askConsent sends a resident who must accept new texts to the consent page, except from the
// pages that let them decline (sign out, delete their account) or read the texts.
func (w *Web) askConsent(rw http.ResponseWriter, r *http.Request, p *access.Principal) bool {
	switch r.URL.Path {
	case consentPath, "/logout", "/me/data", "/terms", "/privacy":
		return false
	}
	if len(w.consentNeeded(r, p)) == 0 {
		return false
	}
	http.Redirect(rw, r, consentPath+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	return true
}

// documentNames are the documents' code names, for the routes.
var documentNames = consent.Documents
