package calendar

import (
	"net/http"
	"strconv"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// HTTP serves the work calendar: read a year, replace a year, compute a deadline.
type HTTP struct {
	Calendar *Service
	R        *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/calendar/{year}", h.get)
	mux.HandleFunc("PUT /api/v1/calendar/{year}", h.put)
	mux.HandleFunc("GET /api/v1/calendar/{year}/check", h.check)
	mux.HandleFunc("GET /api/v1/calendar/{year}/versions", h.versions)
}

// error writes err, with a validation error's problems translated one by one.
func (h *HTTP) error(w http.ResponseWriter, r *http.Request, err error) {
	h.R.Error(w, r, Localize(err, h.R.Catalog, i18n.FromRequest(r)))
}

func pathYear(r *http.Request) (int, error) {
	raw := r.PathValue("year")
	year, err := strconv.Atoi(raw)
	if err != nil || len(raw) != 4 {
		return 0, apperr.New(apperr.Invalid, "calendar.bad_year", raw, MinYear, MaxYear)
	}
	return year, checkYear(year)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	year, err := pathYear(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	y, err := h.Calendar.Year(r.Context(), year)
	if err != nil {
		h.error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, y)
}

func (h *HTTP) put(w http.ResponseWriter, r *http.Request) {
	year, err := pathYear(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	// The body is a year in the import file's shape, with an optional effective_from (RFC 3339;
	// absent: now).
	var body struct {
		Year
		EffectiveFrom *time.Time `json:"effective_from"`
	}
	if err := httpx.Decode(r, &body, MaxFileBytes); err != nil {
		h.error(w, r, err)
		return
	}
	y := body.Year
	if y.Year != year {
		h.error(w, r, apperr.New(apperr.Invalid, "calendar.year_mismatch", year, y.Year))
		return
	}
	var from time.Time
	if body.EffectiveFrom != nil {
		from = *body.EffectiveFrom
	}
	if err := h.Calendar.PutYearFrom(r.Context(), y, from); err != nil {
		h.error(w, r, err)
		return
	}
	stored, err := h.Calendar.Year(r.Context(), year)
	if err != nil {
		h.error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, stored)
}

// versions lists the saved versions of a year, past, current and pending.
func (h *HTTP) versions(w http.ResponseWriter, r *http.Request) {
	year, err := pathYear(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	vs, err := h.Calendar.Versions(r.Context(), year)
	if err != nil {
		h.error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"versions": vs})
}

// checkAnswer is the answer of the deadline calculator.
type checkAnswer struct {
	Start         time.Time  `json:"start"`
	Limit         Limit      `json:"limit"`
	Deadline      *time.Time `json:"deadline"`       // null: no limit
	DeadlineLocal string     `json:"deadline_local"` // the deadline in Beijing time, RFC 3339
	// WorkingMinutes is the working time the limit grants from this start.
	WorkingMinutes int64 `json:"working_minutes"`
}

func (h *HTTP) check(w http.ResponseWriter, r *http.Request) {
	year, err := pathYear(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	for _, name := range []string{"start", "value", "unit"} {
		if q.Get(name) == "" {
			h.error(w, r, apperr.New(apperr.Invalid, "request.missing_param", name))
			return
		}
	}
	start, err := time.Parse(time.RFC3339, q.Get("start"))
	if err != nil {
		h.error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "start", "RFC 3339"))
		return
	}
	if local := start.In(Zone); local.Year() != year {
		h.error(w, r, apperr.New(apperr.Invalid, "calendar.start_outside_year", local.Format("2006-01-02 15:04"), year))
		return
	}
	value, err := strconv.Atoi(q.Get("value"))
	if err != nil {
		h.error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "value", "0–"+strconv.Itoa(MaxHours)))
		return
	}
	l := Limit{Value: value, Unit: Unit(q.Get("unit"))}
	deadline, granted, err := h.Calendar.Check(r.Context(), start, l)
	if err != nil {
		h.error(w, r, err)
		return
	}
	a := checkAnswer{Start: start.UTC(), Limit: l, WorkingMinutes: int64(granted / time.Minute)}
	if !deadline.IsZero() {
		a.Deadline = &deadline
		a.DeadlineLocal = deadline.In(Zone).Format(time.RFC3339)
	}
	httpx.JSON(w, http.StatusOK, a)
}
