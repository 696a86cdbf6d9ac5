package directive

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/photo"
)

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/directives", h.issue)
	mux.HandleFunc("GET /api/v1/directives", h.list)
	mux.HandleFunc("GET /api/v1/directives/{id}", h.get)
	mux.HandleFunc("POST /api/v1/directives/{id}/acks", h.ack)
	mux.HandleFunc("GET /api/v1/directives/{id}/coverage", h.coverage)
	mux.HandleFunc("GET /api/v1/directives/{id}/targets", h.targets)
	mux.HandleFunc("GET /api/v1/directives/{id}/cap", h.cap)
	mux.HandleFunc("POST /api/v1/directives/{id}/targets/{grid}/photos", h.addPhotos)
	mux.HandleFunc("GET /api/v1/directives/{id}/photos", h.photos)
	mux.HandleFunc("GET /api/v1/directives/{id}/photos/{photo}", h.photo)
}

// MaxAckBody bounds an acknowledgement's body.
const MaxAckBody = 8 << 10

// CAPMediaType is the media type of a CAP document (CAP-v1.2 Appendix: application/cap+xml).
const CAPMediaType = "application/cap+xml; charset=utf-8"

// issue answers POST /api/v1/directives with 201 {"id","targeted"}.
func (h *HTTP) issue(w http.ResponseWriter, r *http.Request) {
	var in Input
	if err := httpx.Decode(r, &in, httpx.MaxJSONBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	out, err := h.Directives.Issue(r.Context(), in)
	h.R.Reply(w, r, http.StatusCreated, out, err)
}

// page reads limit and offset.
func page(r *http.Request) (Page, error) {
	var p Page
	var err error
	v := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		if s := v.Get(f.name); s != "" {
			if *f.dst, err = strconv.Atoi(s); err != nil || f.name == "limit" && *f.dst < 1 {
				return p, apperr.New(apperr.Invalid, "directive.bad_page", MaxPage)
			}
		}
	}
	return p, nil
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	list, err := h.Directives.List(r.Context(), p)
	h.R.Reply(w, r, http.StatusOK, map[string]any{"directives": list}, err)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	d, err := h.Directives.Get(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, d, err)
}

// ack answers POST /api/v1/directives/{id}/acks with 201 and the grid's state, repeats included.
func (h *HTTP) ack(w http.ResponseWriter, r *http.Request) {
	var in AckInput
	if err := httpx.Decode(r, &in, MaxAckBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	t, err := h.Directives.Ack(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, t, err)
}

func (h *HTTP) coverage(w http.ResponseWriter, r *http.Request) {
	c, err := h.Directives.Coverage(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, c, err)
}

func (h *HTTP) targets(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	v := r.URL.Query()
	list, err := h.Directives.Targets(r.Context(), r.PathValue("id"),
		TargetQuery{Status: AckStatus(v.Get("status")), Community: v.Get("community"), Page: p})
	h.R.Reply(w, r, http.StatusOK, list, err)
}

// cap answers GET /api/v1/directives/{id}/cap with the CAP 1.2 document. It is written to a
// buffer first, so a failure is still an error answer, not a cut document.
func (h *HTTP) cap(w http.ResponseWriter, r *http.Request) {
	// The restriction is part of the document, whose language is zh-CN whoever reads it.
	a, err := h.Directives.CAP(r.Context(), r.PathValue("id"), h.R.Catalog.T(i18n.ZH, "directive.cap.restriction"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := a.WriteXML(&buf); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", CAPMediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// addPhotos takes multipart/form-data "photo" files for a grid's done report. The directive, the
// grid and the caller's right are checked before the body is read.
func (h *HTTP) addPhotos(w http.ResponseWriter, r *http.Request) {
	id, grid := r.PathValue("id"), r.PathValue("grid")
	if err := h.Directives.CheckPhotoUpload(r.Context(), id, grid); err != nil {
		h.R.Error(w, r, err)
		return
	}
	files, err := photo.ReadUploads(w, r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	list, err := h.Directives.AddPhotos(r.Context(), id, grid, files)
	h.R.Reply(w, r, http.StatusCreated, map[string]any{"photos": list}, err)
}

func (h *HTTP) photos(w http.ResponseWriter, r *http.Request) {
	list, err := h.Directives.Photos(r.Context(), r.PathValue("id"), r.URL.Query().Get("grid"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"photos": list}, err)
}

func (h *HTTP) photo(w http.ResponseWriter, r *http.Request) {
	b, err := h.Directives.PhotoBytes(r.Context(), r.PathValue("id"), r.PathValue("photo"), r.URL.Query().Get("size") == "thumb")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	photo.Serve(w, b)
}
