package org

import (
	"context"
	"net/http"
	"time"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// Indicators recomputes the indicators from the cases (*eval.Service): a move changes the
// subdistrict a community's cases count for.
type Indicators interface {
	Rebuild(ctx context.Context) (int, error)
}

// HTTP serves the org tree, its editor and the departments.
type HTTP struct {
	Org *Service
	R   *httpx.Responder
	// Indicators, when set, is rebuilt after a community moves (nil: run `yiwang eval rebuild`).
	Indicators Indicators
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

func (h *HTTP) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/org/tree", h.tree)
	mux.HandleFunc("GET /api/v1/departments", h.departments)
	mux.HandleFunc("GET /api/v1/zones", h.zones)
	h.registerEdit(mux)
}

func (h *HTTP) tree(w http.ResponseWriter, r *http.Request) {
	t, err := h.Org.Tree(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, t)
}

func (h *HTTP) departments(w http.ResponseWriter, r *http.Request) {
	list, err := h.Org.Departments(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if list == nil {
		list = []DepartmentInfo{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"departments": list})
}

func (h *HTTP) zones(w http.ResponseWriter, r *http.Request) {
	list, err := h.Org.Zones(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if list == nil {
		list = []Zone{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"zones": list})
}
