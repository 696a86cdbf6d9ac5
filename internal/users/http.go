package users

import (
	"net/http"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// HTTP serves the account API.
type HTTP struct {
	Users *Service
	R     *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/users", h.list)
	mux.HandleFunc("POST /api/v1/users", h.create)
	mux.HandleFunc("GET /api/v1/users/{id}", h.get)
	mux.HandleFunc("POST /api/v1/users/{id}/disable", h.setDisabled(true))
	mux.HandleFunc("POST /api/v1/users/{id}/enable", h.setDisabled(false))
	mux.HandleFunc("POST /api/v1/users/{id}/password", h.resetPassword)
	mux.HandleFunc("POST /api/v1/users/{id}/roles", h.grant)
	mux.HandleFunc("DELETE /api/v1/users/{id}/roles/{grant}", h.revoke)
	mux.HandleFunc("DELETE /api/v1/users/{id}/mfa", h.resetSecondFactor)
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Query: q.Get("q"), Role: access.Role(q.Get("role")), OrgCode: q.Get("org_code"), After: q.Get("after")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–500"))
			return
		}
		f.Limit = n
	}
	if f.Role != "" && !f.Role.Valid() {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "user.bad_role", f.Role))
		return
	}
	list, err := h.Users.List(r.Context(), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if list == nil {
		list = []User{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"users": list})
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	u, err := h.Users.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, u)
}

func (h *HTTP) create(w http.ResponseWriter, r *http.Request) {
	var in NewUser
	if err := httpx.Decode(r, &in, 16<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	u, err := h.Users.Create(r.Context(), in)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, u)
}

func (h *HTTP) setDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := h.Users.SetDisabled(r.Context(), r.PathValue("id"), disabled)
		if err != nil {
			h.R.Error(w, r, err)
			return
		}
		httpx.JSON(w, http.StatusOK, u)
	}
}

func (h *HTTP) resetPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := httpx.Decode(r, &in, 4096); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := h.Users.ResetPassword(r.Context(), r.PathValue("id"), in.Password); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *HTTP) grant(w http.ResponseWriter, r *http.Request) {
	var in RoleAt
	if err := httpx.Decode(r, &in, 4096); err != nil {
		h.R.Error(w, r, err)
		return
	}
	u, err := h.Users.Grant(r.Context(), r.PathValue("id"), in)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, u)
}

func (h *HTTP) revoke(w http.ResponseWriter, r *http.Request) {
	u, err := h.Users.Revoke(r.Context(), r.PathValue("id"), r.PathValue("grant"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, u)
}
