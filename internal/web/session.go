package web

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/auth"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// passwordPath is where a caller who must change their password is sent.
const passwordPath = "/me/password"

// signedIn lets only signed-in callers through: anyone else goes to the sign-in page and comes
// back afterwards; a caller who must change their password goes to the password page first.
func (w *Web) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p, ok := access.From(r.Context())
		if !ok {
			http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if p.MustChangePassword && r.URL.Path != passwordPath && r.URL.Path != "/logout" {
			http.Redirect(rw, r, passwordPath, http.StatusSeeOther)
			return
		}
		// A resident accepts new versions of the 用户协议 and 隐私政策 first (accountpages.go).
		if w.askConsent(rw, r, p) {
			return
		}
		next(rw, r)
	}
}

// needs refuses the page to callers whose roles may not open it (opens).
func (w *Web) needs(page pageID, next http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if p, _ := access.From(r.Context()); p == nil || !opens(p, page) {
			w.errorPage(rw, r, http.StatusForbidden, "web.error.forbidden")
			return
		}
		next(rw, r)
	}
}

// safeNext returns next when it is a path on this site, else "/". It keeps the sign-in page and
// the language switch from sending anyone to another site (an open redirect; 等保 2.0,
// GB/T 22239-2019 8.1.4.4 软件容错: validate what users send). It judges the path as a browser
// would: browsers drop tabs and newlines anywhere, trim control characters and spaces, treat "\"
// as "/", percent-decode and resolve "." and ".." — so any of these that could turn the path into
// "//host" or "scheme:" is refused rather than repaired.
func safeNext(next string) string {
	if !sameSitePath(next) {
		return "/"
	}
	return next
}

// sameSitePath reports whether next is a plain path on this site (see safeNext).
func sameSitePath(next string) bool {
	if !strings.HasPrefix(next, "/") || !plainText(next) {
		return false
	}
	p, _, _ := strings.Cut(next, "#")
	p, _, _ = strings.Cut(p, "?")
	// Decode until nothing changes (a proxy or a second redirect may decode again); a bad
	// escape is refused.
	for range 4 {
		d, err := url.PathUnescape(p)
		if err != nil || !plainText(d) {
			return false
		}
		if d == p {
			break
		}
		p = d
	}
	if strings.Contains(p, "%") || strings.Contains(p, "//") {
		return false
	}
	cleaned := path.Clean(p)
	return strings.HasPrefix(cleaned, "/") && !strings.HasPrefix(cleaned, "//") && !strings.Contains(cleaned, ":")
}

// plainText refuses what browsers strip or reinterpret in a URL: invalid UTF-8, control
// characters (tabs and newlines included), spaces of any kind and backslashes.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// afterLogin is where the sign-in page sends the caller: next, unless it is a sign-in page.
func afterLogin(next string) string {
	next = safeNext(next)
	path, _, _ := strings.Cut(next, "?")
	if path == "/login" || path == "/login/mfa" || path == "/signup" || path == "/logout" || path == consentPath {
		return "/"
	}
	return next
}

type loginData struct {
	Next    string
	Message string // an error to show at once (sign-in without JavaScript)
}

// signInPage serves a step of signing in (the password: "login"; the second factor: "mfa"): a
// caller already signed in goes on to next.
func (w *Web) signInPage(page, title, script string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		next := afterLogin(r.URL.Query().Get("next"))
		if _, ok := access.From(r.Context()); ok {
			http.Redirect(rw, r, next, http.StatusSeeOther)
			return
		}
		v := w.newView(r, "", title)
		v.Script = script
		v.Texts = w.textsWith(v.Lang, "account.login.")
		v.Data = loginData{Next: next}
		w.render(rw, r, http.StatusOK, page, v)
	}
}

// loginWithoutScript answers a sign-in form posted by a browser that runs no JavaScript. The
// form posts here rather than nowhere so that a password never lands in a URL; signing in
// itself goes through POST /api/v1/auth/login, which the page's script calls.
func (w *Web) loginWithoutScript(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, "", "web.login.title")
	v.Script = "login.js"
	v.Data = loginData{Next: afterLogin(r.URL.Query().Get("next")), Message: v.T("web.error.needs_script")}
	w.render(rw, r, http.StatusBadRequest, "login", v)
}

func (w *Web) signup(rw http.ResponseWriter, r *http.Request) {
	if _, ok := access.From(r.Context()); ok {
		http.Redirect(rw, r, "/", http.StatusSeeOther)
		return
	}
	v := w.newView(r, "", "web.signup.title")
	v.Script = "signup.js"
	v.Texts = w.textsWith(v.Lang, "account.signup.")
	v.Data = w.cfg.Auth.Consents().Current() // the versions the consent box stands for
	w.render(rw, r, http.StatusOK, "signup", v)
}

// logoutPage asks to confirm, for someone who typed /logout: signing out is a POST so that
// another site cannot sign a user out with a link.
func (w *Web) logoutPage(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, "", "web.logout.title")
	w.render(rw, r, http.StatusOK, "logout", v)
}

// logout ends the session of the cookie and goes to the sign-in page.
func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(auth.CookieName); err == nil && c.Value != "" {
		if err := w.cfg.Auth.Logout(r.Context(), c.Value); err != nil {
			w.cfg.Log.Error("web: sign out", "err", err)
			w.errorPage(rw, r, http.StatusInternalServerError, "error.internal")
			return
		}
	}
	http.SetCookie(rw, &http.Cookie{Name: auth.CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: w.cfg.SecureCookie, SameSite: http.SameSiteLaxMode})
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

// switchLanguage remembers the chosen language in the "lang" cookie (which i18n.FromRequest
// reads, for the pages and the API alike) and goes back to the page.
func (w *Web) switchLanguage(rw http.ResponseWriter, r *http.Request) {
	lang := i18n.Normalize(r.PathValue("lang"))
	if lang == "" {
		w.notFound(rw, r)
		return
	}
	http.SetCookie(rw, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: w.cfg.SecureCookie, SameSite: http.SameSiteLaxMode})
	http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}
