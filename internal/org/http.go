package org

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// HTTP serves the org tree and the departments.
type HTTP struct {
	Org *Service
	R   *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/org/tree", h.tree)
	mux.HandleFunc("GET /api/v1/departments", h.departments)
	mux.HandleFunc("GET /api/v1/zones", h.zones)
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
