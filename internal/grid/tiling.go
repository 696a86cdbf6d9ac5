package grid

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// tiling finds how the grids of one community fit together, topologically:
// vertices closer than eps are welded, edges are cut where another grid's
// vertex touches them (T-junctions), and an edge used by two grids is inner.
// The edges used once are the boundary of the community's union; traced
// into loops, the clockwise ones are holes in the union (gaps), and grids
// linked by inner edges form the contiguous pieces.
type tiling struct {
	points []orb.Point
	tree   rtree.RTreeG[int32]
}

// tilingResult is what Validate needs from a community's tiling.
type tilingResult struct {
	holes  []orb.Ring // closed rings around holes in the union of the grids
	pieces int        // connected pieces, grids linked by a shared edge
}

type edgeUse struct {
	from, to int32 // direction of the first use
	count    int
	grids    [2]int // the first two grids using it (indexes into polys)
}

func analyseTiling(polys []orb.Polygon) tilingResult {
	var t tiling
	rings := make([][][]int32, len(polys)) // per polygon, per ring: welded vertex ids, open
	for k, poly := range polys {
		for ri, r := range poly {
			rings[k] = append(rings[k], t.ringIDs(r, ri == 0))
		}
	}
	edges := make(map[uint64]*edgeUse)
	var order []uint64 // keys in first-seen order, for determinism
	for k := range rings {
		for _, ids := range rings[k] {
			for i := range ids {
				t.splitEdge(ids[i], ids[(i+1)%len(ids)], func(u, v int32) {
					key := undirectedKey(u, v)
					e := edges[key]
					if e == nil {
						e = &edgeUse{from: u, to: v}
						edges[key] = e
						order = append(order, key)
					}
					if e.count < 2 {
						e.grids[e.count] = k
					}
					e.count++
				})
			}
		}
	}
	pieces := newUnionFind(len(polys))
	var boundary []*edgeUse
	for _, key := range order {
		e := edges[key]
		if e.count == 1 {
			boundary = append(boundary, e)
		} else {
			pieces.union(e.grids[0], e.grids[1])
		}
	}
	res := tilingResult{pieces: pieces.sets}
	for _, loop := range t.traceLoops(boundary) {
		if loop.Orientation() == orb.CW {
			res.holes = append(res.holes, loop)
		}
	}
	return res
}

// ringIDs welds the ring's vertices and orients it: exterior
// counter-clockwise, holes clockwise, so that the union's outer boundary
// runs counter-clockwise and its holes clockwise.
func (t *tiling) ringIDs(r orb.Ring, exterior bool) []int32 {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	ids := make([]int32, 0, n)
	for _, p := range r[:n] {
		id := t.vertex(p)
		if len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	for len(ids) > 1 && ids[0] == ids[len(ids)-1] {
		ids = ids[:len(ids)-1]
	}
	if (r.Orientation() == orb.CCW) != exterior {
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	return ids
}

// vertex returns the id of the welded vertex at p, adding it if new.
func (t *tiling) vertex(p orb.Point) int32 {
	found := int32(-1)
	t.tree.Search([2]float64{p[0] - eps, p[1] - eps}, [2]float64{p[0] + eps, p[1] + eps},
		func(_, _ [2]float64, id int32) bool {
			found = id
			return false
		})
	if found >= 0 {
		return found
	}
	id := int32(len(t.points))
	t.points = append(t.points, p)
	t.tree.Insert(p, p, id)
	return id
}

// splitEdge calls emit for the pieces of edge u→v cut at every welded
// vertex lying on it.
func (t *tiling) splitEdge(u, v int32, emit func(u, v int32)) {
	if u == v {
		return
	}
	s := segment{t.points[u], t.points[v]}
	b := s.bound()
	type cut struct {
		t  float64
		id int32
	}
	var cuts []cut
	t.tree.Search([2]float64{b.Min[0] - eps, b.Min[1] - eps}, [2]float64{b.Max[0] + eps, b.Max[1] + eps},
		func(_, _ [2]float64, id int32) bool {
			if id != u && id != v && s.distance(t.points[id]) <= eps {
				if p := s.param(t.points[id]); p > 0 && p < 1 {
					cuts = append(cuts, cut{p, id})
				}
			}
			return true
		})
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].t < cuts[j].t })
	from := u
	for _, c := range cuts {
		emit(from, c.id)
		from = c.id
	}
	emit(from, v)
}

// traceLoops joins boundary edges into closed loops. At a vertex with
// several ways on, it takes the sharpest right turn, hugging the outside,
// so a hole that touches the outer boundary at one vertex is still a loop
// of its own. Edges that do not close a loop (only after overlaps) are dropped.
func (t *tiling) traceLoops(boundary []*edgeUse) []orb.Ring {
	out := make(map[int32][]int, len(boundary))
	for i, e := range boundary {
		out[e.from] = append(out[e.from], i)
	}
	used := make([]bool, len(boundary))
	var loops []orb.Ring
	for start := range boundary {
		if used[start] {
			continue
		}
		used[start] = true
		first := boundary[start]
		loop := orb.Ring{t.points[first.from], t.points[first.to]}
		prev, cur := first.from, first.to
		for cur != first.from {
			next := t.rightmost(prev, cur, out[cur], boundary, used)
			if next < 0 {
				loop = nil
				break
			}
			used[next] = true
			prev, cur = cur, boundary[next].to
			loop = append(loop, t.points[cur])
		}
		if len(loop) >= 4 {
			loops = append(loops, loop)
		}
	}
	return loops
}

// rightmost picks, among the unused boundary edges leaving cur, the one
// turning most to the right after arriving from prev; -1 when none is left.
func (t *tiling) rightmost(prev, cur int32, candidates []int, boundary []*edgeUse, used []bool) int {
	here := t.points[cur]
	inX, inY := here[0]-t.points[prev][0], here[1]-t.points[prev][1]
	best, bestAngle := -1, math.Inf(1)
	for _, c := range candidates {
		if used[c] {
			continue
		}
		to := t.points[boundary[c].to]
		outX, outY := to[0]-here[0], to[1]-here[1]
		// Signed turn angle: negative to the right, positive to the left.
		angle := math.Atan2(inX*outY-inY*outX, inX*outX+inY*outY)
		if angle < bestAngle {
			best, bestAngle = c, angle
		}
	}
	return best
}

func undirectedKey(u, v int32) uint64 {
	if u > v {
		u, v = v, u
	}
	return uint64(uint32(u))<<32 | uint64(uint32(v))
}

// unionFind counts connected sets.
type unionFind struct {
	parent []int
	sets   int
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int, n), sets: n}
	for i := range u.parent {
		u.parent[i] = i
	}
	return u
}

func (u *unionFind) find(i int) int {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

func (u *unionFind) union(a, b int) {
	if ra, rb := u.find(a), u.find(b); ra != rb {
		u.parent[ra] = rb
		u.sets--
	}
}
