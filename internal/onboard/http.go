package onboard

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// HTTP serves the onboarding API.
type HTTP struct {
	Onboard *Service
	R       *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/onboard/templates/{file}", h.template)
	mux.HandleFunc("POST /api/v1/onboard/{kind}", h.upload)
}

// need checks the permission an import kind needs: the org tree is the system administrator's,
// accounts the security administrator's (三员分立). An unknown kind is not found, once signed in.
func need(r *http.Request, kind string) error {
	var perm access.Permission
	switch kind {
	case "org":
		perm = access.TerritoryWrite
	case "users":
		perm = access.UserWrite
	default:
		if _, ok := access.From(r.Context()); !ok {
			return apperr.New(apperr.Unauthenticated, "auth.required")
		}
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	_, err := access.Need(r.Context(), perm)
	return err
}

func (h *HTTP) template(w http.ResponseWriter, r *http.Request) {
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	if ext != string(CSV) && ext != string(XLSX) {
		name = "" // not found, once signed in
	}
	if err := need(r, name); err != nil {
		h.R.Error(w, r, err)
		return
	}
	raw, _, err := Template(name, Format(ext))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	contentType := "text/csv; charset=utf-8"
	if ext == string(XLSX) {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "yiwang-" + name + "." + ext}))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(raw)
}

func (h *HTTP) upload(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	// Permission first: a caller without it learns nothing from the file's checks.
	if err := need(r, kind); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var dryRun bool
	switch r.URL.Query().Get("dry_run") {
	case "", "true", "1":
		dryRun = true // a real run is asked for explicitly
	case "false", "0":
	default:
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "dry_run", "true | false"))
		return
	}
	raw, err := readUpload(w, r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	rep, err := h.Onboard.Import(r.Context(), kind, raw, dryRun, i18n.FromRequest(r))
	switch {
	case IsRefused(err), err == nil && len(rep.Errors) > 0 && !dryRun:
		// A real run refused for its rows: the one error shape, each row's problem a detail
		// ("sheet · column" as the field, the row number as the line).
		refused := apperr.New(apperr.Invalid, "onboard.refused")
		if len(rep.Errors) == 1 && rep.Errors[0].Row == 0 {
			// The file as a whole (not a workbook, not UTF-8, no rows): its own key.
			refused = apperr.New(apperr.Invalid, rep.Errors[0].Key, rep.Errors[0].Args...)
		}
		h.R.Error(w, r, refused.WithDetails(details(rep.Errors)))
	case err != nil:
		h.R.Error(w, r, err)
	default:
		httpx.JSON(w, http.StatusOK, rep)
	}
}

// readUpload reads the file: the first file of a multipart form, or the body itself (CSV or
// xlsx), at most MaxFileBytes.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, MaxFileBytes+64<<10)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader = body
	if mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return nil, apperr.New(apperr.Invalid, "onboard.no_file")
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "onboard.no_file")
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				return nil, uploadError(err, "onboard.no_file")
			}
			if part.FileName() != "" || part.FormName() == "file" {
				src = part
				break
			}
		}
	}
	raw, err := io.ReadAll(io.LimitReader(src, MaxFileBytes+1))
	if err != nil {
		return nil, uploadError(err, "onboard.bad_upload")
	}
	if len(raw) > MaxFileBytes {
		return nil, apperr.New(apperr.TooLarge, "request.too_large", MaxFileBytes)
	}
	if len(raw) == 0 {
		return nil, apperr.New(apperr.Invalid, "onboard.empty_file")
	}
	return raw, nil
}

func uploadError(err error, key string) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return apperr.New(apperr.TooLarge, "request.too_large", MaxFileBytes)
	}
	return apperr.Wrap(err, apperr.Invalid, key)
}

// details are the row errors as error details; their messages are already translated.
func details(errs []RowError) []apperr.Detail {
	out := make([]apperr.Detail, len(errs))
	for i, e := range errs {
		field := e.Sheet
		if e.Column != "" {
			field = strings.TrimPrefix(field+" · "+e.Column, " · ")
		}
		out[i] = apperr.Detail{Field: field, Line: e.Row, Message: e.Message}
	}
	return out
}
