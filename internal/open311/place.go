package open311

import (
	"context"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// place is where a report is: a point, or — when the client's address names only a subdistrict,
// a community or nothing yiwang knows — the node whose desk must locate it.
type place struct {
	located                bool
	lat, lng               float64
	subdistrict, community string
}

// The district's addressing system is its unit grids (GB/T 30428.1: 单元网格, 15-digit codes),
// inside the org tree: address_id is a grid code (or a community or subdistrict code), and the
// address_id of a located request is its grid's code.

// byAddressID resolves an address_id; ok is false when the district has no such place.
func (h *HTTP) byAddressID(ctx context.Context, id, district string) (place, bool, error) {
	if len(id) == 15 {
		lat, lng, ok, err := h.gridPoint(ctx, id)
		if err != nil || ok {
			return place{located: true, lat: lat, lng: lng}, ok, err
		}
	}
	n, err := h.Org.NodeByCode(ctx, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return place{}, false, nil
	}
	if err != nil {
		return place{}, false, err
	}
	if !strings.HasPrefix(n.Path, "/"+district+"/") {
		return place{}, false, nil
	}
	switch n.Kind {
	case org.District:
		return place{}, true, nil
	case org.Subdistrict:
		return place{subdistrict: n.Code}, true, nil
	case org.Community:
		return place{subdistrict: n.ParentCode, community: n.Code}, true, nil
	}
	return place{}, false, nil
}

// gridPoint finds a point inside a grid: its middle when that lies inside, else the first point
// of a lattice over its bounds that does (a concave grid).
func (h *HTTP) gridPoint(ctx context.Context, code string) (float64, float64, bool, error) {
	f, err := h.Grids.Get(ctx, code)
	if apperr.CodeOf(err) == apperr.NotFound {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	var geom struct {
		Coordinates [][][2]float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(f.Geometry, &geom); err != nil || len(geom.Coordinates) == 0 || len(geom.Coordinates[0]) == 0 {
		return 0, 0, false, err
	}
	ring := geom.Coordinates[0]
	minLng, minLat, maxLng, maxLat := ring[0][0], ring[0][1], ring[0][0], ring[0][1]
	for _, p := range ring {
		minLng, maxLng = min(minLng, p[0]), max(maxLng, p[0])
		minLat, maxLat = min(minLat, p[1]), max(maxLat, p[1])
	}
	const steps = 8
	candidates := [][2]float64{{(minLat + maxLat) / 2, (minLng + maxLng) / 2}}
	for i := 1; i < steps; i++ {
		for j := 1; j < steps; j++ {
			candidates = append(candidates, [2]float64{minLat + (maxLat-minLat)*float64(i)/steps, minLng + (maxLng-minLng)*float64(j)/steps})
		}
	}
	for _, c := range candidates {
		loc, err := h.Grids.Locate(ctx, c[0], c[1])
		if err != nil {
			return 0, 0, false, err
		}
		if loc.Inside && loc.Grid.Code == code {
			return c[0], c[1], true, nil
		}
	}
	return 0, 0, false, nil
}

// byAddress resolves an address_string against the names the district knows — unit grids,
// communities, subdistricts — taking the most specific name the address contains. A grid gives
// a point inside it; a community or subdistrict, or no match, leaves the report to be located.
func (h *HTTP) byAddress(ctx context.Context, address string) (place, error) {
	text := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, address)
	grids, err := h.Grids.List(ctx, grid.Filter{})
	if err != nil {
		return place{}, err
	}
	var best grid.Summary
	bestLevel, bestLen := 0, 0
	consider := func(level int, name string, g grid.Summary) {
		n := len([]rune(name))
		if n < 2 || !strings.Contains(text, name) {
			return
		}
		if level > bestLevel || (level == bestLevel && n > bestLen) {
			best, bestLevel, bestLen = g, level, n
		}
	}
	for _, g := range grids {
		consider(3, g.Name, g)
		consider(2, g.CommunityName, g)
		consider(1, g.SubdistrictName, g)
	}
	switch bestLevel {
	case 3:
		lat, lng, ok, err := h.gridPoint(ctx, best.Code)
		if err != nil || ok {
			return place{located: ok, lat: lat, lng: lng}, err
		}
		fallthrough
	case 2:
		return place{subdistrict: best.SubdistrictCode, community: best.CommunityCode}, nil
	case 1:
		return place{subdistrict: best.SubdistrictCode}, nil
	}
	return place{}, nil
}
