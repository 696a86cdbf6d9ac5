package grid

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// MaxImportBytes bounds an uploaded grid file (20 000 detailed grids fit well within it).
const MaxImportBytes = 256 << 20

// HTTP serves grids: list, GeoJSON, locate and import.
type HTTP struct {
	Grids *Service
	R     *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/grids", h.list)
	mux.HandleFunc("GET /api/v1/grids/locate", h.locate)
	mux.HandleFunc("GET /api/v1/grids/export", h.export)
	mux.HandleFunc("GET /api/v1/grids/{code}", h.get)
	mux.HandleFunc("GET /api/v1/public/grids", h.public)
	mux.HandleFunc("POST /api/v1/grids/import", h.importFile)
}

func filterFrom(r *http.Request) Filter {
	q := r.URL.Query()
	return Filter{SubdistrictCode: q.Get("subdistrict"), CommunityCode: q.Get("community"), ZoneCode: q.Get("zone")}
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("format") == "geojson" {
		fc, err := h.Grids.Features(r.Context(), filterFrom(r))
		if err != nil {
			h.R.Error(w, r, err)
			return
		}
		httpx.JSONAs(w, http.StatusOK, "application/geo+json", fc)
		return
	}
	list, err := h.Grids.List(r.Context(), filterFrom(r))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"grids": list})
}

// public answers GET /api/v1/public/grids: every grid's polygon, names and codes, without sign-in.
func (h *HTTP) public(w http.ResponseWriter, r *http.Request) {
	fc, err := h.Grids.PublicFeatures(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSONAs(w, http.StatusOK, "application/geo+json", fc)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	f, err := h.Grids.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, f)
}

func (h *HTTP) export(w http.ResponseWriter, r *http.Request) {
	fc, err := h.Grids.Features(r.Context(), filterFrom(r))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="grids.geojson"`)
	httpx.JSONAs(w, http.StatusOK, "application/geo+json", fc)
}

func parseCoordinate(r *http.Request, name string) (float64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, apperr.New(apperr.Invalid, "request.missing_param", name)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, apperr.New(apperr.Invalid, "grid.bad_point")
	}
	return f, nil
}

func (h *HTTP) locate(w http.ResponseWriter, r *http.Request) {
	lat, err := parseCoordinate(r, "lat")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	lng, err := parseCoordinate(r, "lng")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	loc, err := h.Grids.Locate(r.Context(), lat, lng)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if !loc.Inside {
		lang := i18n.FromRequest(r)
		httpx.JSON(w, http.StatusOK, map[string]any{"inside": false, "message": h.R.Catalog.T(lang, "grid.outside")})
		return
	}
	httpx.JSON(w, http.StatusOK, loc)
}

func (h *HTTP) importFile(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" && mt != "application/geo+json" {
			h.R.Error(w, r, apperr.New(apperr.Unsupported, "request.want_json"))
			return
		}
	}
	if _, err := access.Need(r.Context(), access.TerritoryWrite); err != nil {
		h.R.Error(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBytes))
	if err != nil {
		h.R.Error(w, r, apperr.New(apperr.TooLarge, "request.too_large", MaxImportBytes))
		return
	}
	rep, err := h.Grids.Import(r.Context(), bytes.NewReader(body), nil)
	lang := i18n.FromRequest(r)
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Key == "grid.bad_file" {
			e.Details = Details(rep.Problems, lang)
		}
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"features": rep.Features, "created": rep.Created,
		"updated": rep.Updated, "warnings": Details(rep.Problems, lang)})
}
