package notify

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// The configuration pages' API of the notification layer: message templates and gateways. Each
// handler checks the caller before it reads the body.

func (h *HTTP) registerConfig(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/notify/templates", h.templates)
	mux.HandleFunc("PUT /api/v1/notify/templates/{key}", h.setTemplate)
	mux.HandleFunc("GET /api/v1/notify/gateways", h.gateways)
	mux.HandleFunc("PUT /api/v1/notify/gateways/{channel}", h.setGateway)
	mux.HandleFunc("POST /api/v1/notify/gateways/{channel}/test", h.testGateway)
}

// configured answers with v when err is nil; configuration is never cached.
func (h *HTTP) configured(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, v)
}

// decodeConfig checks the caller, then reads the body into v; false when it answered an error.
func (h *HTTP) decodeConfig(w http.ResponseWriter, r *http.Request, v any) bool {
	if _, err := needConfigure(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return false
	}
	if err := httpx.Decode(r, v, 64<<10); err != nil {
		h.R.Error(w, r, err)
		return false
	}
	return true
}

func (h *HTTP) templates(w http.ResponseWriter, r *http.Request) {
	list, err := h.Texts.Templates(r.Context())
	h.configured(w, r, map[string]any{"templates": list}, err)
}

func (h *HTTP) setTemplate(w http.ResponseWriter, r *http.Request) {
	var c TemplateChange
	if !h.decodeConfig(w, r, &c) {
		return
	}
	t, err := h.Texts.SetTemplate(r.Context(), r.PathValue("key"), c)
	h.configured(w, r, t, err)
}

func (h *HTTP) gateways(w http.ResponseWriter, r *http.Request) {
	list, err := h.Gateways.View(r.Context())
	h.configured(w, r, map[string]any{"gateways": list}, err)
}

func (h *HTTP) setGateway(w http.ResponseWriter, r *http.Request) {
	var c GatewayChange
	if !h.decodeConfig(w, r, &c) {
		return
	}
	v, err := h.Gateways.Set(r.Context(), r.PathValue("channel"), c)
	h.configured(w, r, v, err)
}

func (h *HTTP) testGateway(w http.ResponseWriter, r *http.Request) {
	var body struct {
		To string `json:"to"`
	}
	if !h.decodeConfig(w, r, &body) {
		return
	}
	res, err := h.Gateways.Test(r.Context(), r.PathValue("channel"), body.To)
	h.configured(w, r, res, err)
}
