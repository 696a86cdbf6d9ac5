package basemap

import (
	"errors"
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// HTTP serves the map configuration and the tiles of an offline file.
type HTTP struct {
	Base *Base
	R    *httpx.Responder
}

// tileCache lets a browser keep a tile for a day: the file changes only with a restart, and the
// tiles are for signed-in users only, so no shared cache keeps them.
const tileCache = "private, max-age=86400"

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/map/config", h.config)
	mux.HandleFunc("GET "+TilePath, h.tile)
	mux.HandleFunc("GET "+ArchivePath, h.archive)
}

// signedIn answers 401 unless the request carries a session (the /tiles/ paths are outside
// /api/, which the sign-in check covers).
func (h *HTTP) signedIn(w http.ResponseWriter, r *http.Request) bool {
	if _, ok := access.From(r.Context()); !ok {
		h.R.Error(w, r, apperr.New(apperr.Unauthenticated, "auth.required"))
		return false
	}
	return true
}

func (h *HTTP) config(w http.ResponseWriter, r *http.Request) {
	if !h.signedIn(w, r) {
		return
	}
	view := View{Kind: None, Layers: []Layer{}, MaxZoom: 18}
	if h.Base != nil {
		view = h.Base.View()
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.JSON(w, http.StatusOK, view)
}

func (h *HTTP) tile(w http.ResponseWriter, r *http.Request) {
	if !h.signedIn(w, r) {
		return
	}
	if h.Base == nil || h.Base.mbtiles == nil {
		h.R.Error(w, r, apperr.New(apperr.NotFound, "basemap.no_file"))
		return
	}
	c, ok := ParseCoord(r.PathValue("z"), r.PathValue("x"), r.PathValue("y"))
	if !ok {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "basemap.bad_tile", MaxZoomLimit))
		return
	}
	data, err := h.Base.mbtiles.tile(r.Context(), c)
	if errors.Is(err, errNoTile) {
		h.R.Error(w, r, apperr.New(apperr.NotFound, "basemap.no_tile", c.Z, c.X, c.Y))
		return
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	kind := h.Base.mbtiles.contentType
	if kind == "" {
		kind = http.DetectContentType(data)
	}
	w.Header().Set("Content-Type", kind)
	w.Header().Set("Cache-Control", tileCache)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// archive serves the PMTiles file; the pmtiles library reads it with range requests.
func (h *HTTP) archive(w http.ResponseWriter, r *http.Request) {
	if !h.signedIn(w, r) {
		return
	}
	if h.Base == nil || h.Base.pmtiles == nil {
		h.R.Error(w, r, apperr.New(apperr.NotFound, "basemap.no_file"))
		return
	}
	f, modified, err := h.Base.pmtiles.open()
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/vnd.pmtiles")
	w.Header().Set("Cache-Control", "private, no-cache") // revalidated: a replaced file must not mix with cached ranges
	http.ServeContent(w, r, "base.pmtiles", modified, f)
}
