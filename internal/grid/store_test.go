package grid_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

func countGrids(t *testing.T, srv *apptest.Server) int {
	var n int
	if err := srv.App.DB.Read.QueryRow(`SELECT count(*) FROM grids`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// square returns a closed square ring as GeoJSON coordinates.
func square(lng, lat, size float64) string {
	return fmt.Sprintf(`[[[%[1]f,%[2]f],[%[3]f,%[2]f],[%[3]f,%[4]f],[%[1]f,%[4]f],[%[1]f,%[2]f]]]`, lng, lat, lng+size, lat+size)
}

func feature(code, coords string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{"code":%q,"name":"测试网格"},"geometry":{"type":"Polygon","coordinates":%s}}`, code, coords)
}

func TestImportIsAllOrNothingAndLocateFollows(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := srv.Login(t, "sysadmin")
			before := countGrids(t, srv)
			// A point east of the demo area is outside the district.
			var loc map[string]any
			sys.Do("GET", "/api/v1/grids/locate?lat=24.90&lng=118.70", nil, &loc)
			if loc["inside"] != false || !strings.Contains(fmt.Sprint(loc["message"]), "不在本区范围内") {
				t.Fatalf("outside answer: %v", loc)
			}
			// One good new grid outside the demo area plus bad features: nothing is imported and
			// each bad feature is named.
			good := feature("350503001001901", square(118.70, 24.90, 0.001))
			open := `{"type":"Feature","properties":{"code":"350503001001902"},"geometry":{"type":"Polygon","coordinates":[[[118.71,24.90],[118.711,24.90],[118.711,24.901],[118.71,24.901]]]}}`
			orphan := feature("350503999999001", square(118.72, 24.90, 0.001))
			overlap := feature("350503001001903", square(118.7005, 24.9005, 0.001))
			point := `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[118.6,24.9]}}`
			file := `{"type":"FeatureCollection","features":[` + strings.Join([]string{good, open, orphan, overlap, point}, ",") + `]}`
			st, raw := sys.Raw("POST", "/api/v1/grids/import", file)
			body := string(raw)
			if st != 400 || !strings.Contains(body, "第 2 个要素") || !strings.Contains(body, "350503999999") || !strings.Contains(body, "350503001001903") || !strings.Contains(body, "第 5 个要素") {
				t.Fatalf("bad file: %d %s", st, body)
			}
			if countGrids(t, srv) != before {
				t.Fatal("a rejected file was partly imported")
			}
			// A new grid overlapping a stored one is refused too.
			var stored struct {
				Geometry struct {
					Coordinates [][][2]float64 `json:"coordinates"`
				} `json:"geometry"`
			}
			sys.Do("GET", "/api/v1/grids/350503001001001", nil, &stored)
			var cx, cy float64
			ring := stored.Geometry.Coordinates[0]
			for _, p := range ring[:len(ring)-1] {
				cx, cy = cx+p[0]/float64(len(ring)-1), cy+p[1]/float64(len(ring)-1)
			}
			clash := feature("350503001001904", square(cx-0.0002, cy-0.0002, 0.0004))
			if st, raw := sys.Raw("POST", "/api/v1/grids/import", `{"type":"FeatureCollection","features":[`+clash+`]}`); st != 400 || !strings.Contains(string(raw), "350503001001") {
				t.Fatalf("overlap with a stored grid: %d %s", st, raw)
			}
			// The good grid alone imports, and locate finds it at once.
			if st, raw := sys.Raw("POST", "/api/v1/grids/import", `{"type":"FeatureCollection","features":[`+good+`]}`); st != 200 {
				t.Fatalf("good file: %d %s", st, raw)
			}
			loc = nil
			sys.Do("GET", "/api/v1/grids/locate?lat=24.9005&lng=118.7005", nil, &loc)
			g, _ := loc["grid"].(map[string]any)
			if loc["inside"] != true || g["code"] != "350503001001901" || g["subdistrict_code"] != "350503001" || g["community_name"] != "东梅社区" {
				t.Fatalf("locate the new grid: %v", loc)
			}
		})
	}
}

func TestExportImportRoundTripAndProgress(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	ctx := app.System(context.Background(), "test")
	var out strings.Builder
	if err := srv.App.Grids.Export(ctx, &out); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal([]byte(out.String()), &fc); err != nil || len(fc.Features) < 150 {
		t.Fatalf("export: %d features, %v", len(fc.Features), err)
	}
	var stages []string
	created, updated, problems, err := srv.App.ImportGrids(context.Background(), strings.NewReader(out.String()), &progressWriter{&stages})
	if err != nil || created != 0 || updated != len(fc.Features) || len(problems) != 0 {
		t.Fatalf("re-import of the export: created %d updated %d problems %v err %v", created, updated, problems, err)
	}
	joined := strings.Join(stages, "")
	if !strings.Contains(joined, "parse") || !strings.Contains(joined, "write") || !strings.Contains(joined, "100%") {
		t.Fatalf("no progress shown: %q", joined)
	}
}

type progressWriter struct{ lines *[]string }

func (p *progressWriter) Write(b []byte) (int, error) {
	*p.lines = append(*p.lines, string(b))
	return len(b), nil
}

func TestLocateRejectsBadCoordinates(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	c := srv.Login(t, "resident1")
	for _, q := range []string{"lat=91&lng=118", "lat=abc&lng=118", "lng=118", "lat=24.9&lng=NaN"} {
		if st, raw := c.Raw("GET", "/api/v1/grids/locate?"+q, nil); st != 400 {
			t.Errorf("%s: %d %s", q, st, raw)
		}
	}
}
