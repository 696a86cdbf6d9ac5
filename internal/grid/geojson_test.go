package grid

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// encodeGeoJSON writes grids as the FeatureCollection Parse reads.
func encodeGeoJSON(t testing.TB, grids []Grid) []byte {
	t.Helper()
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for _, g := range grids {
		props := map[string]any{"code": g.Code, "name": g.Name, "kind": g.Kind, "community_code": g.CommunityCode}
		if g.ZoneCode != "" {
			props["zone_code"] = g.ZoneCode
		}
		if g.Households != 0 {
			props["households"] = g.Households
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Properties: props,
			Geometry: map[string]any{"type": "Polygon", "coordinates": g.Geometry}})
	}
	data, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseRoundTrip(t *testing.T) {
	want := lattice(3, 2, 2, 3, lon0, lat0, cell)
	want[0].ZoneCode = "350503001Z01"
	want[1].Households = 420
	want[2].Kind = KindDedicated
	got, problems := Parse(bytes.NewReader(encodeGeoJSON(t, want)))
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d grids, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].AreaM2 < 20000 || got[i].AreaM2 > 30000 {
			t.Errorf("grid %d area %.0f m², want about 150 m × 166 m", i, got[i].AreaM2)
		}
		got[i].AreaM2 = 0
		if !gridsEqual(got[i], want[i]) {
			t.Errorf("grid %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func gridsEqual(a, b Grid) bool {
	ag, bg := a.Geometry, b.Geometry
	a.Geometry, b.Geometry = nil, nil
	return a.Code == b.Code && a.Name == b.Name && a.Kind == b.Kind && a.CommunityCode == b.CommunityCode &&
		a.ZoneCode == b.ZoneCode && a.Households == b.Households && ag.Equal(bg)
}

func TestParseDefaultsAndMultiPolygon(t *testing.T) {
	in := `{"type":"FeatureCollection","name":"x","features":[{"type":"Feature",
		"properties":{"code":"350503001001001","households":null},
		"geometry":{"type":"MultiPolygon","coordinates":[[[[118.6,24.9],[118.601,24.9],[118.601,24.901],[118.6,24.9]]]]}}]}`
	grids, problems := Parse(strings.NewReader(in))
	if len(problems) != 0 || len(grids) != 1 {
		t.Fatalf("grids %v, problems %v", grids, problems)
	}
	g := grids[0]
	if g.Kind != KindBasic || g.CommunityCode != "350503001001" || g.Households != 0 || len(g.Geometry) != 1 || g.AreaM2 <= 0 {
		t.Errorf("grid = %+v", g)
	}
}

const okRing = `[[118.6,24.9],[118.601,24.9],[118.601,24.901],[118.6,24.9]]`

// feature wraps a geometry and properties into a one-feature collection.
func feature(geometry, properties string) string {
	return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + properties +
		`,"geometry":` + geometry + `}]}`
}

func polygon(rings ...string) string {
	return `{"type":"Polygon","coordinates":[` + strings.Join(rings, ",") + `]}`
}

func TestParseProblems(t *testing.T) {
	const props = `{"code":"350503001001001"}`
	tests := []struct {
		name     string
		in       string
		kind     string
		feature  int
		hasGrids bool // one Grid per feature still returned
	}{
		{"empty input", ``, ProblemBadJSON, -1, false},
		{"truncated", `{"type":"FeatureCollection","features":[`, ProblemBadJSON, -1, false},
		{"array", `[1,2]`, ProblemBadJSON, -1, false},
		{"feature instead of collection", `{"type":"Feature"}`, ProblemNotFeatureCollection, -1, false},
		{"not a feature", `{"type":"FeatureCollection","features":[{"type":"Point"}]}`, ProblemNotFeature, 0, true},
		{"feature is a number", `{"type":"FeatureCollection","features":[7]}`, ProblemNotFeature, 0, true},
		{"code is a number", feature(polygon(okRing), `{"code":350503001001001}`), ProblemBadProperty, 0, true},
		{"households is text", feature(polygon(okRing), `{"code":"350503001001001","households":"400"}`), ProblemBadProperty, 0, true},
		{"households negative", feature(polygon(okRing), `{"code":"350503001001001","households":-1}`), ProblemBadProperty, 0, true},
		{"households fractional", feature(polygon(okRing), `{"code":"350503001001001","households":1.5}`), ProblemBadProperty, 0, true},
		{"point geometry", feature(`{"type":"Point","coordinates":[118.6,24.9]}`, props), ProblemBadGeometryType, 0, true},
		{"null geometry", feature(`null`, props), ProblemBadGeometryType, 0, true},
		{"geometry is text", feature(`"polygon"`, props), ProblemBadGeometryType, 0, true},
		{"multipolygon of two", feature(`{"type":"MultiPolygon","coordinates":[[`+okRing+`],[`+okRing+`]]}`, props), ProblemBadGeometryType, 0, true},
		{"ring not closed", feature(polygon(`[[118.6,24.9],[118.601,24.9],[118.601,24.901],[118.6,24.901]]`), props), ProblemRingNotClosed, 0, true},
		{"hole not closed", feature(polygon(`[[118.6,24.9],[118.61,24.9],[118.61,24.91],[118.6,24.9]]`, `[[118.605,24.901],[118.606,24.901],[118.606,24.902],[118.6055,24.902]]`), props), ProblemRingNotClosed, 0, true},
		{"too few points", feature(polygon(`[[118.6,24.9],[118.601,24.9],[118.6,24.9]]`), props), ProblemTooFewPoints, 0, true},
		{"no rings", feature(polygon(), props), ProblemTooFewPoints, 0, true},
		{"longitude out of range", feature(polygon(`[[218.6,24.9],[118.601,24.9],[118.601,24.901],[218.6,24.9]]`), props), ProblemBadCoordinates, 0, true},
		{"latitude out of range", feature(polygon(`[[118.6,-94.9],[118.601,24.9],[118.601,24.901],[118.6,-94.9]]`), props), ProblemBadCoordinates, 0, true},
		{"coordinate overflows", feature(polygon(`[[1e999,24.9],[118.601,24.9],[118.601,24.901],[1e999,24.9]]`), props), ProblemBadCoordinates, 0, true},
		{"coordinate is text", feature(polygon(`[["118.6",24.9],[118.601,24.9],[118.601,24.901],["118.6",24.9]]`), props), ProblemBadCoordinates, 0, true},
		{"position of one number", feature(polygon(`[[118.6],[118.601,24.9],[118.601,24.901],[118.6]]`), props), ProblemBadCoordinates, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grids, problems := Parse(strings.NewReader(tt.in))
			if len(problems) == 0 {
				t.Fatalf("no problem, want %s", tt.kind)
			}
			p := problems[0]
			if p.Kind != tt.kind || p.Feature != tt.feature || p.Severity != SeverityError {
				t.Errorf("problem = %+v, want kind %s on feature %d", p, tt.kind, tt.feature)
			}
			if tt.hasGrids && len(grids) != 1 {
				t.Errorf("got %d grids, want one per feature", len(grids))
			}
			if p.Kind != ProblemBadProperty && len(grids) == 1 && grids[0].Geometry != nil {
				t.Errorf("a bad geometry was kept: %v", grids[0].Geometry)
			}
		})
	}
}

func TestParseKeepsFeatureIndexes(t *testing.T) {
	good := lattice(2, 1, 0, 2, lon0, lat0, cell)
	data := encodeGeoJSON(t, good)
	// Put a broken feature between the two good ones.
	data = bytes.Replace(data, []byte(`},{"type":"Feature"`), []byte(`},{"type":"Feature","geometry":null},{"type":"Feature"`), 1)
	grids, problems := Parse(bytes.NewReader(data))
	if len(grids) != 3 || len(problems) != 1 || problems[0].Feature != 1 {
		t.Fatalf("grids %d, problems %+v", len(grids), problems)
	}
	if grids[0].Code != good[0].Code || grids[2].Code != good[1].Code || grids[1].Geometry != nil {
		t.Errorf("grids out of step with features: %q %q %q", grids[0].Code, grids[1].Code, grids[2].Code)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(encodeGeoJSON(f, lattice(2, 2, 1, 2, lon0, lat0, cell)))
	f.Add([]byte(feature(polygon(okRing), `{"code":"350503001001001","households":3}`)))
	f.Add([]byte(feature(`{"type":"MultiPolygon","coordinates":[[`+okRing+`]]}`, `{}`)))
	f.Add([]byte(feature(polygon(`[[0,0],[2,2],[2,0],[0,2],[0,0]]`), `{"code":"x"}`)))
	f.Add([]byte(feature(polygon(`[[0,0],[1,0],[1,1],[0,1],[0,0]]`, `[[0,0],[1,0],[1,1],[0,1],[0,0]]`), `null`)))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null,{},[],{"type":"Feature","geometry":{}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		grids, problems := Parse(bytes.NewReader(data))
		for _, p := range problems {
			if _, ok := templates[p.Kind]; !ok {
				t.Fatalf("unknown problem kind %q", p.Kind)
			}
			for _, lang := range []string{"zh-CN", "en"} {
				if m := p.Message(lang); strings.Contains(m, "%!") || !utf8.ValidString(m) && utf8.Valid(data) {
					t.Fatalf("bad message %q", m)
				}
			}
		}
		if slices.ContainsFunc(problems, func(p Problem) bool { return p.Feature < 0 }) {
			return
		}
		for _, g := range grids {
			if g.Geometry != nil && len(checkPolygon(g.Geometry)) != 0 {
				t.Fatalf("Parse kept an invalid geometry %v", g.Geometry)
			}
		}
		Validate(grids, Known{})
		ix := NewIndex(grids)
		ix.Locate(lon0, lat0)
	})
}
