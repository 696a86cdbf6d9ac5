package eval

import (
	"context"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Peers is the horizontal view of one period: how the unit's peers (the ranked units of its level
// and scheme) did.
type Peers struct {
	Ranked      int                 `json:"ranked"`
	BestScore   *float64            `json:"best_score"`
	MedianScore *float64            `json:"median_score"`
	Best        map[string]*float64 `json:"best"`
	Median      map[string]*float64 `json:"median"`
}

// Point is one period of a unit's trend (the vertical view) beside its peers.
type Point struct {
	Period string              `json:"period"` // YYYY-MM
	From   string              `json:"from"`
	To     string              `json:"to"`
	Counts map[string]int64    `json:"counts"`
	Rates  map[string]*float64 `json:"rates"`
	Score  *float64            `json:"score"`
	Grade  *string             `json:"grade"`
	Scheme string              `json:"scheme,omitempty"`
	Rank   *int                `json:"rank"`
	Of     int                 `json:"of"`
	Peers  Peers               `json:"peers"`
}

// Trend is a unit's last months.
type Trend struct {
	Level  Level   `json:"level"`
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	Points []Point `json:"points"`
}

// MaxTrendMonths bounds a trend.
const MaxTrendMonths = 36

// Trend answers GET /api/v1/indicators/trend: the unit's figures month by month, the last
// months ending with the month of to, each beside its peers'.
func (s *Service) Trend(ctx context.Context, level Level, code string, to time.Time, months int, scheme string) (Trend, error) {
	if months < 1 || months > MaxTrendMonths {
		return Trend{}, apperr.New(apperr.Invalid, "eval.bad_months", MaxTrendMonths)
	}
	scope, err := readScope(ctx, level)
	if err != nil {
		return Trend{}, err
	}
	set, err := s.Schemes(ctx)
	if err != nil {
		return Trend{}, err
	}
	members, err := s.members(ctx, scope, level)
	if err != nil {
		return Trend{}, err
	}
	i := slices.IndexFunc(members, func(m member) bool { return m.Code == code })
	if i < 0 {
		return Trend{}, apperr.New(apperr.NotFound, "eval.unknown_unit", code)
	}
	out := Trend{Level: level, Code: code, Name: members[i].Name}
	last := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, Zone)
	for k := months - 1; k >= 0; k-- {
		first := last.AddDate(0, -k, 0)
		q := Query{Period: Period{From: first, To: first.AddDate(0, 1, -1)}, Level: level, Scheme: scheme}
		if err := checkScheme(set, q); err != nil {
			return Trend{}, err
		}
		t, err := s.table(ctx, q, members, set)
		if err != nil {
			return Trend{}, err
		}
		ranks := rankRows(t.Rows)
		j := slices.IndexFunc(t.Rows, func(r Row) bool { return r.Code == code })
		r := t.Rows[j]
		p := Point{Period: first.Format("2006-01"), From: t.From, To: t.To, Counts: r.Counts, Rates: r.Rates, Score: r.Score,
			Grade: r.Grade, Scheme: r.Scheme}
		if k, ok := ranks[code]; ok {
			p.Rank, p.Of = &k.rank, k.of
		}
		gaps := gapsOf(t.Rows)[code]
		p.Peers = Peers{Best: map[string]*float64{}, Median: map[string]*float64{}}
		for _, row := range t.Rows {
			if row.Ranked && row.Score != nil && row.Scheme == r.Scheme {
				p.Peers.Ranked++
			}
		}
		p.Peers.BestScore, p.Peers.MedianScore = gaps["score"].Best, gaps["score"].Median
		for _, rc := range RateCodes() {
			p.Peers.Best[rc], p.Peers.Median[rc] = gaps[rc].Best, gaps[rc].Median
		}
		out.Points = append(out.Points, p)
	}
	return out, nil
}
