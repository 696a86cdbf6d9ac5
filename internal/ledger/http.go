package ledger

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// maxBody is the limit of a ledger JSON request body.
const maxBody = 16 << 10

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/ledger/entries", h.make)
	mux.HandleFunc("GET /api/v1/ledger/entries", h.list)
	mux.HandleFunc("GET /api/v1/ledger/entries/{id}", h.get)
	mux.HandleFunc("POST /api/v1/ledger/entries/{id}/approve", h.approve)
	mux.HandleFunc("POST /api/v1/ledger/entries/{id}/reject", h.reject)
	mux.HandleFunc("POST /api/v1/ledger/entries/{id}/evidence", h.attach)
	mux.HandleFunc("GET /api/v1/ledger/evidence/{id}", h.evidence)
	mux.HandleFunc("GET /api/v1/ledger/closes", h.closes)
	mux.HandleFunc("GET /api/v1/zones/{code}/fund", h.fund)
	mux.HandleFunc("GET /api/v1/public/zones/{code}/fund", h.publicFund)
}

// make answers 201 with a new entry, 200 with the entry an earlier request with the same
// idempotency key made.
func (h *HTTP) make(w http.ResponseWriter, r *http.Request) {
	var in EntryInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	e, created, err := h.Ledger.Make(r.Context(), in)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	h.R.Reply(w, r, status, e, err)
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{ZoneCode: q.Get("zone_code"), Status: q.Get("status"), Kind: q.Get("kind"), ProjectID: q.Get("project_id")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			h.R.Error(w, r, bad("limit", "ledger.bad_limit"))
			return
		}
		f.Limit = n
	}
	list, err := h.Ledger.List(r.Context(), f)
	h.R.Reply(w, r, http.StatusOK, map[string]any{"entries": list}, err)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	e, err := h.Ledger.Get(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, e, err)
}

func (h *HTTP) approve(w http.ResponseWriter, r *http.Request) {
	e, err := h.Ledger.Approve(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, e, err)
}

// RejectInput is the reason of a rejection.
type RejectInput struct {
	Reason string `json:"reason"`
}

func (h *HTTP) reject(w http.ResponseWriter, r *http.Request) {
	var in RejectInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	e, err := h.Ledger.Reject(r.Context(), r.PathValue("id"), in.Reason)
	h.R.Reply(w, r, http.StatusOK, e, err)
}

// attach takes multipart/form-data with one "file" part. The entry and the caller's right are
// checked before the body is read.
func (h *HTTP) attach(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		h.R.Error(w, r, apperr.New(apperr.Unsupported, "ledger.want_multipart"))
		return
	}
	if _, _, err := h.Ledger.CheckAttach(r.Context(), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxEvidence+64<<10)
	filename, data, err := readFile(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	ev, err := h.Ledger.Attach(r.Context(), r.PathValue("id"), filename, data)
	h.R.Reply(w, r, http.StatusCreated, ev, err)
}

// readFile reads the "file" part of a multipart body.
func readFile(r *http.Request) (string, []byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, bad("file", "ledger.no_file")
	}
	for {
		part, err := mr.NextPart()
		var maxErr *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return "", nil, bad("file", "ledger.no_file")
		case errors.As(err, &maxErr):
			return "", nil, apperr.New(apperr.TooLarge, "ledger.evidence_too_large", MaxEvidence>>20)
		case err != nil:
			return "", nil, bad("file", "ledger.no_file")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, MaxEvidence+1))
		part.Close()
		if errors.As(err, &maxErr) || len(data) > MaxEvidence {
			return "", nil, apperr.New(apperr.TooLarge, "ledger.evidence_too_large", MaxEvidence>>20)
		}
		if err != nil {
			return "", nil, bad("file", "ledger.no_file")
		}
		return part.FileName(), data, nil
	}
}

func (h *HTTP) evidence(w http.ResponseWriter, r *http.Request) {
	ev, data, err := h.Ledger.EvidenceFile(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ev.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Filename}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("X-Content-SHA256", ev.SHA256)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(data)
}

func (h *HTTP) closes(w http.ResponseWriter, r *http.Request) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			h.R.Error(w, r, bad("limit", "ledger.bad_limit"))
			return
		}
		limit = n
	}
	list, err := h.Ledger.Closes(r.Context(), limit)
	h.R.Reply(w, r, http.StatusOK, map[string]any{"closes": list}, err)
}

func (h *HTTP) fund(w http.ResponseWriter, r *http.Request) {
	f, err := h.Ledger.Fund(r.Context(), r.PathValue("code"))
	h.R.Reply(w, r, http.StatusOK, f, err)
}

func (h *HTTP) publicFund(w http.ResponseWriter, r *http.Request) {
	f, err := h.Ledger.PublicFund(r.Context(), r.PathValue("code"))
	h.R.Reply(w, r, http.StatusOK, f, err)
}
