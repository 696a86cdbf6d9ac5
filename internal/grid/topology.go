package grid

import (
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// ringSegment is an edge that knows its ring and position, so that adjacent
// edges of the same ring are not taken for a crossing.
type ringSegment struct {
	segment
	ring, index, count int // ring number, edge number, edges in the ring
}

// selfIntersection finds two edges of a polygon (any of its rings) that cross
// properly (ProblemSelfIntersection), or that run along each other, such as an
// edge folding back over the previous one (ProblemSelfOverlap). It returns the
// problem kind, the lower ring number and a point.
func selfIntersection(poly orb.Polygon) (string, RingRef, orb.Point, bool) {
	kind, ring, p, bad, _ := selfIntersectionPairs(poly)
	return kind, ring, p, bad
}

// selfIntersectionPairs is selfIntersection that also counts the pairs of
// edges it compared. Each edge is compared only with the edges whose bounding
// boxes touch its own, found in an R-tree: a sweep along one axis compares
// every pair of a comb whose teeth span the same x range (10 000 positions:
// 44 million pairs, 4 s), the R-tree a few per edge.
func selfIntersectionPairs(poly orb.Polygon) (string, RingRef, orb.Point, bool, int) {
	var segs []ringSegment
	for ri, r := range poly {
		rs := ringSegments(r)
		for i, s := range rs {
			segs = append(segs, ringSegment{segment: s, ring: ri, index: i, count: len(rs)})
		}
	}
	var tree rtree.RTreeG[int]
	for i, s := range segs {
		b := s.bound()
		tree.Insert(b.Min, b.Max, i)
	}
	pairs := 0
	for i := range segs {
		s := &segs[i]
		b := s.bound()
		kind, ring, at, bad := "", RingRef(0), orb.Point{}, false
		tree.Search(orb.Point{b.Min[0] - eps, b.Min[1] - eps}, orb.Point{b.Max[0] + eps, b.Max[1] + eps}, func(_, _ [2]float64, j int) bool {
			if j <= i {
				return true
			}
			pairs++
			o := &segs[j]
			ring = RingRef(min(s.ring, o.ring))
			if !(s.ring == o.ring && adjacent(s.index, o.index, s.count)) {
				if p, ok := s.crosses(o.segment); ok {
					kind, at, bad = ProblemSelfIntersection, p, true
					return false
				}
			}
			if p, ok := s.overlapsAlong(o.segment); ok {
				kind, at, bad = ProblemSelfOverlap, p, true
				return false
			}
			return true
		})
		if bad {
			return kind, ring, at, true, pairs
		}
	}
	return "", 0, orb.Point{}, false, pairs
}

func adjacent(i, j, n int) bool {
	d := i - j
	if d < 0 {
		d = -d
	}
	return d <= 1 || d == n-1
}

// overlap reports whether the interiors of two polygons intersect, with a
// witness point. Sharing edges or vertices is not an overlap. The test:
// a proper edge crossing; else any vertex, or the middle of any piece of an
// edge cut where the other polygon's vertices touch it, strictly inside the
// other; else an interior point of one strictly inside the other (which
// catches identical polygons).
func overlap(a, b *shape) (orb.Point, bool) {
	if !boundsTouch(a.bound, b.bound) {
		return orb.Point{}, false
	}
	for _, s := range a.segments {
		sb := s.bound()
		if !boundsTouch(sb, b.bound) {
			continue
		}
		var at orb.Point
		crossed := false
		b.near(sb, func(o segment) bool {
			at, crossed = s.crosses(o)
			return !crossed
		})
		if crossed {
			return at, true
		}
	}
	if p, ok := boundaryInside(a, b); ok {
		return p, true
	}
	if p, ok := boundaryInside(b, a); ok {
		return p, true
	}
	for _, pair := range [2][2]*shape{{a, b}, {b, a}} {
		if p, ok := interiorPoint(pair[0].polygon); ok && pair[1].strictlyInside(p) {
			return p, true
		}
	}
	return orb.Point{}, false
}

// boundaryInside looks for a point of a's boundary strictly inside b,
// cutting each edge of a where a vertex of b touches it.
func boundaryInside(a, b *shape) (orb.Point, bool) {
	var cuts []float64
	for _, s := range a.segments {
		if !boundsTouch(s.bound(), b.bound) {
			continue
		}
		if b.strictlyInside(s.a) {
			return s.a, true
		}
		cuts = append(cuts[:0], 0, 1)
		// b's vertices near s are the ends of b's edges near s.
		b.near(s.bound(), func(o segment) bool {
			for _, v := range [2]orb.Point{o.a, o.b} {
				if s.distance(v) <= eps {
					if t := s.param(v); t > 0 && t < 1 {
						cuts = append(cuts, t)
					}
				}
			}
			return true
		})
		sort.Float64s(cuts)
		for i := 1; i < len(cuts); i++ {
			t := (cuts[i-1] + cuts[i]) / 2
			m := orb.Point{s.a[0] + t*(s.b[0]-s.a[0]), s.a[1] + t*(s.b[1]-s.a[1])}
			if b.strictlyInside(m) {
				return m, true
			}
		}
	}
	return orb.Point{}, false
}

func boundsTouch(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0]+eps && b.Min[0] <= a.Max[0]+eps &&
		a.Min[1] <= b.Max[1]+eps && b.Min[1] <= a.Max[1]+eps
}
