package grid

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

const (
	lon0 = 118.6
	lat0 = 24.9
	cell = 0.0015 // about 150 m
	unit = 0.001
)

// base is a clean 4×4 tiling of one community, 350503001001;
// cell (c, r), counted from the south-west, is base()[(3-r)*4+c].
func base() []Grid { return lattice(4, 4, 1, 4, lon0, lat0, cell) }

// box is a grid in its own community far from base(), made of the given rings in units.
func box(code string, rings ...orb.Ring) Grid {
	poly := orb.Polygon{}
	for _, r := range rings {
		moved := make(orb.Ring, len(r))
		for i, p := range r {
			moved[i] = orb.Point{lon0 + 0.1 + p[0]*unit, lat0 + p[1]*unit}
		}
		poly = append(poly, moved)
	}
	return Grid{Code: code, Kind: KindBasic, CommunityCode: code[:12], Geometry: poly}
}

func reversedRing(r orb.Ring) orb.Ring {
	out := slices.Clone(r)
	slices.Reverse(out)
	return out
}

func without(grids []Grid, drop ...int) []Grid {
	var out []Grid
	for i, g := range grids {
		if !slices.Contains(drop, i) {
			out = append(out, g)
		}
	}
	return out
}

func kindsOf(problems []Problem) []string {
	set := map[string]bool{}
	for _, p := range problems {
		set[p.Kind] = true
	}
	var kinds []string
	for k := range set {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

func TestValidate(t *testing.T) {
	const x, y = "350503002001", "350503002002" // communities of the boxes
	tests := []struct {
		name  string
		grids func() []Grid
		known func(Known) Known // adjusts knownFor(grids)
		want  []string          // problem kinds, sorted
	}{
		{name: "clean lattice", grids: base},
		{name: "clean T-junction", grids: func() []Grid {
			return []Grid{
				box(x+"001", square(0, 0, 2)),
				box(x+"002", square(2, 0, 1)),
				box(x+"003", square(2, 1, 1)),
			}
		}},
		{name: "clean enclave of another community in a hole", grids: func() []Grid {
			return []Grid{
				box(x+"001", square(0, 0, 3), reversedRing(square(1, 1, 1))),
				box(y+"001", square(1, 1, 1)),
			}
		}},
		{name: "clean clockwise exterior", grids: func() []Grid {
			return []Grid{box(x+"001", reversedRing(square(0, 0, 1))), box(x+"002", square(1, 0, 1))}
		}},
		{name: "missing code", want: []string{ProblemMissingCode}, grids: func() []Grid {
			g := base()
			g[0].Code = ""
			return g
		}},
		{name: "bad code lowercase", want: []string{ProblemBadCode}, grids: func() []Grid {
			g := base()
			g[0].Code = "35050300100100a"
			return g
		}},
		{name: "bad code short", want: []string{ProblemBadCode}, grids: func() []Grid {
			g := base()
			g[0].Code = "35050300100101"
			return g
		}},
		{name: "duplicate code", want: []string{ProblemDuplicateCode}, grids: func() []Grid {
			g := base()
			g[1].Code = g[0].Code
			return g
		}},
		{name: "community mismatch", want: []string{ProblemCommunityMismatch}, grids: func() []Grid {
			g := base()
			g[0].CommunityCode = "350503001002"
			return g
		}},
		{name: "unknown community", want: []string{ProblemUnknownCommunity}, grids: base,
			known: func(k Known) Known { delete(k.Communities, "350503001001"); return k }},
		{name: "unknown zone", want: []string{ProblemUnknownZone}, grids: func() []Grid {
			g := base()
			g[0].ZoneCode = "350503001Z09"
			return g
		}, known: func(k Known) Known { k.Zones["350503001Z01"] = "350503001"; return k }},
		{name: "zone of another subdistrict", want: []string{ProblemZoneOtherSubdistrict}, grids: func() []Grid {
			g := base()
			g[0].ZoneCode = "350503002Z01"
			return g
		}, known: func(k Known) Known { k.Zones["350503002Z01"] = "350503002"; return k }},
		{name: "bad kind", want: []string{ProblemBadKind}, grids: func() []Grid {
			g := base()
			g[0].Kind = "special"
			return g
		}},
		{name: "self intersection bowtie", want: []string{ProblemSelfIntersection}, grids: func() []Grid {
			return []Grid{box(x+"001", orb.Ring{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}})}
		}},
		{name: "self intersection hole crossing exterior", want: []string{ProblemSelfIntersection}, grids: func() []Grid {
			return []Grid{box(x+"001", square(0, 0, 2), reversedRing(square(1, 1, 2)))}
		}},
		{name: "ring not closed", want: []string{ProblemRingNotClosed}, grids: func() []Grid {
			g := box(x+"001", square(0, 0, 1))
			g.Geometry[0] = g.Geometry[0][:4]
			return []Grid{g}
		}},
		{name: "too few points", want: []string{ProblemTooFewPoints}, grids: func() []Grid {
			return []Grid{box(x+"001", orb.Ring{{0, 0}, {1, 0}, {0, 0}})}
		}},
		{name: "bad coordinates", want: []string{ProblemBadCoordinates}, grids: func() []Grid {
			g := box(x+"001", square(0, 0, 1))
			g.Geometry[0][1][0] = 200
			return []Grid{g}
		}},
		{name: "overlap crossing edges", want: []string{ProblemOverlap}, grids: func() []Grid {
			return []Grid{box(x+"001", square(0, 0, 2)), box(x+"002", square(1, 1, 2))}
		}},
		{name: "overlap containment", want: []string{ProblemOverlap}, grids: func() []Grid {
			return []Grid{box(x+"001", square(0, 0, 3)), box(y+"001", square(1, 1, 1))}
		}},
		{name: "overlap identical", want: []string{ProblemOverlap}, grids: func() []Grid {
			return []Grid{box(x+"001", square(0, 0, 1)), box(y+"001", square(0, 0, 1))}
		}},
		{name: "overlap along shared edges only", want: []string{ProblemOverlap}, grids: func() []Grid {
			return []Grid{box(x+"001", square(0, 0, 2)), box(x+"002", orb.Ring{{1, 0}, {3, 0}, {3, 2}, {1, 2}, {1, 0}})}
		}},
		{name: "overlap in the lattice", want: []string{ProblemOverlap}, grids: func() []Grid {
			g := base()
			extra := g[5]
			extra.Code = "350503001001099"
			return append(g, extra)
		}},
		{name: "overlap dragged vertex", want: []string{ProblemOverlap}, grids: func() []Grid {
			g := base()
			ring := slices.Clone(g[5].Geometry[0])
			ring[0] = orb.Point{ring[0][0] - cell/3, ring[0][1] - cell/3}
			ring[len(ring)-1] = ring[0]
			g[5].Geometry = orb.Polygon{ring}
			return g
		}},
		{name: "gap: missing inner cell", want: []string{ProblemGap}, grids: func() []Grid { return without(base(), 9) }},
		{name: "gap: hole of a grid left empty", want: []string{ProblemGap}, grids: func() []Grid {
			return []Grid{box(x+"001", square(0, 0, 3), reversedRing(square(1, 1, 1)))}
		}},
		{name: "gap touching the outside at a vertex", want: []string{ProblemGap}, grids: func() []Grid {
			return without(lattice(3, 3, 0, 3, lon0, lat0, cell), 4, 2)
		}},
		{name: "not contiguous: split by a missing row", want: []string{ProblemNotContiguous}, grids: func() []Grid {
			return without(base(), 8, 9, 10, 11)
		}},
		{name: "not contiguous: touching at a corner", want: []string{ProblemNotContiguous}, grids: func() []Grid {
			return []Grid{box(x+"001", square(0, 0, 1)), box(x+"002", square(1, 1, 1))}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grids := tt.grids()
			known := knownFor(grids)
			if tt.known != nil {
				known = tt.known(known)
			}
			problems := Validate(grids, known)
			if got := kindsOf(problems); !slices.Equal(got, tt.want) {
				t.Errorf("kinds = %v, want %v", got, tt.want)
				for _, p := range problems {
					t.Log(p.Message("en"))
				}
			}
			for _, p := range problems {
				for _, lang := range []string{"zh-CN", "en"} {
					if m := p.Message(lang); strings.Contains(m, "%!") {
						t.Errorf("bad %s message: %s", lang, m)
					}
				}
				wantSeverity := SeverityError
				if p.Kind == ProblemGap || p.Kind == ProblemNotContiguous {
					wantSeverity = SeverityWarning
				}
				if p.Severity != wantSeverity {
					t.Errorf("%s has severity %s", p.Kind, p.Severity)
				}
			}
		})
	}
}

func TestValidateGapLocation(t *testing.T) {
	grids := base()
	hole := grids[9].Geometry
	problems := Validate(without(grids, 9), knownFor(grids))
	if len(problems) != 1 {
		t.Fatalf("problems = %v", problems)
	}
	p := problems[0]
	if p.Feature != -1 || p.Args[0] != "350503001001" {
		t.Errorf("gap problem = %+v", p)
	}
	area := p.Args[1].(float64)
	if area < 15000 || area > 40000 {
		t.Errorf("gap area %v m², want about one 150 m cell", area)
	}
	at := orb.Point{p.Args[2].(float64), p.Args[3].(float64)}
	if !newShape(hole).strictlyInside(at) {
		t.Errorf("gap located at %v, outside the missing cell", at)
	}
}

func TestValidateReportsOverlapOncePerPair(t *testing.T) {
	grids := []Grid{
		box("350503002001001", square(0, 0, 2)),
		box("350503002001002", square(1, 1, 2)),
	}
	problems := Validate(grids, Known{})
	if len(problems) != 1 || problems[0].Feature != 1 || problems[0].Args[0] != FeatureRef(0) {
		t.Fatalf("problems = %+v", problems)
	}
	want := "第 2 个要素（350503002001002）：与第 1 个要素（350503002001001）重叠，例如在 (118.702, 24.901) 处"
	if got := problems[0].Message("zh-CN"); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestValidateNilGeometryChecksCodesOnly(t *testing.T) {
	grids := []Grid{{Code: "bad", Kind: KindBasic}}
	if got := kindsOf(Validate(grids, Known{})); !slices.Equal(got, []string{ProblemBadCode}) {
		t.Errorf("kinds = %v", got)
	}
}

// TestValidateLargeTiling checks a realistic file of 2 000 grids in 20
// communities is clean.
func TestValidateLargeTiling(t *testing.T) {
	grids := lattice(50, 40, 3, 10, lon0, lat0, cell)
	if problems := Validate(grids, knownFor(grids)); len(problems) != 0 {
		t.Fatalf("%d problems, first: %s", len(problems), problems[0].Message("en"))
	}
}

func BenchmarkValidate20k(b *testing.B) {
	grids := lattice(200, 100, 3, 10, lon0, lat0, cell)
	known := knownFor(grids)
	b.ResetTimer()
	for b.Loop() {
		if problems := Validate(grids, known); len(problems) != 0 {
			b.Fatal(problems[0].Message("en"))
		}
	}
}
