package grid

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// eps is the distance, in degrees (about 0.1 mm), under which two points or
// a point and a segment count as touching. Grids drawn in different tools
// rarely share vertices to the last bit; crossings smaller than this are noise.
const eps = 1e-9

// segment is one edge of a ring.
type segment struct{ a, b orb.Point }

// ringSegments returns the edges of a ring, closing it implicitly and
// skipping zero-length edges.
func ringSegments(r orb.Ring) []segment {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	segs := make([]segment, 0, n)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		if a != b {
			segs = append(segs, segment{a, b})
		}
	}
	return segs
}

func (s segment) bound() orb.Bound {
	return orb.Bound{
		Min: orb.Point{math.Min(s.a[0], s.b[0]), math.Min(s.a[1], s.b[1])},
		Max: orb.Point{math.Max(s.a[0], s.b[0]), math.Max(s.a[1], s.b[1])},
	}
}

// side is the signed distance of p from the line through s: positive on the
// left, 0 within eps.
func (s segment) side(p orb.Point) float64 {
	dx, dy := s.b[0]-s.a[0], s.b[1]-s.a[1]
	length := math.Hypot(dx, dy)
	if length == 0 {
		return 0
	}
	d := (dx*(p[1]-s.a[1]) - dy*(p[0]-s.a[0])) / length
	if math.Abs(d) <= eps {
		return 0
	}
	return d
}

// param is where the projection of p falls along s: 0 at a, 1 at b.
func (s segment) param(p orb.Point) float64 {
	dx, dy := s.b[0]-s.a[0], s.b[1]-s.a[1]
	return ((p[0]-s.a[0])*dx + (p[1]-s.a[1])*dy) / (dx*dx + dy*dy)
}

// distance from p to the closest point of s.
func (s segment) distance(p orb.Point) float64 {
	t := math.Max(0, math.Min(1, s.param(p)))
	return math.Hypot(s.a[0]+t*(s.b[0]-s.a[0])-p[0], s.a[1]+t*(s.b[1]-s.a[1])-p[1])
}

// crosses reports whether s and o cross properly: each has its endpoints
// strictly on both sides of the other. Touching, T-junctions and collinear
// overlap are not proper crossings. It returns the crossing point.
func (s segment) crosses(o segment) (orb.Point, bool) {
	s1, s2 := s.side(o.a), s.side(o.b)
	if s1*s2 >= 0 {
		return orb.Point{}, false
	}
	o1, o2 := o.side(s.a), o.side(s.b)
	if o1*o2 >= 0 {
		return orb.Point{}, false
	}
	t := o1 / (o1 - o2)
	return orb.Point{s.a[0] + t*(s.b[0]-s.a[0]), s.a[1] + t*(s.b[1]-s.a[1])}, true
}

// overlapsAlong reports whether s and o lie on one line and share a piece
// longer than eps (a spike, or an edge drawn twice), with the middle of that
// piece. Meeting end to end is not sharing a piece.
func (s segment) overlapsAlong(o segment) (orb.Point, bool) {
	if s.side(o.a) != 0 || s.side(o.b) != 0 {
		return orb.Point{}, false
	}
	t1, t2 := s.param(o.a), s.param(o.b)
	lo, hi := math.Max(0, math.Min(t1, t2)), math.Min(1, math.Max(t1, t2))
	if (hi-lo)*math.Hypot(s.b[0]-s.a[0], s.b[1]-s.a[1]) <= eps {
		return orb.Point{}, false
	}
	t := (lo + hi) / 2
	return orb.Point{s.a[0] + t*(s.b[0]-s.a[0]), s.a[1] + t*(s.b[1]-s.a[1])}, true
}

// shape is a polygon prepared for repeated tests. Its edges are indexed in
// an R-tree, so each test looks only at the edges near the point or edge in
// question: two neighbouring grids of 5 000 positions each took 11 s to
// compare edge by edge (issue 10).
type shape struct {
	polygon  orb.Polygon
	segments []segment // of all rings
	rings    []int     // ring number of each segment
	bound    orb.Bound
	index    rtree.RTreeG[int] // segment numbers by bounding box
}

func newShape(poly orb.Polygon) *shape {
	s := &shape{polygon: poly, bound: poly.Bound()}
	for ri, r := range poly {
		for _, seg := range ringSegments(r) {
			b := seg.bound()
			s.index.Insert(b.Min, b.Max, len(s.segments))
			s.segments = append(s.segments, seg)
			s.rings = append(s.rings, ri)
		}
	}
	return s
}

// near calls fn with each edge whose bounding box comes within eps of b,
// until fn returns false.
func (s *shape) near(b orb.Bound, fn func(seg segment) bool) {
	s.index.Search(orb.Point{b.Min[0] - eps, b.Min[1] - eps}, orb.Point{b.Max[0] + eps, b.Max[1] + eps},
		func(_, _ [2]float64, i int) bool { return fn(s.segments[i]) })
}

// onBoundary reports whether p lies within eps of the shape's boundary.
func (s *shape) onBoundary(p orb.Point) bool {
	found := false
	s.near(orb.Bound{Min: p, Max: p}, func(seg segment) bool {
		found = seg.distance(p) <= eps
		return !found
	})
	return found
}

// contains is planar.PolygonContains (inside the exterior ring, in no hole)
// by casting a ray east of p through the indexed edges; points on the
// boundary may go either way.
func (s *shape) contains(p orb.Point) bool {
	inside := make([]bool, len(s.polygon))
	s.index.Search(p, orb.Point{s.bound.Max[0], p[1]}, func(_, _ [2]float64, i int) bool {
		seg := s.segments[i]
		if (seg.a[1] > p[1]) != (seg.b[1] > p[1]) {
			if x := seg.a[0] + (p[1]-seg.a[1])*(seg.b[0]-seg.a[0])/(seg.b[1]-seg.a[1]); x > p[0] {
				inside[s.rings[i]] = !inside[s.rings[i]]
			}
		}
		return true
	})
	if len(inside) == 0 || !inside[0] {
		return false
	}
	for _, inHole := range inside[1:] {
		if inHole {
			return false
		}
	}
	return true
}

// strictlyInside reports whether p is in the interior of the shape, not on its boundary.
func (s *shape) strictlyInside(p orb.Point) bool {
	return s.bound.Contains(p) && s.contains(p) && !s.onBoundary(p)
}

// interiorPoint returns a point strictly inside the region bounded by the
// rings (even-odd), found on a horizontal line through the widest band free
// of vertices, in the middle of the widest inside interval.
func interiorPoint(rings []orb.Ring) (orb.Point, bool) {
	var ys []float64
	for _, r := range rings {
		for _, p := range r {
			ys = append(ys, p[1])
		}
	}
	if len(ys) < 3 {
		return orb.Point{}, false
	}
	sort.Float64s(ys)
	y, widest := 0.0, 0.0
	for i := 1; i < len(ys); i++ {
		if gap := ys[i] - ys[i-1]; gap > widest {
			widest, y = gap, (ys[i]+ys[i-1])/2
		}
	}
	if widest == 0 {
		return orb.Point{}, false
	}
	var xs []float64
	for _, r := range rings {
		for _, s := range ringSegments(r) {
			if (s.a[1] > y) != (s.b[1] > y) {
				xs = append(xs, s.a[0]+(y-s.a[1])*(s.b[0]-s.a[0])/(s.b[1]-s.a[1]))
			}
		}
	}
	sort.Float64s(xs)
	x, width := 0.0, 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			width, x = w, (xs[i]+xs[i+1])/2
		}
	}
	if width == 0 {
		return orb.Point{}, false
	}
	return orb.Point{x, y}, true
}

// round6 rounds a coordinate to 6 decimals (about 0.1 m) for messages.
func round6(v float64) float64 {
	return math.Round(v*1e6) / 1e6
}
