package grid

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// lattice builds cols×rows quad grids tiling a rectangle whose south-west
// corner is (lon0, lat0), each about cell degrees wide. Inner corners are
// jittered deterministically and each edge carries perEdge extra vertices,
// shared by both neighbours, so the tiling is exact. Communities are blocks
// of block×block cells; grids are numbered inside them west→east,
// north→south, as the standard asks.
func lattice(cols, rows, perEdge, block int, lon0, lat0, cell float64) []Grid {
	corner := func(c, r int) orb.Point {
		p := orb.Point{lon0 + float64(c)*cell, lat0 + float64(r)*cell}
		if c > 0 && c < cols && r > 0 && r < rows {
			p[0] += jitter(c, r, 1) * 0.15 * cell
			p[1] += jitter(c, r, 2) * 0.15 * cell
		}
		return p
	}
	// edge returns the points strictly between corner a and b; bend is 0 on
	// the outer boundary so the extent stays a rectangle.
	edge := func(a, b orb.Point, key1, key2 int, outer bool) []orb.Point {
		pts := make([]orb.Point, perEdge)
		for k := range pts {
			f := float64(k+1) / float64(perEdge+1)
			bend := 0.0
			if !outer {
				bend = jitter(key1, key2, 3+k) * 0.05 * cell
			}
			dx, dy := b[0]-a[0], b[1]-a[1]
			n := math.Hypot(dx, dy)
			pts[k] = orb.Point{a[0] + f*dx - dy/n*bend, a[1] + f*dy + dx/n*bend}
		}
		return pts
	}
	// Edges are always built west→east or south→north, then reversed as needed.
	horizontal := func(c, r int) []orb.Point { return edge(corner(c, r), corner(c+1, r), 2*c, r, r == 0 || r == rows) }
	vertical := func(c, r int) []orb.Point { return edge(corner(c, r), corner(c, r+1), 2*c+1, r, c == 0 || c == cols) }
	reversed := func(pts []orb.Point) []orb.Point {
		out := make([]orb.Point, len(pts))
		for i, p := range pts {
			out[len(pts)-1-i] = p
		}
		return out
	}
	blocksPerRow := (cols + block - 1) / block
	blockRows := (rows + block - 1) / block
	var grids []Grid
	for br := 0; br < blockRows; br++ {
		for bc := 0; bc < blocksPerRow; bc++ {
			n := br*blocksPerRow + bc
			community := fmt.Sprintf("350503%03d%03d", n/30+1, n%30+1)
			number := 0
			// north→south, west→east inside the block
			for r := min((br+1)*block, rows) - 1; r >= br*block; r-- {
				for c := bc * block; c < min((bc+1)*block, cols); c++ {
					number++
					ring := orb.Ring{corner(c, r)}
					ring = append(ring, horizontal(c, r)...)
					ring = append(ring, corner(c+1, r))
					ring = append(ring, vertical(c+1, r)...)
					ring = append(ring, corner(c+1, r+1))
					ring = append(ring, reversed(horizontal(c, r+1))...)
					ring = append(ring, corner(c, r+1))
					ring = append(ring, reversed(vertical(c, r))...)
					ring = append(ring, corner(c, r))
					grids = append(grids, Grid{
						Code:          fmt.Sprintf("%s%03d", community, number),
						Name:          fmt.Sprintf("网格 %d", number),
						Kind:          KindBasic,
						CommunityCode: community,
						Geometry:      orb.Polygon{ring},
					})
				}
			}
		}
	}
	return grids
}

// jitter is a deterministic value in [-1, 1) from integer keys.
func jitter(a, b, c int) float64 {
	h := uint64(a)*0x9E3779B97F4A7C15 ^ uint64(b)*0xC2B2AE3D27D4EB4F ^ uint64(c)*0x165667B19E3779F9
	h ^= h >> 31
	h *= 0x94D049BB133111EB
	h ^= h >> 29
	return float64(h>>11)/float64(1<<53)*2 - 1
}

// knownFor lists the communities of grids as known, each in the
// subdistrict named by its code.
func knownFor(grids []Grid) Known {
	k := Known{Communities: map[string]string{}, Zones: map[string]string{}}
	for _, g := range grids {
		k.Communities[g.CommunityCode] = g.CommunityCode[:9]
	}
	return k
}

// square is a closed counter-clockwise square ring.
func square(lon, lat, size float64) orb.Ring {
	return orb.Ring{{lon, lat}, {lon + size, lat}, {lon + size, lat + size}, {lon, lat + size}, {lon, lat}}
}
