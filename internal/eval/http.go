package eval

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// HTTP serves the indicators, rankings, trends, schemes and the person tables' picks.
type HTTP struct {
	Eval *Service
	R    *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/indicators", h.indicators)
	mux.HandleFunc("GET /api/v1/indicators/trend", h.trend)
	mux.HandleFunc("GET /api/v1/indicators/definitions", h.definitions)
	mux.HandleFunc("GET /api/v1/rankings", h.rankings)
	mux.HandleFunc("GET /api/v1/eval/schemes", h.schemes)
	mux.HandleFunc("POST /api/v1/eval/schemes", h.addScheme)
	mux.HandleFunc("GET /api/v1/eval/people/{id}/evidence", h.evidence)
	mux.HandleFunc("GET /api/v1/eval/picks", h.picks)
	mux.HandleFunc("POST /api/v1/eval/picks", h.addPick)
	mux.HandleFunc("GET /api/v1/briefings", h.briefing)
	mux.HandleFunc("GET /api/v1/public/figures", h.publicFigures)
}

// query reads from, to, level and scheme.
func query(r *http.Request) (Query, error) {
	v := r.URL.Query()
	level, err := ParseLevel(v.Get("level"))
	if err != nil {
		return Query{}, err
	}
	p, err := ParsePeriod(v.Get("from"), v.Get("to"))
	if err != nil {
		return Query{}, err
	}
	return Query{Period: p, Level: level, Scheme: v.Get("scheme")}, nil
}

// indicators answers the contract GET /api/v1/indicators (JSON, or a CSV or xlsx download).
func (h *HTTP) indicators(w http.ResponseWriter, r *http.Request) {
	format, download, err := tabular.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	q, err := query(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	t, err := h.Eval.Indicators(r.Context(), q)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if !download {
		httpx.JSON(w, http.StatusOK, t)
		return
	}
	lang := i18n.FromRequest(r)
	out, err := tabular.Start(w, format, "indicators-"+string(q.Level)+"-"+t.From+"-"+t.To)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	// Errors after the first byte cannot become an error answer: the download is cut short.
	_ = writeTable(out, h.R.Catalog, lang, t)
}

// writeTable writes a table: a header in the reader's language, then a row per unit.
func writeTable(out tabular.Writer, cat *i18n.Catalog, lang string, t Table) error {
	header := []any{cat.T(lang, "eval.col.code"), cat.T(lang, "eval.col.name")}
	for _, c := range CountCodes() {
		header = append(header, cat.T(lang, "eval.count."+c))
	}
	for _, c := range RateCodes() {
		header = append(header, cat.T(lang, "eval.rate."+c))
	}
	header = append(header, cat.T(lang, "eval.col.score"), cat.T(lang, "eval.col.grade"), cat.T(lang, "eval.col.scheme"))
	if err := out.Row(header...); err != nil {
		return err
	}
	for _, row := range t.Rows {
		cells := []any{row.Code, row.Name}
		for _, c := range row.raw {
			cells = append(cells, c)
		}
		for _, c := range RateCodes() {
			cells = append(cells, row.Rates[c])
		}
		cells = append(cells, row.Score, row.Grade, row.Scheme)
		if err := out.Row(cells...); err != nil {
			return err
		}
	}
	return out.Close()
}

func (h *HTTP) rankings(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	rk, err := h.Eval.Rankings(r.Context(), q)
	h.R.Reply(w, r, http.StatusOK, rk, err)
}

// trend answers GET /api/v1/indicators/trend?level=&code=&to=YYYY-MM&months=12[&scheme=].
func (h *HTTP) trend(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	level, err := ParseLevel(v.Get("level"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	to := h.Eval.Now().In(Zone)
	if s := v.Get("to"); s != "" {
		if to, err = time.ParseInLocation("2006-01", s, Zone); err != nil {
			h.R.Error(w, r, apperr.New(apperr.Invalid, "eval.bad_period"))
			return
		}
	}
	months := 12
	if s := v.Get("months"); s != "" {
		if months, err = strconv.Atoi(s); err != nil {
			h.R.Error(w, r, apperr.New(apperr.Invalid, "eval.bad_months", MaxTrendMonths))
			return
		}
	}
	t, err := h.Eval.Trend(r.Context(), level, v.Get("code"), to, months, v.Get("scheme"))
	h.R.Reply(w, r, http.StatusOK, t, err)
}

// Definition is how an indicator is computed, as GET /api/v1/indicators/definitions lists it.
type Definition struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Plus   []string `json:"numerator"`
	Minus  []string `json:"minus,omitempty"`
	Den    string   `json:"denominator"`
	Source string   `json:"source"`
	Lower  bool     `json:"lower_is_better,omitempty"`
}

func (h *HTTP) definitions(w http.ResponseWriter, r *http.Request) {
	if _, err := access.Need(r.Context(), access.EvalRead); err != nil {
		h.R.Error(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	counts := []map[string]string{}
	for _, c := range CountCodes() {
		counts = append(counts, map[string]string{"code": c, "name": h.R.Catalog.T(lang, "eval.count."+c)})
	}
	var rates []Definition
	for _, rt := range Rates {
		d := Definition{Code: rt.Code, Name: h.R.Catalog.T(lang, "eval.rate."+rt.Code), Den: rt.Den.Code(), Source: rt.Source}
		for _, p := range rt.Plus {
			d.Plus = append(d.Plus, p.Code())
		}
		for _, m := range rt.Minus {
			d.Minus = append(d.Minus, m.Code())
		}
		for _, l := range lowerIsBetter {
			d.Lower = d.Lower || l == rt.Code
		}
		rates = append(rates, d)
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"counts": counts, "rates": rates, "levels": Levels})
}

// schemes lists every scheme's versions, newest first within a code.
func (h *HTTP) schemes(w http.ResponseWriter, r *http.Request) {
	if _, err := access.Need(r.Context(), access.EvalRead); err != nil {
		// Those who configure the schemes read them too (a sys_admin reads no indicators).
		if _, err := access.Need(r.Context(), access.EvalConfigure); err != nil {
			h.R.Error(w, r, err)
			return
		}
	}
	set, err := h.Eval.Schemes(r.Context())
	h.R.Reply(w, r, http.StatusOK, map[string]any{"schemes": set.latest(), "versions": set}, err)
}

// addScheme takes a scheme (a new code, or a new version of one) as JSON: the UI's form and a
// district's file post the same body.
func (h *HTTP) addScheme(w http.ResponseWriter, r *http.Request) {
	if _, err := access.NeedDistrict(r.Context(), access.EvalConfigure, "eval.district_only"); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var sc Scheme
	if err := httpx.Decode(r, &sc, 64<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	out, err := h.Eval.AddScheme(r.Context(), sc)
	h.R.Reply(w, r, http.StatusCreated, out, err)
}

func (h *HTTP) evidence(w http.ResponseWriter, r *http.Request) {
	// The caller first: a refused caller learns nothing about its query's problems.
	if _, err := access.Need(r.Context(), access.EvalPeople); err != nil {
		h.R.Error(w, r, err)
		return
	}
	v := r.URL.Query()
	p, err := ParsePeriod(v.Get("from"), v.Get("to"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	ev, err := h.Eval.Evidence(r.Context(), r.PathValue("id"), p)
	h.R.Reply(w, r, http.StatusOK, ev, err)
}

func (h *HTTP) picks(w http.ResponseWriter, r *http.Request) {
	list, err := h.Eval.Picks(r.Context())
	h.R.Reply(w, r, http.StatusOK, map[string]any{"picks": list}, err)
}

func (h *HTTP) addPick(w http.ResponseWriter, r *http.Request) {
	if _, err := access.Need(r.Context(), access.EvalPick); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in PickInput
	if err := httpx.Decode(r, &in, 8<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	in.UserID = strings.TrimSpace(in.UserID)
	p, err := h.Eval.AddPick(r.Context(), in)
	h.R.Reply(w, r, http.StatusCreated, p, err)
}

// Evidence is a person's figures for a period with the steps behind them and the picks made.
type Evidence struct {
	Person Row    `json:"person"`
	Steps  []Step `json:"steps"`
	Picks  []Pick `json:"picks"`
}

// Step is one step a person took (the evidence of the 赛马场).
type Step struct {
	CaseID string    `json:"case_id"`
	Number string    `json:"number"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Rating string    `json:"rating,omitempty"`
}

// MaxEvidenceSteps bounds the steps an evidence answer lists.
const MaxEvidenceSteps = 200

// Evidence answers GET /api/v1/eval/people/{id}/evidence.
func (s *Service) Evidence(ctx context.Context, id string, p Period) (Evidence, error) {
	scope, err := access.Need(ctx, access.EvalPeople)
	if err != nil {
		return Evidence{}, err
	}
	members, err := s.members(ctx, scope, LevelPerson)
	if err != nil {
		return Evidence{}, err
	}
	var one []member
	for _, m := range members {
		if m.Code == id {
			one = append(one, m)
		}
	}
	if len(one) == 0 {
		return Evidence{}, apperr.New(apperr.NotFound, "eval.unknown_unit", id)
	}
	set, err := s.Schemes(ctx)
	if err != nil {
		return Evidence{}, err
	}
	t, err := s.table(ctx, Query{Period: p, Level: LevelPerson}, one, set)
	if err != nil {
		return Evidence{}, err
	}
	steps, err := s.Cases.Steps(ctx, id, p.From, p.To.AddDate(0, 0, 1), MaxEvidenceSteps)
	if err != nil {
		return Evidence{}, err
	}
	picks, err := s.Picks(ctx)
	if err != nil {
		return Evidence{}, err
	}
	mine := []Pick{}
	for _, pk := range picks {
		if pk.UserID == id {
			mine = append(mine, pk)
		}
	}
	return Evidence{Person: t.Rows[0], Steps: steps, Picks: mine}, nil
}
