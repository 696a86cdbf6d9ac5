package grid

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// circle is a closed ring of n distinct positions around (cx, cy), in units.
func circle(cx, cy, r float64, n int) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		ring = append(ring, orb.Point{cx + r*math.Cos(a), cy + r*math.Sin(a)})
	}
	return append(ring, ring[0])
}

// comb is a closed ring of 4·teeth+2 positions: a spine on the west and `teeth` long thin teeth
// pointing east. Every tooth edge spans almost the whole width, so a sweep along x alone
// compares every edge with every other.
func comb(teeth int) orb.Ring {
	h := 1.0 / float64(2*teeth)
	ring := orb.Ring{{0, 0}}
	for k := range teeth {
		y := float64(2*k) * h
		ring = append(ring, orb.Point{1, y}, orb.Point{1, y + h}, orb.Point{0.01, y + h}, orb.Point{0.01, y + 2*h})
	}
	return append(ring, orb.Point{0, 1}, orb.Point{0, 0})
}

// Issue 10 item 10: degenerate and oversize geometry is refused per feature, with the reason.
func TestValidateRefusesDegenerateGeometry(t *testing.T) {
	const x = "350503002001"
	tests := []struct {
		name string
		grid Grid
		want []string
	}{
		{"zero area: collinear", box(x+"001", orb.Ring{{0, 0}, {1, 0}, {2, 0}, {0, 0}}), []string{ProblemZeroArea}},
		{"zero area: one point repeated", box(x+"001", orb.Ring{{1, 1}, {1, 1}, {1, 1}, {1, 1}}), []string{ProblemZeroArea}},
		{"near-zero area: a sliver 1 mm wide", box(x+"001", orb.Ring{{0, 0}, {2, 0}, {2, 1e-5}, {0, 0}}), []string{ProblemZeroArea}},
		{"zero-area hole", box(x+"001", square(0, 0, 3), orb.Ring{{1, 1}, {2, 1}, {1.5, 1}, {1, 1}}), []string{ProblemZeroArea}},
		{"spike: an edge runs back over the last", box(x+"001", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {1, 2}, {1, 1}, {0, 1}, {0, 0}}), []string{ProblemSelfOverlap}},
		{"bow-tie", box(x+"001", orb.Ring{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}), []string{ProblemSelfIntersection}},
		{"unclosed ring", box(x+"001", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}}), []string{ProblemRingNotClosed}},
		{"too many positions", box(x+"001", circle(1, 1, 1, MaxPositions)), []string{ProblemTooManyPoints}},
		{"as many positions as allowed", box(x+"001", circle(1, 1, 1, MaxPositions-1)), nil},
		{"a 10 000-position comb is fine", box(x+"001", comb((MaxPositions-3)/4)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := Validate([]Grid{tt.grid}, Known{})
			if got := kindsOf(problems); !slices.Equal(got, tt.want) {
				t.Errorf("kinds = %v, want %v", got, tt.want)
			}
			for _, p := range problems {
				if p.Feature != 0 || p.Severity != SeverityError {
					t.Errorf("problem %+v: want an error on feature 0", p)
				}
				for _, lang := range []string{"zh-CN", "en"} {
					if m := p.Message(lang); strings.Contains(m, "%!") || !strings.Contains(m, x+"001") {
						t.Errorf("bad %s message: %s", lang, m)
					}
				}
			}
		})
	}
}

// A 200 000-position polygon is refused while the file is read, before any geometry is built.
func TestParseRefusesOversizeFeature(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"350503002001001"},"geometry":{"type":"Polygon","coordinates":[[`)
	for i, p := range circle(118.7, 24.9, 0.01, 200_000) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%.7f,%.7f]", p[0], p[1])
	}
	b.WriteString(`]]}}]}`)
	grids, problems := Parse(strings.NewReader(b.String()))
	if len(grids) != 1 || grids[0].Geometry != nil {
		t.Fatalf("the oversize geometry was kept")
	}
	if got := kindsOf(problems); !slices.Equal(got, []string{ProblemTooManyPoints}) {
		t.Fatalf("kinds = %v", got)
	}
	if m := problems[0].Message("zh-CN"); !strings.Contains(m, "200001") || !strings.Contains(m, "10000") {
		t.Errorf("message %q does not give the count and the limit", m)
	}
}

// The self-intersection check compares each edge only with the edges near it: on a comb,
// whose teeth all span the same x range, the number of pairs examined stays linear.
func TestSelfIntersectionExaminesFewPairs(t *testing.T) {
	ring := comb(2500)
	_, _, _, found, pairs := selfIntersectionPairs(orb.Polygon{ring})
	if found {
		t.Fatal("a comb does not cross itself")
	}
	if n := len(ring); pairs > 8*n {
		t.Fatalf("%d pairs examined for %d edges: quadratic", pairs, n)
	}
}

func BenchmarkSelfIntersection(b *testing.B) {
	for _, tc := range []struct {
		name string
		ring orb.Ring
	}{{"comb10k", comb(2499)}, {"circle10k", circle(0, 0, 1, 9999)}} {
		b.Run(tc.name, func(b *testing.B) {
			poly := orb.Polygon{tc.ring}
			for b.Loop() {
				if _, _, _, found := selfIntersection(poly); found {
					b.Fatal("crossed")
				}
			}
		})
	}
}

// neighbours are two grids of about 5 000 positions each that share a zigzag border: the
// worst case of the overlap and tiling checks within MaxPositions.
func neighbours(zigs int) []Grid {
	border := make(orb.Ring, 0, 2*zigs+1)
	for k := 0; k <= 2*zigs; k++ {
		border = append(border, orb.Point{1 + 0.1*float64(k%2), float64(k) / float64(2*zigs)})
	}
	west := orb.Ring{{0, 0}}
	west = append(west, border...)
	west = append(west, orb.Point{0, 1}, orb.Point{0, 0})
	east := orb.Ring{{2, 1}}
	east = append(east, reversedRing(border)...)
	east = append(east, orb.Point{2, 0}, orb.Point{2, 1})
	return []Grid{box("350503002001001", west), box("350503002001002", reversedRing(east))}
}

func BenchmarkValidateDetailedNeighbours(b *testing.B) {
	grids := neighbours(2490)
	for b.Loop() {
		if problems := Validate(grids, Known{}); len(problems) != 0 {
			b.Fatal(problems[0].Message("en"))
		}
	}
}

// Detailed neighbours sharing a 5 000-position border tile cleanly; pushing one vertex of one
// side's border across makes them overlap. (The indexed edge tests answer as the plain ones.)
func TestValidateDetailedNeighbours(t *testing.T) {
	grids := neighbours(2490)
	if problems := Validate(grids, Known{}); len(problems) != 0 {
		t.Fatalf("clean neighbours: %s", problems[0].Message("en"))
	}
	ring := slices.Clone(grids[0].Geometry[0])
	ring[1001][0] += 0.5 * unit // a tip of the zigzag, pushed east into the other grid
	grids[0].Geometry = orb.Polygon{ring}
	if got := kindsOf(Validate(grids, Known{})); !slices.Equal(got, []string{ProblemOverlap}) {
		t.Fatalf("kinds = %v, want an overlap", got)
	}
}
