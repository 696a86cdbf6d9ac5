package grid

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// ringSegment is an edge that knows its ring and position, so that adjacent
// edges of the same ring are not taken for a crossing.
type ringSegment struct {
	segment
	ring, index, count int // ring number, edge number, edges in the ring
	minX, maxX         float64
}

// selfIntersection finds two non-adjacent edges of a polygon (any of its
// rings) that cross properly. It sweeps edges sorted by their west end, so
// large rings stay fast. It returns the lower ring number and the point.
func selfIntersection(poly orb.Polygon) (RingRef, orb.Point, bool) {
	var segs []ringSegment
	for ri, r := range poly {
		rs := ringSegments(r)
		for i, s := range rs {
			segs = append(segs, ringSegment{segment: s, ring: ri, index: i, count: len(rs),
				minX: math.Min(s.a[0], s.b[0]), maxX: math.Max(s.a[0], s.b[0])})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX+eps; j++ {
			o := &segs[j]
			if s.ring == o.ring && adjacent(s.index, o.index, s.count) {
				continue
			}
			if p, ok := s.crosses(o.segment); ok {
				return RingRef(min(s.ring, o.ring)), p, true
			}
		}
	}
	return 0, orb.Point{}, false
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
		for _, o := range b.segments {
			if !boundsTouch(sb, o.bound()) {
				continue
			}
			if p, ok := s.crosses(o); ok {
				return p, true
			}
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
		for _, r := range b.polygon {
			for _, v := range r {
				if s.distance(v) <= eps {
					if t := s.param(v); t > 0 && t < 1 {
						cuts = append(cuts, t)
					}
				}
			}
		}
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
