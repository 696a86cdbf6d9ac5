package auth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// CookieName is the browser session cookie.
const CookieName = "yiwang_session"

// HTTP serves sign-in, sign-out, sign-up and /me.
type HTTP struct {
	Auth *Service
	R    *httpx.Responder
	// SecureCookie marks cookies Secure always; without it they are Secure whenever the request
	// came over TLS, or through a trusted proxy that says it did (httpx.IsHTTPS).
	SecureCookie bool
	TrustProxy   bool
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.HandleFunc("POST /api/v1/auth/logout", h.logout)
	mux.HandleFunc("POST /api/v1/auth/signup/code", h.requestCode)
	mux.HandleFunc("POST /api/v1/auth/signup", h.signup)
	mux.HandleFunc("GET /api/v1/me", h.me)
	mux.HandleFunc("POST /api/v1/me/password", h.changePassword)
	h.registerMFA(mux)
	h.registerAccount(mux)
}

// tokenFrom reads the bearer token, else the session cookie.
func tokenFrom(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		if t, ok := strings.CutPrefix(a, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}

// Middleware puts the caller of a valid session into the request context. Requests without a
// valid session go on anonymously; whatever needs a caller refuses them with 401.
func (h *HTTP) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := tokenFrom(r)
		if token == "" || len(token) > 128 {
			next.ServeHTTP(w, r)
			return
		}
		p, err := h.Auth.Authenticate(r.Context(), token, httpx.ClientIP(r, h.TrustProxy))
		if err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				h.R.Error(w, r, err)
				return
			}
			// An expired cookie is cleared so the browser stops sending it.
			if _, cerr := r.Cookie(CookieName); cerr == nil {
				h.clearCookie(w, r)
			}
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
	})
}

// RequireSignIn answers 401 to anonymous callers of every /api/ route except the public ones,
// before any handler reads input: an anonymous caller learns nothing about what it sent.
func RequireSignIn(rs *httpx.Responder, public map[string]bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") && !public[r.URL.Path] && !hasPublicPrefix(r.URL.Path) {
			if _, ok := access.From(r.Context()); !ok {
				rs.Error(w, r, apperr.New(apperr.Unauthenticated, "auth.required"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// PublicPaths are the API paths that need no sign-in.
var PublicPaths = map[string]bool{
	"/api/v1/auth/login": true, "/api/v1/auth/logout": true, "/api/v1/auth/signup/code": true,
	"/api/v1/auth/signup": true, "/api/v1/openapi.json": true,
	mfaPaths[0]: true, mfaPaths[1]: true, smsLoginPaths[0]: true, smsLoginPaths[1]: true,
	// 一网速查 (package directory): residents search without signing in; an entry and which
	// office serves an address are under /api/v1/public/services/.
	"/api/v1/services/search": true, "/api/v1/services/suggest": true, "/api/v1/services/categories": true,
}

// PublicPrefixes are API path prefixes that need no sign-in: an anonymous reporter's private
// link carries its own key; /api/v1/public/ serves the public view of cases (issue 14).
var PublicPrefixes = []string{"/api/v1/follow/", "/api/v1/public/"}

// setCookie sets the session cookie. It has no Max-Age, so the browser drops it when it closes
// (a shared office computer); the absolute lifetime and the idle timeout are enforced by the
// server on every request (Authenticate), whatever the browser keeps.
func (h *HTTP) setCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true,
		Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

func (h *HTTP) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

// secure: a session token sent over HTTPS must not travel again over plain HTTP (等保 2.0,
// GB/T 22239-2019 8.1.4.1 c: 防止鉴别信息在网络传输过程中被窃听).
func (h *HTTP) secure(r *http.Request) bool {
	return h.SecureCookie || httpx.IsHTTPS(r, h.TrustProxy)
}

// fail answers err, with Retry-After (seconds) when sign-in is throttled.
func (h *HTTP) fail(w http.ResponseWriter, r *http.Request, err error) {
	var wait RetryAfter
	if errors.As(err, &wait) {
		w.Header().Set("Retry-After", strconv.Itoa(wait.Seconds()))
	}
	h.R.Error(w, r, err)
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (h *HTTP) login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if err := httpx.Decode(r, &in, 4096); err != nil {
		h.R.Error(w, r, err)
		return
	}
	res, err := h.Auth.Login(r.Context(), in.Username, in.Password, Cookie, httpx.ClientIP(r, h.TrustProxy))
	h.signedIn(w, r, res, err)
}

// signedIn answers a sign-in (password or SMS code): the session cookie, or the second step.
func (h *HTTP) signedIn(w http.ResponseWriter, r *http.Request, res Result, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if res.Token != "" { // else a second factor comes first (mfa_http.go)
		h.setCookie(w, r, res.Token)
	}
	httpx.JSON(w, http.StatusOK, res)
}

func (h *HTTP) logout(w http.ResponseWriter, r *http.Request) {
	if token := tokenFrom(r); token != "" {
		if err := h.Auth.Logout(r.Context(), token); err != nil {
			h.R.Error(w, r, err)
			return
		}
	}
	h.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func (h *HTTP) requestCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := httpx.Decode(r, &in, 1024); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := h.Auth.RequestCode(r.Context(), in.Phone); err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusAccepted, map[string]int{"expires_in_seconds": int(h.Auth.Policy.CodeTTL.Seconds())})
}

func (h *HTTP) signup(w http.ResponseWriter, r *http.Request) {
	var in SignUp
	if err := httpx.Decode(r, &in, 4096); err != nil {
		h.R.Error(w, r, err)
		return
	}
	res, err := h.Auth.SignUpResident(r.Context(), in, Cookie, httpx.ClientIP(r, h.TrustProxy))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setCookie(w, r, res.Token)
	httpx.JSON(w, http.StatusCreated, res)
}

// Me is the caller as GET /api/v1/me shows it.
type Me struct {
	ID                 string         `json:"id"`
	Username           string         `json:"username"`
	DisplayName        string         `json:"display_name"`
	Roles              []access.Grant `json:"roles"`
	MustChangePassword bool           `json:"must_change_password"`
	// ConsentStatus: a resident who has not accepted the 用户协议 and 隐私政策 in force must
	// accept them (POST /api/v1/me/consent) before going on (account_http.go).
	ConsentStatus
}

func (h *HTTP) me(w http.ResponseWriter, r *http.Request) {
	p, ok := access.From(r.Context())
	if !ok {
		h.R.Error(w, r, apperr.New(apperr.Unauthenticated, "auth.required"))
		return
	}
	st, err := h.consentStatus(r, p)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, Me{ID: p.UserID, Username: p.Username, DisplayName: p.DisplayName,
		Roles: p.Grants, MustChangePassword: p.MustChangePassword, ConsentStatus: st})
}

func (h *HTTP) changePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OldPassword string `json:"old_password"`
		NewPassword string `json:"new_password"`
	}
	if err := httpx.Decode(r, &in, 4096); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := h.Auth.ChangePassword(r.Context(), in.OldPassword, in.NewPassword); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func hasPublicPrefix(path string) bool {
	for _, p := range PublicPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
