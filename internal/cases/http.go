package cases

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/photo"
)

// HTTP serves the case API.
type HTTP struct {
	Cases *Service
	R     *httpx.Responder
	// SLAEvery is the period of the SLA scan (1 minute when zero).
	SLAEvery time.Duration
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/cases", h.create)
	mux.HandleFunc("GET /api/v1/cases", h.list)
	mux.HandleFunc("GET /api/v1/cases/export", h.export)
	mux.HandleFunc("GET /api/v1/cases/stats", h.stats)
	mux.HandleFunc("GET /api/v1/cases/overdue", h.overdue)
	mux.HandleFunc("GET /api/v1/cases/{id}", h.get)
	mux.HandleFunc("GET /api/v1/cases/{id}/events", h.events)
	mux.HandleFunc("POST /api/v1/cases/{id}/actions/{action}", h.act)
	mux.HandleFunc("POST /api/v1/import/cases", h.importCases)
	mux.HandleFunc("GET /api/v1/cases/{id}/nearby", h.nearby)
	mux.HandleFunc("POST /api/v1/cases/{id}/contact", h.contact)
	mux.HandleFunc("POST /api/v1/cases/{id}/join", h.join)
	mux.HandleFunc("DELETE /api/v1/cases/{id}/join", h.leave)
	mux.HandleFunc("GET /api/v1/follow/{token}", h.follow)
	mux.HandleFunc("POST /api/v1/callers/lookup", h.lookupCaller)
	mux.HandleFunc("GET /api/v1/public/cases", h.publicCases)
	mux.HandleFunc("GET /api/v1/public/cases/{number}", h.publicCase)
	mux.HandleFunc("GET /api/v1/public/photos/{photo}", h.publicPhoto)
	mux.HandleFunc("PUT /api/v1/cases/{id}/publication", h.setPublication)
	mux.HandleFunc("POST /api/v1/cases/{id}/photos", h.addPhotos)
	mux.HandleFunc("GET /api/v1/cases/{id}/photos", h.photos)
	mux.HandleFunc("GET /api/v1/cases/{id}/photos/{photo}", h.photo)
}

// addPhotos takes multipart/form-data with one or more "photo" files; ?stage=before|after marks
// a handling unit's photos as taken before or after the fix. The case and the caller's right to
// add photos are checked before the body is read: a refused upload costs neither the upload's
// disk and memory nor a decode (issue 10).
func (h *HTTP) addPhotos(w http.ResponseWriter, r *http.Request) {
	stage := r.URL.Query().Get("stage")
	if err := h.Cases.CheckPhotoUpload(r.Context(), r.PathValue("id"), stage); err != nil {
		h.R.Error(w, r, err)
		return
	}
	files, err := photo.ReadUploads(w, r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	list, err := h.Cases.AddPhotos(r.Context(), r.PathValue("id"), stage, files)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, map[string]any{"photos": list})
}

func (h *HTTP) photos(w http.ResponseWriter, r *http.Request) {
	list, err := h.Cases.Photos(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"photos": list})
}

func (h *HTTP) photo(w http.ResponseWriter, r *http.Request) {
	b, err := h.Cases.PhotoBytes(r.Context(), r.PathValue("id"), r.PathValue("photo"), r.URL.Query().Get("size") == "thumb")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	photo.Serve(w, b)
}

func (h *HTTP) create(w http.ResponseWriter, r *http.Request) {
	var in NewCase
	if err := httpx.Decode(r, &in, 64<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	c, err := h.Cases.Create(r.Context(), in)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cases/"+c.ID)
	httpx.JSON(w, http.StatusCreated, c)
}

// FilterFrom reads the queue filters from query parameters.
func FilterFrom(q map[string][]string) (Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := Filter{SubdistrictCode: get("subdistrict"), CommunityCode: get("community"), GridCode: get("grid"),
		ZoneCode: get("zone"), CategoryCode: get("category"), Channel: Channel(get("channel")),
		Urgency: Urgency(get("urgency")), Department: get("department"), Keyword: get("q"), Sort: get("sort"),
		Cursor: get("cursor")}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				f.Status = append(f.Status, Status(s))
			}
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"overdue", &f.Overdue}, {"mine", &f.Mine}} {
		if v := get(b.name); v != "" {
			x, err := strconv.ParseBool(v)
			if err != nil {
				return f, apperr.New(apperr.Invalid, "request.bad_param", b.name, v)
			}
			*b.dst = x
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return f, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–200")
		}
		f.Limit = n
	}
	if len([]rune(f.Keyword)) > 100 {
		return f, apperr.New(apperr.Invalid, "request.bad_param", "q", "≤ 100")
	}
	// changed_from, changed_to: last changed on these district days, both included (a unit's
	// finished history by period).
	for _, d := range []struct {
		name string
		dst  *time.Time
		next int
	}{{"changed_from", &f.ChangedFrom, 0}, {"changed_to", &f.ChangedBefore, 1}} {
		if v := get(d.name); v != "" {
			day, err := time.ParseInLocation(time.DateOnly, v, shanghai)
			if err != nil {
				return f, apperr.New(apperr.Invalid, "request.bad_param", d.name, "YYYY-MM-DD")
			}
			*d.dst = day.AddDate(0, 0, d.next)
		}
	}
	return f, nil
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	f, err := FilterFrom(r.URL.Query())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	page, err := h.Cases.List(r.Context(), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, page)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	c, err := h.Cases.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, c)
}

func (h *HTTP) events(w http.ResponseWriter, r *http.Request) {
	list, err := h.Cases.Events(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"events": list})
}

func (h *HTTP) act(w http.ResponseWriter, r *http.Request) {
	var in ActInput
	if r.ContentLength != 0 {
		if err := httpx.Decode(r, &in, 16<<10); err != nil {
			h.R.Error(w, r, err)
			return
		}
	}
	c, err := h.Cases.Act(r.Context(), r.PathValue("id"), Action(r.PathValue("action")), in)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, c)
}

func (h *HTTP) importCases(w http.ResponseWriter, r *http.Request) {
	if _, err := access.Need(r.Context(), access.CaseImport); err != nil {
		h.R.Error(w, r, err)
		return
	}
	rep, err := h.Cases.Import(r.Context(), http.MaxBytesReader(w, r.Body, MaxImportBytes))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, rep)
}

func (h *HTTP) nearby(w http.ResponseWriter, r *http.Request) {
	list, err := h.Cases.Nearby(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if list == nil {
		list = []Nearby{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"cases": list})
}

// follow is public: the token is the reporter's key.
func (h *HTTP) follow(w http.ResponseWriter, r *http.Request) {
	f, err := h.Cases.Follow(r.Context(), r.PathValue("token"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, f)
}

// contact reveals the reporter's contact (audited); POST, because it is recorded.
func (h *HTTP) contact(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	// The reach first: a refusal says nothing about the body, a bad body nothing about the case.
	if _, _, err := h.Cases.ContactReach(r.Context(), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if r.ContentLength != 0 {
		if err := httpx.Decode(r, &in, 4<<10); err != nil {
			h.R.Error(w, r, err)
			return
		}
	}
	c, err := h.Cases.RevealContact(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, c)
}

// join: 我也遇到 — the caller follows an open case of the district (by id or number).
func (h *HTTP) join(w http.ResponseWriter, r *http.Request) {
	c, err := h.Cases.Join(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, c)
}

// leave stops following a joined case.
func (h *HTTP) leave(w http.ResponseWriter, r *http.Request) {
	if err := h.Cases.Leave(r.Context(), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
