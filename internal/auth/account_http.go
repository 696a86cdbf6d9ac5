package auth

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// The resident's account: sign-in by SMS code (public), consent, "my data" and deleting it.

func (h *HTTP) registerAccount(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/auth/login/code", h.requestLoginCode)
	mux.HandleFunc("POST /api/v1/auth/login/sms", h.loginWithCode)
	mux.HandleFunc("POST /api/v1/me/consent", h.acceptConsent)
	mux.HandleFunc("GET /api/v1/me/data", h.myData)
	mux.HandleFunc("DELETE /api/v1/me", h.deleteMe)
}

// smsLoginPaths are the public paths of signing in by SMS code (PublicPaths).
var smsLoginPaths = []string{"/api/v1/auth/login/code", "/api/v1/auth/login/sms"}

func (h *HTTP) requestLoginCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := httpx.Decode(r, &in, 1024); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := h.Auth.RequestLoginCode(r.Context(), in.Phone, httpx.ClientIP(r, h.TrustProxy)); err != nil {
		h.fail(w, r, err)
		return
	}
	// The same answer whether or not the number has an account.
	httpx.JSON(w, http.StatusAccepted, map[string]int{"expires_in_seconds": int(h.Auth.Policy.CodeTTL.Seconds())})
}

func (h *HTTP) loginWithCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if err := httpx.Decode(r, &in, 1024); err != nil {
		h.R.Error(w, r, err)
		return
	}
	res, err := h.Auth.LoginWithCode(r.Context(), in.Phone, in.Code, Cookie, httpx.ClientIP(r, h.TrustProxy))
	h.signedIn(w, r, res, err)
}

// ConsentStatus says which documents the caller must still accept.
type ConsentStatus struct {
	Needed    bool              `json:"consent_needed"`
	Documents []string          `json:"consent_documents"`
	Versions  map[string]string `json:"consent_versions"`
}

func (h *HTTP) consentStatus(r *http.Request, p *access.Principal) (ConsentStatus, error) {
	needed, err := h.Auth.ConsentNeeded(r.Context(), p)
	if err != nil {
		return ConsentStatus{}, err
	}
	if needed == nil {
		needed = []string{}
	}
	return ConsentStatus{Needed: len(needed) > 0, Documents: needed, Versions: h.Auth.Consents().Current()}, nil
}

func (h *HTTP) acceptConsent(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Consent map[string]string `json:"consent"`
	}
	if err := httpx.Decode(r, &in, 1024); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := h.Auth.AcceptConsent(r.Context(), in.Consent); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, _ := access.From(r.Context())
	st, err := h.consentStatus(r, p)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, st)
}

func (h *HTTP) myData(w http.ResponseWriter, r *http.Request) {
	data, err := h.Auth.ExportMyData(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="yiwang-my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, data)
}

func (h *HTTP) deleteMe(w http.ResponseWriter, r *http.Request) {
	var in DeleteMe
	if err := httpx.Decode(r, &in, 1024); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if _, ok := access.From(r.Context()); !ok {
		h.R.Error(w, r, apperr.New(apperr.Unauthenticated, "auth.required"))
		return
	}
	if err := h.Auth.DeleteMyAccount(r.Context(), in); err != nil {
		h.fail(w, r, err)
		return
	}
	h.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}
