package apikey

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// HTTP serves the keys of client applications to the district's sys_admin: list, create (the
// key is in the answer once) and revoke. The service checks the caller (a sys_admin held at the
// district node) and records every change in the audit log.
type HTTP struct {
	Keys *Service
	R    *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/apikeys", h.list)
	mux.HandleFunc("POST /api/v1/apikeys", h.create)
	mux.HandleFunc("DELETE /api/v1/apikeys/{name}", h.revoke)
}

// Listed is a key as GET /api/v1/apikeys shows it.
type Listed struct {
	Key
	// LastUsedAt is when the key last posted a request that was accepted (nil: never).
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Created is the answer to POST /api/v1/apikeys: the key with its secret, shown only here.
type Created struct {
	Key
	Secret string `json:"key"`
}

// keyInput is the body of POST /api/v1/apikeys.
type keyInput struct {
	Name          string `json:"name"`
	RatePerMinute *int   `json:"rate_per_minute"` // omitted or 0: the server's default
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	keys, err := h.Keys.List(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	used, err := h.Keys.lastUsed(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	out := make([]Listed, len(keys))
	for i, k := range keys {
		out[i] = Listed{Key: k}
		if at, ok := used[k.ID]; ok {
			out[i].LastUsedAt = &at
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"keys": out, "default_rate_per_minute": h.Keys.defaultPerMinute(),
		"max_rate_per_minute": MaxRatePerMinute})
}

func (h *HTTP) create(w http.ResponseWriter, r *http.Request) {
	// The caller first: a refused caller learns nothing about its body's problems.
	if _, err := needAdmin(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in keyInput
	if err := httpx.Decode(r, &in, 4096); err != nil {
		h.R.Error(w, r, err)
		return
	}
	rate := 0
	if in.RatePerMinute != nil {
		rate = *in.RatePerMinute
	}
	k, secret, err := h.Keys.Create(r.Context(), in.Name, rate)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, Created{Key: k, Secret: secret})
}

func (h *HTTP) revoke(w http.ResponseWriter, r *http.Request) {
	if _, err := h.Keys.Revoke(r.Context(), r.PathValue("name")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// lastUsed returns, per key ID, when the key last posted an accepted request (open311_requests
// keeps which key sent each one). The join brings back the stored column itself, so that both
// engines scan it as a time.
func (s *Service) lastUsed(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.DB.Query(ctx, `SELECT r.api_key_id, r.created_at FROM open311_requests r
		JOIN (SELECT api_key_id, MAX(created_at) AS at FROM open311_requests GROUP BY api_key_id) m
		  ON m.api_key_id = r.api_key_id AND m.at = r.created_at`)
	if err != nil {
		return nil, fmt.Errorf("api keys last used: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("api keys last used: %w", err)
		}
		out[id] = at.UTC()
	}
	return out, rows.Err()
}

// defaultPerMinute is the rate of a key without a rate of its own.
func (s *Service) defaultPerMinute() int {
	l := s.Limiter
	if l == nil {
		l = defaultLimiter
	}
	return l.rate.PerMinute
}
