package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// mfaPage is the second sign-in step: a code of the authenticator, or setting one up (mfa.js
// does both through /api/v1/auth/mfa/…). It needs no session: the sign-in page hands over the
// challenge of the right password in the tab's sessionStorage.
func (w *Web) mfaPage(rw http.ResponseWriter, r *http.Request) {
	next := afterLogin(r.URL.Query().Get("next"))
	if _, ok := access.From(r.Context()); ok {
		http.Redirect(rw, r, next, http.StatusSeeOther)
		return
	}
	v := w.newView(r, "", "web.mfa.title")
	v.Script = "mfa.js"
	v.Data = loginData{Next: next}
	w.render(rw, r, http.StatusOK, "mfa", v)
}
