package project

import (
	"net/http"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// maxBody is the limit of a project request body.
const maxBody = 64 << 10

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/projects", h.create)
	mux.HandleFunc("GET /api/v1/projects", h.list)
	mux.HandleFunc("GET /api/v1/projects/export", h.export)
	mux.HandleFunc("GET /api/v1/projects/{id}", h.get)
	mux.HandleFunc("POST /api/v1/projects/{id}/milestones/{n}/progress", h.progress)
}

func (h *HTTP) create(w http.ResponseWriter, r *http.Request) {
	var in Input
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Projects.Create(r.Context(), in)
	h.R.Reply(w, r, http.StatusCreated, p, err)
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	list, err := h.Projects.List(r.Context(), r.URL.Query().Get("zone"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"projects": list}, err)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	p, err := h.Projects.Get(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, p, err)
}

func (h *HTTP) progress(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		h.R.Error(w, r, apperr.New(apperr.NotFound, "project.milestone_not_found", r.PathValue("n")))
		return
	}
	var in ProgressInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Projects.Progress(r.Context(), r.PathValue("id"), n, in)
	h.R.Reply(w, r, http.StatusOK, p, err)
}

// export answers a zone's project table (one row per milestone) as xlsx or csv.
func (h *HTTP) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, file, err := tabular.ParseFormat(q.Get("format"))
	if err == nil && !file {
		err = apperr.New(apperr.Invalid, "export.bad_format", q.Get("format"))
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	zone := q.Get("zone")
	if zone == "" {
		h.R.Error(w, r, bad("zone", "project.required", "zone"))
		return
	}
	list, err := h.Projects.List(r.Context(), zone)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	out, err := tabular.Start(w, f, "projects-"+zone)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := out.Row(ExportHeader()...); err != nil {
		return
	}
	for _, p := range list {
		for _, row := range ExportRows(p) {
			if err := out.Row(row...); err != nil {
				return // the client went away mid-file
			}
		}
	}
	out.Close()
}
