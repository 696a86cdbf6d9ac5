package eval

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"
)

// lowerIsBetter are the rates where less is better: a unit's gap to the best is measured down.
var lowerIsBetter = []string{"rework_rate", "extension_rate", "overdue_rate"}

// Gap is where a unit stands on one indicator among its ranked peers: the best value, the median,
// and how far behind each it is (0 or less: level with or ahead of it).
type Gap struct {
	Value    *float64 `json:"value"`
	Best     *float64 `json:"best"`
	Median   *float64 `json:"median"`
	ToBest   *float64 `json:"to_best"`
	ToMedian *float64 `json:"to_median"`
}

// Standing is a row of a ranking.
type Standing struct {
	Row
	// Rank is the unit's place among the ranked units scored with the same scheme; equal scores
	// share a rank and the next rank is skipped (1, 1, 3). Nil: not ranked (below the minimum
	// sample, or nothing to score).
	Rank *int `json:"rank"`
	// Of is how many units were ranked with it.
	Of           int  `json:"of"`
	PreviousRank *int `json:"previous_rank"`
	// RankChange is PreviousRank − Rank: positive is a climb.
	RankChange *int           `json:"rank_change"`
	Gaps       map[string]Gap `json:"gaps"`
}

// Ranking is the answer to GET /api/v1/rankings.
type Ranking struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	Level    Level      `json:"level"`
	Previous Span    `json:"previous"`
	Rows     []Standing `json:"rows"`
}

// Span is a period as the API shows it.
type Span struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// rankRows gives ranks among rows scored with the same scheme (competition ranking: ties share).
func rankRows(rows []Row) map[string]struct{ rank, of int } {
	groups := map[string][]Row{}
	for _, r := range rows {
		if r.Ranked && r.Score != nil {
			groups[r.Scheme] = append(groups[r.Scheme], r)
		}
	}
	out := map[string]struct{ rank, of int }{}
	for _, g := range groups {
		sort.SliceStable(g, func(i, j int) bool { return *g[i].Score > *g[j].Score })
		for i, r := range g {
			rank := i + 1
			if i > 0 && *g[i-1].Score == *r.Score {
				rank = out[g[i-1].Code].rank
			}
			out[r.Code] = struct{ rank, of int }{rank, len(g)}
		}
	}
	return out
}

// Rankings ranks the units of a level over a period, beside the period before it, with each
// unit's gap to the best and to the median on the score and on every rate.
func (s *Service) Rankings(ctx context.Context, q Query) (Ranking, error) {
	scope, err := readScope(ctx, q.Level)
	if err != nil {
		return Ranking{}, err
	}
	set, err := s.Schemes(ctx)
	if err != nil {
		return Ranking{}, err
	}
	if err := checkScheme(set, q); err != nil {
		return Ranking{}, err
	}
	members, err := s.members(ctx, scope, q.Level)
	if err != nil {
		return Ranking{}, err
	}
	now, err := s.table(ctx, q, members, set)
	if err != nil {
		return Ranking{}, err
	}
	prevQ := q
	prevQ.Period = q.Period.Previous()
	before, err := s.table(ctx, prevQ, members, set)
	if err != nil {
		return Ranking{}, err
	}
	ranks, prevRanks := rankRows(now.Rows), rankRows(before.Rows)
	out := Ranking{From: now.From, To: now.To, Level: q.Level,
		Previous: Span{From: prevQ.Period.From.Format(time.DateOnly), To: prevQ.Period.To.Format(time.DateOnly)}}
	gaps := gapsOf(now.Rows)
	for _, r := range now.Rows {
		st := Standing{Row: r, Gaps: gaps[r.Code]}
		if k, ok := ranks[r.Code]; ok {
			st.Rank, st.Of = &k.rank, k.of
			if p, ok := prevRanks[r.Code]; ok {
				change := p.rank - k.rank
				st.PreviousRank, st.RankChange = &p.rank, &change
			}
		} else if p, ok := prevRanks[r.Code]; ok {
			st.PreviousRank = &p.rank
		}
		out.Rows = append(out.Rows, st)
	}
	sort.SliceStable(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i].Rank, out.Rows[j].Rank
		switch {
		case a != nil && b != nil:
			return *a < *b
		case a != nil:
			return true
		case b != nil:
			return false
		}
		return out.Rows[i].Code < out.Rows[j].Code
	})
	return out, nil
}

// gapsOf measures every row against the ranked rows of its scheme, on the score and each rate.
func gapsOf(rows []Row) map[string]map[string]Gap {
	peers := map[string][]Row{}
	for _, r := range rows {
		if r.Ranked && r.Score != nil {
			peers[r.Scheme] = append(peers[r.Scheme], r)
		}
	}
	out := map[string]map[string]Gap{}
	for _, r := range rows {
		g := map[string]Gap{}
		group := peers[r.Scheme]
		g["score"] = gap(r.Score, values(group, func(p Row) *float64 { return p.Score }), false)
		for _, code := range RateCodes() {
			g[code] = gap(r.Rates[code], values(group, func(p Row) *float64 { return p.Rates[code] }), slices.Contains(lowerIsBetter, code))
		}
		out[r.Code] = g
	}
	return out
}

func values(rows []Row, get func(Row) *float64) []float64 {
	var out []float64
	for _, r := range rows {
		if v := get(r); v != nil {
			out = append(out, *v)
		}
	}
	return out
}

func gap(v *float64, peers []float64, lower bool) Gap {
	g := Gap{Value: v}
	if len(peers) == 0 {
		return g
	}
	sort.Float64s(peers)
	best := peers[len(peers)-1]
	if lower {
		best = peers[0]
	}
	median := peers[len(peers)/2]
	if len(peers)%2 == 0 {
		median = round2((peers[len(peers)/2-1] + peers[len(peers)/2]) / 2)
	}
	g.Best, g.Median = &best, &median
	if v != nil {
		behind := func(ref float64) *float64 {
			d := ref - *v
			if lower {
				d = -d
			}
			d = round2(d)
			return &d
		}
		g.ToBest, g.ToMedian = behind(best), behind(median)
	}
	return g
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
