package directory

import (
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/directory/search"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// HTTP serves the directory's API: search and entries for everyone, editing for editors.
type HTTP struct {
	Directory *Directory
	R         *httpx.Responder
}

// maxBody is the limit of a JSON request body (an entry with its texts).
const maxBody = 64 << 10

// maxQuery is the longest search a resident may type, in characters.
const maxQuery = 100

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/services/search", h.search)
	mux.HandleFunc("GET /api/v1/services/suggest", h.suggest)
	mux.HandleFunc("GET /api/v1/services/categories", h.categories)
	mux.HandleFunc("GET /api/v1/public/services/{id}", h.get)
	mux.HandleFunc("GET /api/v1/public/services/{id}/serving", h.serving)
	mux.HandleFunc("GET /api/v1/services", h.list)
	mux.HandleFunc("POST /api/v1/services", h.create)
	mux.HandleFunc("PUT /api/v1/services/{id}", h.update)
	mux.HandleFunc("DELETE /api/v1/services/{id}", h.withdraw)
	mux.HandleFunc("POST /api/v1/services/{id}/review", h.review)
	mux.HandleFunc("GET /api/v1/services/changes", h.changes)
	mux.HandleFunc("POST /api/v1/services/changes/{id}/approve", h.approve)
	mux.HandleFunc("POST /api/v1/services/changes/{id}/reject", h.reject)
	mux.HandleFunc("GET /api/v1/services/places", h.places)
	mux.HandleFunc("POST /api/v1/services/places", h.createPlace)
	mux.HandleFunc("PUT /api/v1/services/places/{id}", h.updatePlace)
	mux.HandleFunc("POST /api/v1/services/import", h.importFile)
	mux.HandleFunc("GET /api/v1/services/export", h.export)
	mux.HandleFunc("GET /api/v1/services/synonyms", h.synonyms)
	mux.HandleFunc("PUT /api/v1/services/synonyms", h.setSynonyms)
	mux.HandleFunc("GET /api/v1/services/queries", h.queries)
	mux.HandleFunc("GET /api/v1/services/settings", h.settings)
	mux.HandleFunc("PUT /api/v1/services/settings", h.setSettings)
}

func badParam(name, want string) error {
	return apperr.New(apperr.Invalid, "request.bad_param", name, want)
}

// flag reads a true/false query parameter.
func flag(v string, name string) (bool, error) {
	switch v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, badParam(name, "true | false")
}

// point reads lat and lng, both or neither.
func point(r *http.Request) (*search.Point, error) {
	v := r.URL.Query()
	if v.Get("lat") == "" && v.Get("lng") == "" {
		return nil, nil
	}
	lat, err1 := strconv.ParseFloat(v.Get("lat"), 64)
	lng, err2 := strconv.ParseFloat(v.Get("lng"), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return nil, apperr.New(apperr.Invalid, "directory.bad_point")
	}
	return &search.Point{Lat: lat, Lng: lng}, nil
}

// queryText reads a typed query: bounded, UTF-8, no control characters.
func queryText(v, name string, limit int) (string, error) {
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > limit || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", badParam(name, strconv.Itoa(limit)+" characters of text")
	}
	return v, nil
}

func (h *HTTP) query(r *http.Request) (Query, error) {
	v := r.URL.Query()
	var q Query
	var err error
	if q.Q, err = queryText(v.Get("q"), "q", maxQuery); err != nil {
		return q, err
	}
	if q.Category = v.Get("category"); q.Category != "" && !slices.Contains(Categories, q.Category) {
		return q, apperr.New(apperr.Invalid, "directory.bad_category", q.Category)
	}
	if q.Online, err = flag(v.Get("online"), "online"); err != nil {
		return q, err
	}
	if q.OpenNow, err = flag(v.Get("open_now"), "open_now"); err != nil {
		return q, err
	}
	if q.Near, err = point(r); err != nil {
		return q, err
	}
	if s := v.Get("radius"); s != "" {
		radius, err := strconv.ParseFloat(s, 64)
		if err != nil || q.Near == nil || !(radius > 0 && radius <= 50000) {
			return q, badParam("radius", "1–50000 (m), with lat and lng")
		}
		q.RadiusM = radius
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			return q, badParam("limit", "1–50")
		}
		q.Limit = n
	}
	return q, nil
}

func (h *HTTP) name(r *http.Request, category string) string {
	return h.R.Catalog.T(i18n.FromRequest(r), "directory.category."+category)
}

func (h *HTTP) search(w http.ResponseWriter, r *http.Request) {
	q, err := h.query(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	results, err := h.Directory.Search(r.Context(), q)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	for i := range results {
		results[i].CategoryName = h.name(r, results[i].Category)
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"results": results, "query": search.Normalize(q.Q)})
}

func (h *HTTP) suggest(w http.ResponseWriter, r *http.Request) {
	q, err := queryText(r.URL.Query().Get("q"), "q", 50)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	list, err := h.Directory.Suggest(r.Context(), q)
	h.R.Reply(w, r, http.StatusOK, map[string]any{"suggestions": list}, err)
}

func (h *HTTP) categories(w http.ResponseWriter, r *http.Request) {
	list, err := h.Directory.CategoryCounts(r.Context())
	for i := range list {
		list[i].Name = h.name(r, list[i].Code)
	}
	h.R.Reply(w, r, http.StatusOK, map[string]any{"categories": list}, err)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	sv, err := h.Directory.Get(r.Context(), r.PathValue("id"))
	sv.CategoryName = h.name(r, sv.Category)
	h.R.Reply(w, r, http.StatusOK, sv, err)
}

func (h *HTTP) serving(w http.ResponseWriter, r *http.Request) {
	at, err := point(r)
	if err == nil && at == nil {
		err = apperr.New(apperr.Invalid, "directory.bad_point")
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	out, err := h.Directory.ServingPlace(r.Context(), r.PathValue("id"), at.Lat, at.Lng)
	h.R.Reply(w, r, http.StatusOK, out, err)
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f := ListFilter{Category: v.Get("category"), Unit: v.Get("unit"), Cursor: v.Get("cursor")}
	var err error
	if f.Q, err = queryText(v.Get("q"), "q", maxQuery); err == nil {
		if f.Stale, err = flag(v.Get("stale"), "stale"); err == nil {
			f.Pending, err = flag(v.Get("pending"), "pending")
		}
	}
	if s := v.Get("limit"); err == nil && s != "" {
		if f.Limit, err = strconv.Atoi(s); err != nil || f.Limit < 1 || f.Limit > maxListing {
			err = badParam("limit", "1–200")
		}
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	page, err := h.Directory.List(r.Context(), f)
	for i := range page.Services {
		page.Services[i].CategoryName = h.name(r, page.Services[i].Category)
	}
	h.R.Reply(w, r, http.StatusOK, page, err)
}

// propose decodes an entry after checking the caller is an editor at all.
func (h *HTTP) propose(w http.ResponseWriter, r *http.Request, op Op, id string) {
	if _, err := editor(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in ServiceInput
	if op != OpDelete {
		if err := httpx.Decode(r, &in, maxBody); err != nil {
			h.R.Error(w, r, err)
			return
		}
	}
	ch, err := h.Directory.Propose(r.Context(), op, id, in)
	h.R.Reply(w, r, http.StatusAccepted, map[string]any{"change": ch}, err)
}

func (h *HTTP) create(w http.ResponseWriter, r *http.Request) { h.propose(w, r, OpCreate, "") }
func (h *HTTP) update(w http.ResponseWriter, r *http.Request) {
	h.propose(w, r, OpUpdate, r.PathValue("id"))
}
func (h *HTTP) withdraw(w http.ResponseWriter, r *http.Request) {
	h.propose(w, r, OpDelete, r.PathValue("id"))
}

func (h *HTTP) review(w http.ResponseWriter, r *http.Request) {
	sv, err := h.Directory.Review(r.Context(), r.PathValue("id"))
	sv.CategoryName = h.name(r, sv.Category)
	h.R.Reply(w, r, http.StatusOK, sv, err)
}

func (h *HTTP) changes(w http.ResponseWriter, r *http.Request) {
	list, err := h.Directory.Changes(r.Context(), r.URL.Query().Get("status"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"changes": list}, err)
}

func (h *HTTP) decide(w http.ResponseWriter, r *http.Request, approve bool) {
	if _, err := editor(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := httpx.Decode(r, &in, 8<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	ch, err := h.Directory.Decide(r.Context(), r.PathValue("id"), approve, in.Note)
	h.R.Reply(w, r, http.StatusOK, ch, err)
}

func (h *HTTP) approve(w http.ResponseWriter, r *http.Request) { h.decide(w, r, true) }
func (h *HTTP) reject(w http.ResponseWriter, r *http.Request)  { h.decide(w, r, false) }

func (h *HTTP) places(w http.ResponseWriter, r *http.Request) {
	list, err := h.Directory.Places(r.Context(), r.URL.Query().Get("unit"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"places": list}, err)
}

func (h *HTTP) savePlace(w http.ResponseWriter, r *http.Request, id string, status int) {
	if _, err := editor(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in PlaceInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Directory.SavePlace(r.Context(), id, in)
	h.R.Reply(w, r, status, p, err)
}

func (h *HTTP) createPlace(w http.ResponseWriter, r *http.Request) {
	h.savePlace(w, r, "", http.StatusCreated)
}
func (h *HTTP) updatePlace(w http.ResponseWriter, r *http.Request) {
	h.savePlace(w, r, r.PathValue("id"), http.StatusOK)
}

// importFile takes the file as the request body: CSV, xlsx or JSON.
func (h *HTTP) importFile(w http.ResponseWriter, r *http.Request) {
	if _, err := editor(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		switch mt {
		case "text/csv", "text/plain", "application/csv", "application/json", "application/octet-stream",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		default:
			h.R.Error(w, r, apperr.New(apperr.Unsupported, "directory.import.want_file"))
			return
		}
	}
	dryRun, err := flag(r.URL.Query().Get("dry_run"), "dry_run")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			err = apperr.New(apperr.TooLarge, "directory.import.too_large", MaxImportBytes>>20)
		} else {
			err = apperr.New(apperr.Invalid, "directory.import.want_file")
		}
		h.R.Error(w, r, err)
		return
	}
	rep, err := h.Directory.Import(r.Context(), raw, dryRun)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	for i, p := range rep.Errors {
		rep.Errors[i].Message = h.R.Catalog.T(lang, p.Message, p.Args...)
	}
	if len(rep.Errors) > 0 && !dryRun {
		// Nothing was proposed: the file is refused with every row's problem.
		details := make([]apperr.Detail, len(rep.Errors))
		for i, p := range rep.Errors {
			details[i] = apperr.Detail{Line: p.Row, Field: p.Field, Message: p.Message}
		}
		h.R.Error(w, r, apperr.New(apperr.Invalid, "directory.import.bad_file", len(rep.Errors)).WithDetails(details))
		return
	}
	httpx.JSON(w, http.StatusOK, rep)
}

func (h *HTTP) export(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	f, file, err := tabular.ParseFormat(format)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	rows, err := h.Directory.Export(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if !file {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "services.json"}))
		httpx.JSON(w, http.StatusOK, map[string]any{"services": rows})
		return
	}
	out, err := tabular.Start(w, f, "services")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := out.Row(Header()...); err != nil {
		return
	}
	for _, row := range rows {
		if err := out.Row(row.Cells()...); err != nil {
			return // the client went away mid-file
		}
	}
	out.Close()
}

func (h *HTTP) synonyms(w http.ResponseWriter, r *http.Request) {
	groups, err := h.Directory.Synonyms(r.Context())
	h.R.Reply(w, r, http.StatusOK, map[string]any{"groups": groups}, err)
}

func (h *HTTP) setSynonyms(w http.ResponseWriter, r *http.Request) {
	if _, err := editor(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in struct {
		Groups [][]string `json:"groups"`
	}
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	groups, err := h.Directory.SetSynonyms(r.Context(), in.Groups)
	h.R.Reply(w, r, http.StatusOK, map[string]any{"groups": groups}, err)
}

func (h *HTTP) queries(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	zero, err := flag(v.Get("zero"), "zero")
	days := 30
	if s := v.Get("days"); err == nil && s != "" {
		if days, err = strconv.Atoi(s); err != nil {
			err = badParam("days", "1–366")
		}
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	list, err := h.Directory.Queries(r.Context(), days, zero)
	h.R.Reply(w, r, http.StatusOK, map[string]any{"queries": list}, err)
}

func (h *HTTP) settings(w http.ResponseWriter, r *http.Request) {
	s, err := h.Directory.GetSettings(r.Context())
	h.R.Reply(w, r, http.StatusOK, s, err)
}

func (h *HTTP) setSettings(w http.ResponseWriter, r *http.Request) {
	if _, err := editor(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in Settings
	if err := httpx.Decode(r, &in, 4<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	s, err := h.Directory.PutSettings(r.Context(), in)
	h.R.Reply(w, r, http.StatusOK, s, err)
}
