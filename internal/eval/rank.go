package eval

import (
	"context"
	"math"
	"slices"
	"sort"

	"golang.org/x/sync/errgroup"
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
	Previous Span       `json:"previous"`
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
	now, before, err := s.withPrevious(ctx, q, members, set)
	if err != nil {
		return Ranking{}, err
	}
	ranks, prevRanks := rankRows(now.Rows), rankRows(before.Rows)
	out := Ranking{From: now.From, To: now.To, Level: q.Level, Rows: []Standing{}, Previous: Span{From: before.From, To: before.To}}
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

// withPrevious computes q's table and the previous period's (scores and samples only, for the
// ranks a change is measured against). The two periods are read at once, on two of the pool's
// connections: a comparison costs one period's reading, not two.
func (s *Service) withPrevious(ctx context.Context, q Query, members []member, set schemeSet) (now, before Table, err error) {
	prevQ := q
	prevQ.Period = q.Period.Previous()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { now, err = s.table(gctx, q, members, set); return err })
	g.Go(func() (err error) { before, err = s.tableOf(gctx, prevQ, members, set, false); return err })
	err = g.Wait()
	return now, before, err
}

// gapsOf measures every row against the ranked rows of its scheme, on the score and each rate.
// Each scheme's peer values are gathered, sorted and summed up (best, median) once per
// indicator: a grid ranking has a thousand rows.
func gapsOf(rows []Row) map[string]map[string]Gap {
	peers := map[string][]Row{}
	for _, r := range rows {
		if r.Ranked && r.Score != nil {
			peers[r.Scheme] = append(peers[r.Scheme], r)
		}
	}
	codes := append([]string{"score"}, RateCodes()...)
	value := func(r Row, code string) *float64 {
		if code == "score" {
			return r.Score
		}
		return r.Rates[code]
	}
	type key struct{ scheme, code string }
	refs := map[key]*peerRef{}
	for scheme, group := range peers {
		for _, code := range codes {
			var vals []float64
			for _, p := range group {
				if v := value(p, code); v != nil {
					vals = append(vals, *v)
				}
			}
			refs[key{scheme, code}] = newPeerRef(vals, slices.Contains(lowerIsBetter, code))
		}
	}
	out := make(map[string]map[string]Gap, len(rows))
	for _, r := range rows {
		g := make(map[string]Gap, len(codes))
		behind := make([]float64, 2*len(codes)) // the row's distances, in one allocation
		for i, code := range codes {
			g[code] = refs[key{r.Scheme, code}].gap(value(r, code), behind[2*i:2*i+2])
		}
		out[r.Code] = g
	}
	return out
}

// peerRef is where the peers stand on one indicator: the best value and the median (nil: no
// peer was measured).
type peerRef struct {
	best, median *float64
	lower        bool
}

func newPeerRef(vals []float64, lower bool) *peerRef {
	ref := &peerRef{lower: lower}
	if len(vals) == 0 {
		return ref
	}
	sort.Float64s(vals)
	best := vals[len(vals)-1]
	if lower {
		best = vals[0]
	}
	median := vals[len(vals)/2]
	if len(vals)%2 == 0 {
		median = round2((vals[len(vals)/2-1] + vals[len(vals)/2]) / 2)
	}
	ref.best, ref.median = &best, &median
	return ref
}

// gap places v against the peers; into holds the two distances it points to.
func (ref *peerRef) gap(v *float64, into []float64) Gap {
	g := Gap{Value: v}
	if ref == nil || ref.best == nil {
		return g
	}
	g.Best, g.Median = ref.best, ref.median
	if v != nil {
		to := func(r float64, at *float64) *float64 {
			d := r - *v
			if ref.lower {
				d = -d
			}
			*at = round2(d)
			return at
		}
		g.ToBest, g.ToMedian = to(*ref.best, &into[0]), to(*ref.median, &into[1])
	}
	return g
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
