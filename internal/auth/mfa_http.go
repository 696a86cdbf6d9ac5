package auth

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// The second step of a sign-in. Its routes are public (there is no session yet): the challenge
// that Login answered is their key.

func (h *HTTP) registerMFA(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/auth/mfa/enrol", h.mfaEnrolment)
	mux.HandleFunc("POST /api/v1/auth/mfa/verify", h.mfaVerify)
}

// mfaPaths are the public paths of the second step (PublicPaths).
var mfaPaths = []string{"/api/v1/auth/mfa/enrol", "/api/v1/auth/mfa/verify"}

func (h *HTTP) mfaEnrolment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Challenge string `json:"challenge"`
	}
	if err := httpx.Decode(r, &in, 1024); err != nil {
		h.R.Error(w, r, err)
		return
	}
	e, err := h.Auth.Enrolment(r.Context(), in.Challenge)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, e)
}

func (h *HTTP) mfaVerify(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Challenge string `json:"challenge"`
		Code      string `json:"code"`
	}
	if err := httpx.Decode(r, &in, 1024); err != nil {
		h.R.Error(w, r, err)
		return
	}
	res, err := h.Auth.VerifySecondFactor(r.Context(), in.Challenge, in.Code, httpx.ClientIP(r, h.TrustProxy))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setCookie(w, r, res.Token)
	httpx.JSON(w, http.StatusOK, res)
}
