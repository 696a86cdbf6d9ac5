// Package grid holds unit grids (单元网格): their GeoJSON form, the rules a
// set of grids must obey (codes, tiling without gaps or overlaps) and a
// point-location index. It is pure geometry: no database, no HTTP.
package grid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Kind is the kind of a unit grid.
type Kind string

const (
	KindBasic     Kind = "basic"     // 基础网格: household-based, with a grid worker
	KindDedicated Kind = "dedicated" // 专属网格: a school, hospital, park, market, company
)

// Limits of one feature's geometry (issue 10). A unit grid drawn by hand or traced from a
// survey has tens to a few hundred positions; MaxPositions leaves room for detailed boundaries
// while bounding the work and memory one feature can cost. MinRingAreaM2 refuses rings that
// enclose nothing: a grid of GB/T 30428.1 is an area (about 10 000 m²), and a ring under a square
// metre is a line, a point or a sliver left by a drawing mistake.
const (
	MaxPositions  = 10_000
	MinRingAreaM2 = 1.0
)

// Grid is one unit grid (单元网格).
type Grid struct {
	Code          string      // 15 characters: community code (12) + 3 digits
	Name          string      //
	Kind          Kind        //
	CommunityCode string      // 12 characters, equal to Code[:12]
	ZoneCode      string      // optional
	Households    int         // optional, 0 = unknown
	Geometry      orb.Polygon // WGS84 lon/lat; exterior ring first, then holes
	AreaM2        float64     // geodesic approximation, filled by Parse
}

// The GeoJSON shapes we read. orb/geojson is not used for decoding: it pulls
// in a BSON dependency and fails a whole collection on one bad geometry,
// while an import must report every bad feature by its index.
type (
	rawCollection struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	rawFeature struct {
		Type       string                     `json:"type"`
		Geometry   json.RawMessage            `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	rawGeometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
)

// Parse reads a GeoJSON FeatureCollection of unit grids. It returns one Grid
// per feature, in file order, so grids[i] is feature i; a feature whose
// geometry could not be read has a nil Geometry and at least one error
// problem. Feature properties: code, name, kind (default basic),
// community_code (default code[:12]), zone_code, households.
// Parse checks the file's structure only; Validate checks the rules.
func Parse(r io.Reader) ([]Grid, []Problem) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, []Problem{errorAt(-1, "", ProblemBadJSON, err.Error())}
	}
	var fc rawCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, []Problem{errorAt(-1, "", ProblemBadJSON, jsonErrorText(err))}
	}
	if fc.Type != "FeatureCollection" {
		return nil, []Problem{errorAt(-1, "", ProblemNotFeatureCollection, fc.Type)}
	}
	grids := make([]Grid, len(fc.Features))
	var problems []Problem
	for i, raw := range fc.Features {
		grids[i], problems = parseFeature(i, raw, problems)
	}
	return grids, problems
}

func parseFeature(i int, raw json.RawMessage, problems []Problem) (Grid, []Problem) {
	var f rawFeature
	if err := json.Unmarshal(raw, &f); err != nil || f.Type != "Feature" {
		return Grid{}, append(problems, errorAt(i, "", ProblemNotFeature))
	}
	var g Grid
	g, problems = parseProperties(i, f.Properties, problems)
	poly, geomProblems := parseGeometry(f.Geometry)
	for _, p := range geomProblems {
		p.Feature, p.Code = i, g.Code
		problems = append(problems, p)
	}
	if len(geomProblems) == 0 {
		g.Geometry = poly
		g.AreaM2 = geo.Area(poly)
	}
	return g, problems
}

func parseProperties(i int, props map[string]json.RawMessage, problems []Problem) (Grid, []Problem) {
	var g Grid
	text := func(name string) string {
		raw, ok := props[name]
		if !ok || isNull(raw) {
			return ""
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			problems = append(problems, errorAt(i, g.Code, ProblemBadProperty, name, string(clip(raw))))
		}
		return s
	}
	g.Code = text("code")
	g.Name = text("name")
	g.Kind = Kind(text("kind"))
	g.CommunityCode = text("community_code")
	g.ZoneCode = text("zone_code")
	if g.Kind == "" {
		g.Kind = KindBasic
	}
	if g.CommunityCode == "" && len(g.Code) >= 12 {
		g.CommunityCode = g.Code[:12]
	}
	if raw, ok := props["households"]; ok && !isNull(raw) {
		var n float64
		err := json.Unmarshal(raw, &n)
		if err != nil || n < 0 || n != math.Trunc(n) || n > math.MaxInt32 {
			problems = append(problems, errorAt(i, g.Code, ProblemBadProperty, "households", string(clip(raw))))
		} else {
			g.Households = int(n)
		}
	}
	return g, problems
}

// parseGeometry returns problems without Feature and Code; the caller fills them.
func parseGeometry(raw json.RawMessage) (orb.Polygon, []Problem) {
	if len(raw) == 0 || isNull(raw) {
		return nil, []Problem{errorAt(0, "", ProblemBadGeometryType, "null")}
	}
	var g rawGeometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, []Problem{errorAt(0, "", ProblemBadGeometryType, string(clip(raw)))}
	}
	var coords [][][]float64
	switch g.Type {
	case "Polygon":
		if err := json.Unmarshal(g.Coordinates, &coords); err != nil {
			return nil, []Problem{errorAt(0, "", ProblemBadCoordinates, string(clip(g.Coordinates)))}
		}
	case "MultiPolygon":
		var multi [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &multi); err != nil {
			return nil, []Problem{errorAt(0, "", ProblemBadCoordinates, string(clip(g.Coordinates)))}
		}
		if len(multi) != 1 {
			return nil, []Problem{errorAt(0, "", ProblemBadGeometryType, fmt.Sprintf("MultiPolygon (%d polygons)", len(multi)))}
		}
		coords = multi[0]
	default:
		return nil, []Problem{errorAt(0, "", ProblemBadGeometryType, fmt.Sprintf("%q", g.Type))}
	}
	if len(coords) == 0 {
		return nil, []Problem{errorAt(0, "", ProblemTooFewPoints, RingRef(0), 0)}
	}
	// Refused before any geometry is built from it.
	if n := positions(coords); n > MaxPositions {
		return nil, []Problem{errorAt(0, "", ProblemTooManyPoints, n, MaxPositions)}
	}
	poly := make(orb.Polygon, len(coords))
	for ri, ring := range coords {
		poly[ri] = make(orb.Ring, len(ring))
		for pi, pos := range ring {
			if len(pos) < 2 {
				return nil, []Problem{errorAt(0, "", ProblemBadCoordinates, fmt.Sprint(pos))}
			}
			poly[ri][pi] = orb.Point{pos[0], pos[1]}
		}
	}
	problems := checkPolygon(poly)
	return poly, problems
}

func positions[T any](rings [][]T) int {
	n := 0
	for _, r := range rings {
		n += len(r)
	}
	return n
}

// checkPolygon checks what a polygon needs before any geometry is computed
// on it: at most MaxPositions positions, finite coordinates in range, rings of
// at least 4 positions, closed. checkShape goes on from there.
// Rings are never closed silently: an open ring is usually a cut-off file.
func checkPolygon(poly orb.Polygon) []Problem {
	var problems []Problem
	if len(poly) == 0 {
		return []Problem{errorAt(0, "", ProblemTooFewPoints, RingRef(0), 0)}
	}
	rings := make([][]orb.Point, len(poly))
	for i, r := range poly {
		rings[i] = r
	}
	if n := positions(rings); n > MaxPositions {
		return []Problem{errorAt(0, "", ProblemTooManyPoints, n, MaxPositions)}
	}
	for ri, ring := range poly {
		for _, p := range ring {
			if !validPoint(p) {
				problems = append(problems, errorAt(0, "", ProblemBadCoordinates, fmt.Sprintf("[%v, %v]", p[0], p[1])))
				break
			}
		}
		if len(ring) < 4 {
			problems = append(problems, errorAt(0, "", ProblemTooFewPoints, RingRef(ri), len(ring)))
			continue
		}
		if ring[0] != ring[len(ring)-1] {
			problems = append(problems, errorAt(0, "", ProblemRingNotClosed, RingRef(ri)))
		}
	}
	return problems
}

func validPoint(p orb.Point) bool {
	lon, lat := p[0], p[1]
	return !math.IsNaN(lon) && !math.IsNaN(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// clip shortens a raw value for a message.
func clip(raw []byte) []byte {
	const max = 60
	raw = bytes.TrimSpace(raw)
	if len(raw) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(raw[cut]) {
			cut--
		}
		return append(raw[:cut:cut], "…"...)
	}
	return raw
}

func jsonErrorText(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("%s (byte %d)", se.Error(), se.Offset)
	}
	return err.Error()
}
