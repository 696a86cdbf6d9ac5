package routing

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// Locator finds the grid holding a point (*grid.Service).
type Locator interface {
	Locate(ctx context.Context, lat, lng float64) (grid.Location, error)
}

// HTTP serves the rules and the rule tester of the admin UI.
type HTTP struct {
	Routing    *Service
	Categories *category.Service // to find a category's class when the tester omits it
	Org        *org.Service      // to place an org code
	Grids      Locator           // to place a point
	// Working says whether a time falls within working hours (the work calendar). Nil: the
	// fallback WorkingFallback.
	Working func(ctx context.Context, at time.Time) (bool, error)
	Now     func() time.Time
	R       *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/routing/rules", h.list)
	mux.HandleFunc("PUT /api/v1/routing/rules", h.replace)
	mux.HandleFunc("POST /api/v1/routing/test", h.test)
	mux.HandleFunc("GET /api/v1/routing/history", h.history)
}

// history lists the latest changes of the rule list: who and when.
func (h *HTTP) history(w http.ResponseWriter, r *http.Request) {
	changes, err := category.History(r.Context(), h.Routing.DB, "routing.")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"changes": changes})
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	rules, err := h.Routing.Rules(r.Context())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, File{Rules: rules})
}

func (h *HTTP) replace(w http.ResponseWriter, r *http.Request) {
	if _, err := category.NeedWrite(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var f File
	if err := httpx.Decode(r, &f, 1<<20); err != nil {
		h.R.Error(w, r, err)
		return
	}
	if f.Rules == nil {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.missing_param", "rules"))
		return
	}
	rules, err := h.Routing.Replace(r.Context(), f.Rules)
	if err != nil {
		h.R.Error(w, r, h.translate(r, err))
		return
	}
	httpx.JSON(w, http.StatusOK, File{Rules: rules})
}

// testInput is the body of POST /api/v1/routing/test. The place is a point (lat, lng: WGS84), or
// an org code, or neither (only rules for anywhere match). at defaults to now; working, when
// given, overrides the work calendar.
type testInput struct {
	CategoryClass category.Class   `json:"category_class"`
	CategoryCode  string           `json:"category_code"`
	Lat           *float64         `json:"lat"`
	Lng           *float64         `json:"lng"`
	OrgCode       string           `json:"org_code"`
	Urgency       category.Urgency `json:"urgency"`
	At            string           `json:"at"`
	Working       *bool            `json:"working"`
}

// TestResult answers the rule tester.
type TestResult struct {
	Matched  bool      `json:"matched"`
	Decision *Decision `json:"decision"`
	// Tried is every rule in the order they are tried, with why it did not match, the winner, and
	// those not reached.
	Tried []Trial `json:"tried"`
	Input struct {
		CategoryClass category.Class   `json:"category_class"`
		CategoryCode  string           `json:"category_code"`
		OrgPath       string           `json:"org_path"`
		GridCode      string           `json:"grid_code,omitempty"`
		Urgency       category.Urgency `json:"urgency"`
		At            time.Time        `json:"at"`
		Working       bool             `json:"working"`
	} `json:"input"`
}

func (h *HTTP) test(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in testInput
	if err := httpx.Decode(r, &in, 16<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	res, err := h.runTest(ctx, in)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, res)
}

func (h *HTTP) runTest(ctx context.Context, in testInput) (TestResult, error) {
	var res TestResult
	c, err := h.testCategory(ctx, in)
	if err != nil {
		return res, err
	}
	urgency := in.Urgency
	if urgency == "" {
		urgency = category.Normal
	}
	if !urgency.Valid() {
		return res, apperr.New(apperr.Invalid, "category.bad_urgency", string(urgency))
	}
	at := h.now()
	if in.At != "" {
		if at, err = time.Parse(time.RFC3339, in.At); err != nil {
			return res, apperr.New(apperr.Invalid, "request.bad_param", "at", "RFC 3339")
		}
	}
	path, gridCode, err := h.place(ctx, in)
	if err != nil {
		return res, err
	}
	var working bool
	switch {
	case in.Working != nil:
		working = *in.Working
	case h.Working != nil:
		if working, err = h.Working(ctx, at); err != nil {
			return res, err
		}
	default:
		working = WorkingFallback(at)
	}
	input := Input{CategoryClass: c.Class, CategoryCode: c.Code, OrgPath: path, Urgency: urgency, At: at, Working: working}
	d, ok, err := h.Routing.Decide(ctx, input)
	if err != nil {
		return res, err
	}
	res.Matched = ok
	if ok {
		res.Decision = &d
	}
	if res.Tried, err = h.Routing.Explain(ctx, input); err != nil {
		return res, err
	}
	res.Input.CategoryClass, res.Input.CategoryCode, res.Input.OrgPath, res.Input.GridCode = c.Class, c.Code, path, gridCode
	res.Input.Urgency, res.Input.At, res.Input.Working = urgency, at.UTC(), working
	return res, nil
}

// testCategory finds the tested category (by code alone when the class is omitted).
func (h *HTTP) testCategory(ctx context.Context, in testInput) (category.Category, error) {
	code := strings.TrimSpace(in.CategoryCode)
	if code == "" {
		return category.Category{}, apperr.New(apperr.Invalid, "request.missing_param", "category_code")
	}
	if in.CategoryClass == "" {
		return h.Categories.Find(ctx, code)
	}
	if !in.CategoryClass.Valid() {
		return category.Category{}, apperr.New(apperr.Invalid, "category.bad_class", string(in.CategoryClass))
	}
	return h.Categories.Get(ctx, in.CategoryClass, code)
}

// place turns the tester's point or org code into an org path.
func (h *HTTP) place(ctx context.Context, in testInput) (path, gridCode string, err error) {
	if (in.Lat == nil) != (in.Lng == nil) {
		return "", "", apperr.New(apperr.Invalid, "request.missing_param", "lat, lng")
	}
	if in.Lat != nil && h.Grids != nil {
		loc, err := h.Grids.Locate(ctx, *in.Lat, *in.Lng)
		if err != nil {
			return "", "", err
		}
		if !loc.Inside {
			return "", "", apperr.New(apperr.Invalid, "routing.outside")
		}
		community, err := h.Org.NodeByCode(ctx, loc.Grid.CommunityCode)
		if err != nil {
			return "", "", err
		}
		return org.PathOf(community.Path, loc.Grid.Code), loc.Grid.Code, nil
	}
	if in.OrgCode != "" {
		n, err := h.Org.NodeByCode(ctx, in.OrgCode)
		if err != nil {
			return "", "", err
		}
		if n.Kind == org.Department {
			return "", "", apperr.New(apperr.Invalid, "routing.org_is_department", in.OrgCode)
		}
		return n.Path, "", nil
	}
	return "", "", nil
}

func (h *HTTP) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// chinaTime is UTC+8 (China has no daylight saving time).
var chinaTime = time.FixedZone("CST", 8*3600)

// WorkingFallback is used until the work calendar is wired: Monday to Friday, 08:30–12:00 and
// 14:30–17:30 China time, no holidays. It is a placeholder, not a rule.
func WorkingFallback(at time.Time) bool {
	t := at.In(chinaTime)
	if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	return (m >= 8*60+30 && m < 12*60) || (m >= 14*60+30 && m < 17*60+30)
}

// translate turns a refused rule list into an API error with one detail per problem, in the
// caller's language.
func (h *HTTP) translate(r *http.Request, err error) error {
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		return err
	}
	return apperr.New(apperr.Invalid, "routing.invalid", len(pe.Problems)).
		WithDetails(Details(h.R.Catalog, i18n.FromRequest(r), pe.Problems))
}

// Details translates problems for lang (message keys "routing.problem.<key>"); Line is the rule's
// 1-based position in the list.
func Details(c *i18n.Catalog, lang string, problems []Problem) []apperr.Detail {
	out := make([]apperr.Detail, len(problems))
	for i, p := range problems {
		out[i] = apperr.Detail{Field: p.Field, Line: p.Rule, Message: c.T(lang, "routing.problem."+p.Key, p.Args...)}
	}
	return out
}
