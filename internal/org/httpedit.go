package org

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// maxEditBody bounds an edit request: a few names and codes, or a list of 20 worker ids.
const maxEditBody = 16 << 10

func (h *HTTP) registerEdit(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/org/nodes", h.nodes)
	mux.HandleFunc("POST /api/v1/org/nodes", h.add)
	mux.HandleFunc("PATCH /api/v1/org/nodes/{code}", h.rename)
	mux.HandleFunc("POST /api/v1/org/nodes/{code}/move", h.move)
	mux.HandleFunc("POST /api/v1/org/nodes/{code}/retire", h.retire)
	mux.HandleFunc("GET /api/v1/org/history/{code}", h.history)
	mux.HandleFunc("POST /api/v1/org/zones", h.addZone)
	mux.HandleFunc("GET /api/v1/org/communities/{code}/grids", h.communityGrids)
	mux.HandleFunc("PATCH /api/v1/org/grids/{code}", h.changeGrid)
}

func (h *HTTP) nodes(w http.ResponseWriter, r *http.Request) {
	nodes, zones, err := h.Org.Nodes(r.Context())
	h.R.Reply(w, r, http.StatusOK, map[string]any{"nodes": nodes, "zones": zones}, err)
}

func (h *HTTP) add(w http.ResponseWriter, r *http.Request) {
	var in AddInput
	if err := httpx.Decode(r, &in, maxEditBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	n, err := h.Org.Add(r.Context(), in, h.now())
	h.R.Reply(w, r, http.StatusCreated, n, err)
}

func (h *HTTP) addZone(w http.ResponseWriter, r *http.Request) {
	var in ZoneInput
	if err := httpx.Decode(r, &in, maxEditBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	z, err := h.Org.AddZone(r.Context(), in, h.now())
	h.R.Reply(w, r, http.StatusCreated, z, err)
}

func (h *HTTP) rename(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   *string `json:"name"`
		NameEN *string `json:"name_en"`
	}
	if err := httpx.Decode(r, &in, maxEditBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if in.Name == nil || in.NameEN == nil {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "orgedit.rename_fields"))
		return
	}
	n, err := h.Org.Rename(r.Context(), r.PathValue("code"), *in.Name, *in.NameEN, h.now())
	h.R.Reply(w, r, http.StatusOK, n, err)
}

func (h *HTTP) move(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ParentCode string `json:"parent_code"`
	}
	if err := httpx.Decode(r, &in, maxEditBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	moved, err := h.Org.Move(r.Context(), r.PathValue("code"), in.ParentCode, h.now())
	if err == nil && h.Indicators != nil && moved.Cases > 0 {
		// The community's cases now count for its new subdistrict: recompute the sums.
		// A failure leaves indicators_run false: the move stands, `yiwang eval rebuild` catches up.
		if _, rerr := h.Indicators.Rebuild(r.Context()); rerr == nil {
			moved.IndicatorsRun = true
		}
	}
	h.R.Reply(w, r, http.StatusOK, moved, err)
}

func (h *HTTP) retire(w http.ResponseWriter, r *http.Request) {
	n, err := h.Org.Retire(r.Context(), r.PathValue("code"), h.now())
	h.R.Reply(w, r, http.StatusOK, n, err)
}

func (h *HTTP) history(w http.ResponseWriter, r *http.Request) {
	list, err := h.Org.History(r.Context(), r.PathValue("code"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"history": list}, err)
}

func (h *HTTP) communityGrids(w http.ResponseWriter, r *http.Request) {
	g, err := h.Org.CommunityGrids(r.Context(), r.PathValue("code"))
	h.R.Reply(w, r, http.StatusOK, g, err)
}

func (h *HTTP) changeGrid(w http.ResponseWriter, r *http.Request) {
	var in GridChange
	if err := httpx.Decode(r, &in, maxEditBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	g, err := h.Org.ChangeGrid(r.Context(), r.PathValue("code"), in, h.now())
	h.R.Reply(w, r, http.StatusOK, g, err)
}
