package eval

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// A briefing (简报) is one unit's period on one page: its key figures, where it stands among its
// peers, the cases most overdue now, and where the period's problems came from (categories and
// places). Leaders print it or take it as a workbook; briefing_job.go tells them when one is due.

// BriefingLevels are the levels a briefing is made for (a person has the 赛马场 evidence instead).
var BriefingLevels = []Level{LevelSubdistrict, LevelZone, LevelCommunity, LevelGrid, LevelDepartment, LevelDistrict}

// BriefingCounts and BriefingRates are the key figures a briefing shows, in order: the volume of
// the period and the rates a district's monthly 通报 leads with (GB/T 30428.4 结案率 and 按期结案率,
// the 12345 三率, and the rates where less is better).
var (
	BriefingCounts = []string{"reports", "registered", "closed", "overdue", "supervised"}
	BriefingRates  = []string{"closure_rate", "on_time_closure_rate", "on_time_dispatch_rate", "response_rate",
		"resolution_rate", "satisfaction_rate", "rework_rate", "overdue_rate"}
)

// BriefingListLimit is how many overdue cases, categories and places a briefing lists.
const BriefingListLimit = 10

// Desk is what a briefing reads of the case desk (app/adapters_briefing.go fills it from package
// cases). Both run in the caller's context: the desk applies the caller's case.read scope.
type Desk interface {
	// Overdue lists the open cases of a unit whose running stage is past its due, most late
	// first, at most limit.
	Overdue(ctx context.Context, level Level, code string, limit int) ([]OverdueCase, error)
	// Groups counts a unit's cases reported in a period by category or by place (by is
	// "category" or "place"), most cases first, at most limit.
	Groups(ctx context.Context, level Level, code string, p Period, by string, limit int) ([]Group, error)
}

// OverdueCase is an open case past its stage's due.
type OverdueCase struct {
	ID             string    `json:"id"`
	Number         string    `json:"number"`
	Status         string    `json:"status"`
	Stage          string    `json:"stage"`
	Category       string    `json:"category"`
	Address        string    `json:"address"`
	GridCode       string    `json:"grid_code"`
	LeadDepartment string    `json:"lead_department"`
	Due            time.Time `json:"due"`
	// LateMinutes is how long past the due the case is (wall time).
	LateMinutes int64 `json:"late_minutes"`
}

// Group is a category or a place with its cases of the period.
type Group struct {
	Key      string  `json:"key"`
	Name     string  `json:"name"`
	NameEn   string  `json:"name_en,omitempty"`
	Count    int     `json:"count"`
	Open     int     `json:"open"`
	Closed   int     `json:"closed"`
	Lat      float64 `json:"lat,omitempty"`
	Lng      float64 `json:"lng,omitempty"`
	GridCode string  `json:"grid_code,omitempty"`
}

// Briefings is the briefing's part of the service: where its lists come from and when leaders
// are told (briefing_job.go).
type Briefings struct {
	Desk     Desk
	Schedule Schedule
}

// Briefing is the answer to GET /api/v1/briefings.
type Briefing struct {
	Level    Level  `json:"level"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en,omitempty"`
	From     string `json:"from"`
	To       string `json:"to"`
	Previous Span   `json:"previous"`
	// Figures are the unit's counts, rates, score and grade (as a row of GET /api/v1/indicators).
	Figures    Row      `json:"figures"`
	KeyCounts  []string `json:"key_counts"`
	KeyRates   []string `json:"key_rates"`
	Rank       *int     `json:"rank"`
	Of         int      `json:"of"`
	PrevRank   *int     `json:"previous_rank"`
	RankChange *int     `json:"rank_change"`
	// Gaps are the unit's distance to the best and the median of its ranked peers.
	Gaps map[string]Gap `json:"gaps"`
	// StandardRef is the standard the score's scheme follows.
	StandardRef string        `json:"standard_ref,omitempty"`
	Overdue     []OverdueCase `json:"overdue"`
	Categories  []Group       `json:"categories"`
	Places      []Group       `json:"places"`
	GeneratedAt time.Time     `json:"generated_at"`
}

// Briefing makes the briefing of one unit in the caller's scope (else not found) for a period.
//
// The rank is the unit's place among all the district's units of its level scored with the same
// scheme — the peers a 通报 ranks it with — not only among those the caller reaches: a subdistrict
// leader sees "3rd of 8", never another unit's figures (only the peers' best and median, as the
// trend's peers show them).
func (s *Service) Briefing(ctx context.Context, level Level, code string, p Period) (Briefing, error) {
	if !slices.Contains(BriefingLevels, level) {
		return Briefing{}, apperr.New(apperr.Invalid, "eval.bad_level", string(level))
	}
	scope, err := access.Need(ctx, access.EvalRead)
	if err != nil {
		return Briefing{}, err
	}
	reach, err := s.members(ctx, scope, level)
	if err != nil {
		return Briefing{}, err
	}
	i := slices.IndexFunc(reach, func(m member) bool { return m.Code == code })
	if i < 0 {
		return Briefing{}, apperr.New(apperr.NotFound, "eval.unknown_unit", code)
	}
	unit := reach[i]
	set, err := s.Schemes(ctx)
	if err != nil {
		return Briefing{}, err
	}
	peers, err := s.members(ctx, access.Scope{Paths: []string{"/"}}, level)
	if err != nil {
		return Briefing{}, err
	}
	now, before, err := s.withPrevious(ctx, Query{Period: p, Level: level}, peers, set)
	if err != nil {
		return Briefing{}, err
	}
	j := slices.IndexFunc(now.Rows, func(r Row) bool { return r.Code == code })
	if j < 0 {
		return Briefing{}, apperr.New(apperr.NotFound, "eval.unknown_unit", code)
	}
	row := now.Rows[j]
	b := Briefing{Level: level, Code: code, Name: unit.Name, NameEn: unit.NameEn, From: now.From, To: now.To,
		Previous: Span{From: before.From, To: before.To}, Figures: row, KeyCounts: BriefingCounts, KeyRates: BriefingRates,
		Gaps: gapsOf(now.Rows)[code], GeneratedAt: s.Now().UTC()}
	if k, ok := rankRows(now.Rows)[code]; ok {
		b.Rank, b.Of = &k.rank, k.of
		if pk, ok := rankRows(before.Rows)[code]; ok {
			change := pk.rank - k.rank
			b.PrevRank, b.RankChange = &pk.rank, &change
		}
	}
	for _, sc := range set {
		if sc.String() == row.Scheme {
			b.StandardRef = sc.StandardRef
		}
	}
	if err := s.briefingLists(ctx, &b, p); err != nil {
		return Briefing{}, err
	}
	return b, nil
}

// briefingLists fills the three lists from the case desk.
func (s *Service) briefingLists(ctx context.Context, b *Briefing, p Period) error {
	b.Overdue, b.Categories, b.Places = []OverdueCase{}, []Group{}, []Group{}
	desk := s.Briefings.Desk
	if desk == nil {
		return nil
	}
	var err error
	if b.Overdue, err = desk.Overdue(ctx, b.Level, b.Code, BriefingListLimit); err != nil {
		return err
	}
	if b.Categories, err = desk.Groups(ctx, b.Level, b.Code, p, "category", BriefingListLimit); err != nil {
		return err
	}
	b.Places, err = desk.Groups(ctx, b.Level, b.Code, p, "place", BriefingListLimit)
	return err
}

// briefing answers GET /api/v1/briefings?level&code&from&to[&format=xlsx|csv].
func (h *HTTP) briefing(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	format, download, err := tabular.ParseFormat(v.Get("format"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	level, err := ParseLevel(v.Get("level"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	code := strings.TrimSpace(v.Get("code"))
	if code == "" {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "briefing.no_unit"))
		return
	}
	p, err := ParsePeriod(v.Get("from"), v.Get("to"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	b, err := h.Eval.Briefing(r.Context(), level, code, p)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if !download {
		httpx.JSON(w, http.StatusOK, b)
		return
	}
	out, err := tabular.Start(w, format, "briefing-"+b.Code+"-"+b.From+"-"+b.To)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	// Errors after the first byte cannot become an error answer: the download is cut short.
	_ = writeBriefing(out, h.R.Catalog, i18n.FromRequest(r), b)
}

// writeBriefing writes a briefing as sections one under another, each a heading row, a header
// row and its rows, with an empty row between sections: the page's content, in a sheet.
func writeBriefing(out tabular.Writer, cat *i18n.Catalog, lang string, b Briefing) error {
	T := func(key string, args ...any) string { return cat.T(lang, key, args...) }
	name := b.Name
	if lang == i18n.EN && b.NameEn != "" {
		name = b.NameEn
	}
	rows := [][]any{
		{T("briefing.title", name, b.From, b.To)},
		{T("briefing.generated"), b.GeneratedAt},
		{},
		{T("briefing.section.figures")},
		{T("briefing.col.indicator"), T("briefing.col.value")},
	}
	for _, c := range b.KeyCounts {
		rows = append(rows, []any{T("eval.count." + c), b.Figures.Counts[c]})
	}
	for _, c := range b.KeyRates {
		rows = append(rows, []any{T("eval.rate."+c) + " (%)", b.Figures.Rates[c]})
	}
	rows = append(rows, []any{T("eval.col.score"), b.Figures.Score}, []any{T("eval.col.grade"), b.Figures.Grade},
		[]any{T("eval.col.scheme"), b.Figures.Scheme},
		[]any{}, []any{T("briefing.section.rank")},
		[]any{T("briefing.col.rank"), T("briefing.col.of"), T("briefing.col.previous_rank"), T("briefing.col.rank_change")},
		[]any{number(b.Rank), b.Of, number(b.PrevRank), number(b.RankChange)},
		[]any{}, []any{T("briefing.section.overdue")},
		[]any{T("briefing.col.number"), T("briefing.col.category"), T("briefing.col.stage"), T("briefing.col.address"),
			T("briefing.col.grid"), T("briefing.col.department"), T("briefing.col.due"), T("briefing.col.late_hours")})
	for _, c := range b.Overdue {
		rows = append(rows, []any{c.Number, c.Category, T("desk.stage." + c.Stage), c.Address, c.GridCode, c.LeadDepartment,
			c.Due, math.Round(float64(c.LateMinutes)/6) / 10})
	}
	for _, section := range []struct {
		key    string
		groups []Group
	}{{"briefing.section.categories", b.Categories}, {"briefing.section.places", b.Places}} {
		rows = append(rows, []any{}, []any{T(section.key)},
			[]any{T("briefing.col.name"), T("briefing.col.count"), T("briefing.col.open"), T("briefing.col.closed")})
		for _, g := range section.groups {
			label := g.Name
			if lang == i18n.EN && g.NameEn != "" {
				label = g.NameEn
			}
			rows = append(rows, []any{label, g.Count, g.Open, g.Closed})
		}
	}
	rows = append(rows, []any{}, []any{T("briefing.source", b.StandardRef)})
	for _, row := range rows {
		if err := out.Row(row...); err != nil {
			return err
		}
	}
	return out.Close()
}

// number is an optional whole number as a cell (nil: an empty cell).
func number(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
