package category

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// HTTP serves the catalogue: list, one category, create/update, time limits, CSV export and import.
type HTTP struct {
	Categories *Service
	R          *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/categories", h.list)
	mux.HandleFunc("GET /api/v1/categories.csv", h.export)
	mux.HandleFunc("POST /api/v1/categories/import", h.importCSV)
	mux.HandleFunc("GET /api/v1/categories/{class}/{code}", h.get)
	mux.HandleFunc("PUT /api/v1/categories/{class}/{code}", h.put)
	mux.HandleFunc("PUT /api/v1/categories/{class}/{code}/limits", h.putLimits)
	mux.HandleFunc("GET /api/v1/categories/history", h.history)
}

// history lists the latest changes of the catalogue and its time limits: who, what, when.
func (h *HTTP) history(w http.ResponseWriter, r *http.Request) {
	changes, err := History(r.Context(), h.Categories.DB, "category.")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"changes": changes})
}

// Minor is a category with its resolved time limits, as the API shows it.
type Minor struct {
	Category
	Limits LimitSet `json:"limits"`
	// RequiresPhoto: report_back needs a photo taken after the fix (处置后照片).
	RequiresPhoto bool `json:"requires_photo"`
	// Sensitive: the category's cases are never public (issue 14).
	Sensitive bool `json:"sensitive"`
}

// MajorWithMinors is a major with its minors, as GET /api/v1/categories lists it.
type MajorWithMinors struct {
	Major
	Minors []Minor `json:"minors"`
}

// Group groups categories (sorted by class and code) under their majors, with each one's limits.
func Group(cats []Category, limits map[Key]LimitSet) []MajorWithMinors {
	out := []MajorWithMinors{}
	for _, c := range cats {
		if n := len(out); n == 0 || out[n-1].Class != c.Class || out[n-1].Code != c.MajorCode {
			out = append(out, MajorWithMinors{Major: Major{Class: c.Class, Code: c.MajorCode, Name: c.MajorName, NameEN: c.MajorNameEN}})
		}
		last := &out[len(out)-1]
		last.Minors = append(last.Minors, Minor{Category: c, Limits: limits[Key{c.Class, c.Code}]})
	}
	return out
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := ListFilter{Class: Class(q.Get("class")), Major: q.Get("major"), Query: q.Get("q"), ActiveOnly: true}
	if f.Class != "" && !f.Class.Valid() {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "category.bad_class", q.Get("class")))
		return
	}
	if f.Major != "" && !ValidMajorCode(f.Major) {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "major", "01–99"))
		return
	}
	if v := q.Get("include_inactive"); v != "" {
		all, err := strconv.ParseBool(v)
		if err != nil {
			h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "include_inactive", "true/false"))
			return
		}
		f.ActiveOnly = !all
	}
	cats, err := h.Categories.List(r.Context(), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	limits, err := h.Categories.LimitSets(r.Context(), cats)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	defaults, err := h.Categories.DefaultLimits(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	photo, err := h.Categories.PhotoRequired(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	sensitive, err := h.Categories.Flagged(r.Context(), SensitiveFlag)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	majors := Group(cats, limits)
	for i := range majors {
		for j := range majors[i].Minors {
			m := &majors[i].Minors[j]
			m.RequiresPhoto, m.Sensitive = photo[Key{m.Class, m.Code}], sensitive[Key{m.Class, m.Code}]
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"majors": majors, "count": len(cats), "default_limits": defaults})
}

// pathKey reads {class} and {code}.
func pathKey(r *http.Request) (Key, error) {
	k := Key{Class(r.PathValue("class")), r.PathValue("code")}
	if !k.Class.Valid() {
		return k, apperr.New(apperr.NotFound, "category.not_found", string(k.Class), k.Code)
	}
	return k, nil
}

func (h *HTTP) minor(r *http.Request, k Key) (Minor, error) {
	c, err := h.Categories.Get(r.Context(), k.Class, k.Code)
	if err != nil {
		return Minor{}, err
	}
	limits, err := h.Categories.LimitSets(r.Context(), []Category{c})
	if err != nil {
		return Minor{}, err
	}
	photo, err := h.Categories.RequiresPhoto(r.Context(), k.Class, k.Code)
	if err != nil {
		return Minor{}, err
	}
	sensitive, err := h.Categories.FlagOf(r.Context(), SensitiveFlag, k.Class, k.Code)
	if err != nil {
		return Minor{}, err
	}
	return Minor{Category: c, Limits: limits[k], RequiresPhoto: photo, Sensitive: sensitive}, nil
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	k, err := pathKey(r)
	if err == nil {
		var m Minor
		if m, err = h.minor(r, k); err == nil {
			httpx.JSON(w, http.StatusOK, m)
			return
		}
	}
	h.R.Error(w, r, err)
}

// categoryInput is the body of PUT /api/v1/categories/{class}/{code}. Omitted settings keep their
// stored value (or take the default, for a new category). class, code and major_code may be sent
// (a client sending back what it read) but must agree with the path.
type categoryInput struct {
	Class                Class    `json:"class"`
	Code                 string   `json:"code"`
	MajorCode            string   `json:"major_code"`
	MajorName            string   `json:"major_name"`
	MajorNameEN          string   `json:"major_name_en"`
	Name                 string   `json:"name"`
	NameEN               string   `json:"name_en"`
	StandardRef          string   `json:"standard_ref"`
	OldCode              string   `json:"old_code"`
	OldStandardRef       string   `json:"old_standard_ref"`
	Keywords             []string `json:"keywords"`
	ConfirmRequired      *bool    `json:"confirm_required"`
	DuplicateRadiusM     *int     `json:"duplicate_radius_m"`
	DuplicateWindowHours *int     `json:"duplicate_window_hours"`
	Active               *bool    `json:"active"`
	// RequiresPhoto turns the after-photo requirement of report_back on or off (omitted: kept).
	RequiresPhoto *bool `json:"requires_photo"`
	// Sensitive keeps the category's cases out of the public view (omitted: kept).
	Sensitive *bool `json:"sensitive"`
}

func (h *HTTP) put(w http.ResponseWriter, r *http.Request) {
	k, err := pathKey(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	// Refuse a caller without the right before reading the body.
	if _, err := NeedWrite(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in categoryInput
	if err := httpx.Decode(r, &in, 64<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if (in.Class != "" && in.Class != k.Class) || (in.Code != "" && in.Code != k.Code) {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "category.path_mismatch"))
		return
	}
	c := Category{Class: k.Class, Code: k.Code, MajorCode: in.MajorCode, MajorName: in.MajorName, MajorNameEN: in.MajorNameEN,
		Name: in.Name, NameEN: in.NameEN, StandardRef: in.StandardRef, OldCode: in.OldCode, OldStandardRef: in.OldStandardRef,
		Keywords: in.Keywords, ConfirmRequired: true, DuplicateRadiusM: DefaultDuplicateRadiusM,
		DuplicateWindowHours: DefaultDuplicateWindowHours, Active: true}
	if stored, err := h.Categories.Get(r.Context(), k.Class, k.Code); err == nil {
		c.ConfirmRequired, c.DuplicateRadiusM, c.DuplicateWindowHours, c.Active =
			stored.ConfirmRequired, stored.DuplicateRadiusM, stored.DuplicateWindowHours, stored.Active
		if in.MajorName == "" && in.MajorNameEN != "" {
			c.MajorName = stored.MajorName
		}
	}
	if in.ConfirmRequired != nil {
		c.ConfirmRequired = *in.ConfirmRequired
	}
	if in.DuplicateRadiusM != nil {
		c.DuplicateRadiusM = *in.DuplicateRadiusM
	}
	if in.DuplicateWindowHours != nil {
		c.DuplicateWindowHours = *in.DuplicateWindowHours
	}
	if in.Active != nil {
		c.Active = *in.Active
	}
	created, err := h.Categories.Put(r.Context(), c)
	if err != nil {
		h.R.Error(w, r, h.translate(r, err))
		return
	}
	for f, on := range map[Flag]*bool{RequiresPhotoFlag: in.RequiresPhoto, SensitiveFlag: in.Sensitive} {
		if on == nil {
			continue
		}
		if err := h.Categories.SetFlag(r.Context(), f, k.Class, k.Code, *on); err != nil {
			h.R.Error(w, r, h.translate(r, err))
			return
		}
	}
	m, err := h.minor(r, k)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.JSON(w, status, m)
}

func (h *HTTP) putLimits(w http.ResponseWriter, r *http.Request) {
	k := Key{Class(r.PathValue("class")), r.PathValue("code")}
	if !(k.Class == DefaultClass && k.Code == DefaultCode) && !k.Class.Valid() {
		h.R.Error(w, r, apperr.New(apperr.NotFound, "category.not_found", string(k.Class), k.Code))
		return
	}
	if _, err := NeedWrite(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var set LimitSet
	if err := httpx.Decode(r, &set, 64<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if err := h.Categories.PutLimits(r.Context(), k.Class, k.Code, set); err != nil {
		h.R.Error(w, r, h.translate(r, err))
		return
	}
	if k.Class == DefaultClass {
		set, err := h.Categories.DefaultLimits(r.Context())
		if err != nil {
			h.R.Error(w, r, err)
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"limits": set})
		return
	}
	m, err := h.minor(r, k)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, m)
}

func (h *HTTP) export(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := h.Categories.ExportCSV(r.Context(), &buf); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="categories.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (h *HTTP) importCSV(w http.ResponseWriter, r *http.Request) {
	if _, err := NeedWrite(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxCSVBytes+1) // one byte more: ParseCSV names the limit
	n, err := h.Categories.ImportCSV(r.Context(), r.Body)
	if err != nil {
		h.R.Error(w, r, h.translate(r, err))
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"imported": n})
}

// translate turns refused input into an API error whose details are in the caller's language.
func (h *HTTP) translate(r *http.Request, err error) error {
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		return err
	}
	return apperr.New(apperr.Invalid, pe.Key, len(pe.Problems)).WithDetails(Details(h.R.Catalog, i18n.FromRequest(r), pe.Problems))
}

// Details translates problems for lang (message keys "category.problem.<key>").
func Details(c *i18n.Catalog, lang string, problems []Problem) []apperr.Detail {
	out := make([]apperr.Detail, len(problems))
	for i, p := range problems {
		out[i] = apperr.Detail{Field: p.Field, Line: p.Line, Message: c.T(lang, "category.problem."+p.Key, p.Args...)}
	}
	return out
}
