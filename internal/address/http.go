package address

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

func (h *HTTP) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–"+strconv.Itoa(MaxLimit)))
			return
		}
		limit = n
	}
	results, err := h.Addresses.Search(r.Context(), q.Get("q"), strings.TrimSpace(q.Get("grid")), limit)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"results": results})
}

// number reads a required (or, with def, optional) float parameter.
func number(r *http.Request, name string, required bool) (float64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		if required {
			return 0, apperr.New(apperr.Invalid, "request.missing_param", name)
		}
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, apperr.New(apperr.Invalid, "request.bad_param", name, "number")
	}
	return f, nil
}

func (h *HTTP) nearest(w http.ResponseWriter, r *http.Request) {
	lat, err := number(r, "lat", true)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	lng, err := number(r, "lng", true)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	radius, err := number(r, "radius_m", false)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	found, ok, err := h.Addresses.Nearest(r.Context(), lat, lng, radius)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if !ok {
		httpx.JSON(w, http.StatusOK, map[string]any{"result": nil})
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"result": found})
}

// importFile takes a CSV or xlsx file as the request body, or as the part "file" of a multipart
// form (a browser's upload). ?dry_run=true checks it and writes nothing; ?coord=gcj02 says its
// points are GCJ-02.
func (h *HTTP) importFile(w http.ResponseWriter, r *http.Request) {
	multipart := false
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		switch mt {
		case "text/csv", "text/plain", "application/octet-stream", "application/csv",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		case "multipart/form-data":
			multipart = true
		default:
			h.R.Error(w, r, apperr.New(apperr.Unsupported, "address.want_file"))
			return
		}
	}
	q := r.URL.Query()
	var opts ImportOptions
	switch q.Get("dry_run") {
	case "", "false", "0":
	case "true", "1":
		opts.DryRun = true
	default:
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "dry_run", "true | false"))
		return
	}
	switch strings.ToLower(q.Get("coord")) {
	case "", coordWGS84:
	case coordGCJ02:
		opts.GCJ02 = true
	default:
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "coord", "wgs84 | gcj02"))
		return
	}
	// The permission first: a stranger's upload is not read.
	if _, err := h.Addresses.needWrite(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileBytes+1<<20)
	raw, err := readUpload(r, multipart)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	rep, err := h.Addresses.Import(r.Context(), raw, opts)
	lang := i18n.FromRequest(r)
	if pe, ok := err.(*ProblemsError); ok {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "address.bad_file", len(pe.Problems)).
			WithDetails(Details(h.R.Catalog, lang, pe.Problems)))
		return
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"dry_run": rep.DryRun, "rows": rep.Rows, "created": rep.Created,
		"updated": rep.Updated, "errors": Details(h.R.Catalog, lang, rep.Problems)})
}

// Details translates problems for lang (message keys "address.problem.<key>").
func Details(c *i18n.Catalog, lang string, problems []Problem) []apperr.Detail {
	out := make([]apperr.Detail, len(problems))
	for i, p := range problems {
		out[i] = apperr.Detail{Field: p.Field, Line: p.Line, Message: c.T(lang, "address.problem."+p.Key, p.Args...)}
	}
	return out
}

// readUpload reads the file of an import request: the body, or the part "file" of a form.
func readUpload(r *http.Request, multipart bool) ([]byte, error) {
	tooLarge := apperr.New(apperr.TooLarge, "request.too_large", MaxFileBytes)
	if !multipart {
		raw, err := io.ReadAll(r.Body)
		if err != nil || len(raw) > MaxFileBytes {
			return nil, tooLarge
		}
		return raw, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "address.want_file")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, apperr.New(apperr.Invalid, "request.missing_param", "file")
		}
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return nil, tooLarge
			}
			return nil, apperr.New(apperr.Invalid, "address.want_file")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(part, MaxFileBytes+1))
		part.Close()
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return nil, tooLarge
			}
			return nil, apperr.New(apperr.Invalid, "address.want_file")
		}
		if len(raw) > MaxFileBytes {
			return nil, tooLarge
		}
		return raw, nil
	}
}
