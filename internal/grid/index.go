package grid

import (
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Located is the answer to "which grid is this point in".
type Located struct {
	Code, CommunityCode, ZoneCode string
}

// Index finds the grid containing a point. It is immutable once built and
// safe for concurrent use.
type Index struct {
	tree     rtree.RTreeG[int32]
	located  []Located
	polygons []orb.Polygon
}

// NewIndex builds an index of the grids that have a geometry. Grids are
// ordered by code, so a point on an edge shared by several grids resolves
// to the one with the lowest code.
func NewIndex(grids []Grid) *Index {
	sorted := make([]Grid, 0, len(grids))
	for _, g := range grids {
		if len(g.Geometry) > 0 && len(g.Geometry[0]) > 0 {
			sorted = append(sorted, g)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Code < sorted[j].Code })
	ix := &Index{
		located:  make([]Located, len(sorted)),
		polygons: make([]orb.Polygon, len(sorted)),
	}
	for i, g := range sorted {
		ix.located[i] = Located{Code: g.Code, CommunityCode: g.CommunityCode, ZoneCode: g.ZoneCode}
		ix.polygons[i] = g.Geometry
		b := g.Geometry.Bound()
		ix.tree.Insert(b.Min, b.Max, int32(i))
	}
	return ix
}

// Locate returns the grid containing the point (lng, lat), boundary
// included, and false when no grid contains it. A point inside a hole
// belongs to the grid filling the hole, if any.
func (ix *Index) Locate(lng, lat float64) (Located, bool) {
	p := orb.Point{lng, lat}
	best := int32(-1)
	ix.tree.Search(p, p, func(_, _ [2]float64, i int32) bool {
		if (best < 0 || i < best) && planar.PolygonContains(ix.polygons[i], p) {
			best = i
		}
		return true
	})
	if best < 0 {
		return Located{}, false
	}
	return ix.located[best], true
}

// Len is the number of grids in the index.
func (ix *Index) Len() int {
	return len(ix.located)
}
