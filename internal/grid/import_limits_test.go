package grid_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// ringJSON writes positions as a GeoJSON polygon with one ring.
func ringJSON(points [][2]float64) string {
	var b strings.Builder
	b.WriteString("[[")
	for i, p := range points {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%.7f,%.7f]", p[0], p[1])
	}
	b.WriteString("]]")
	return b.String()
}

// circleJSON is a closed ring of n distinct positions, radius r degrees.
func circleJSON(lng, lat, r float64, n int) string {
	points := make([][2]float64, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		points = append(points, [2]float64{lng + r*math.Cos(a), lat + r*math.Sin(a)})
	}
	return ringJSON(append(points, points[0]))
}

// Issue 10 item 10: a file with a zero-area polygon, a bow-tie, a 200 000-position polygon and an
// unclosed ring is refused as a whole, each bad feature named with its reason in the caller's
// language, through the API and through `yiwang import grids`; the grid table is unchanged.
func TestImportRefusesDegenerateAndOversizeGeometry(t *testing.T) {
	good := feature("350503001001901", square(118.70, 24.90, 0.001))
	bad := []string{
		feature("350503001001902", `[[[118.71,24.90],[118.711,24.90],[118.712,24.90],[118.71,24.90]]]`),
		feature("350503001001903", `[[[118.72,24.90],[118.722,24.902],[118.722,24.90],[118.72,24.902],[118.72,24.90]]]`),
		feature("350503001001904", circleJSON(118.73, 24.90, 0.001, 200_000)),
		feature("350503001001905", `[[[118.74,24.90],[118.741,24.90],[118.741,24.901],[118.74,24.901]]]`),
	}
	file := `{"type":"FeatureCollection","features":[` + good + "," + strings.Join(bad, ",") + `]}`
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := srv.Login(t, "sysadmin")
			before := countGrids(t, srv)
			st, raw := sys.Raw("POST", "/api/v1/grids/import", file)
			body := string(raw)
			for _, want := range []string{"第 2 个要素（350503001001902）：外环几乎没有面积",
				"第 3 个要素（350503001001903）：外环自相交",
				"第 4 个要素（350503001001904）：多边形有 200001 个点，每个网格最多 10000 个",
				"第 5 个要素（350503001001905）：外环未闭合"} {
				if !strings.Contains(body, want) {
					t.Errorf("answer lacks %q", want)
				}
			}
			if st != 400 || strings.Contains(body, "第 1 个要素") {
				t.Errorf("bad file: %d %s", st, clipped(body))
			}
			st, raw = sys.Raw("POST", "/api/v1/grids/import?lang=en", file)
			if body := string(raw); st != 400 || !strings.Contains(body, "feature 3 (350503001001903): the outer ring crosses itself") ||
				!strings.Contains(body, "feature 2 (350503001001902): the outer ring encloses almost no area") {
				t.Errorf("bad file in English: %d %s", st, clipped(body))
			}
			created, updated, problems, err := srv.App.ImportGrids(context.Background(), strings.NewReader(file), io.Discard)
			errors := 0
			for _, p := range problems {
				if strings.HasPrefix(p, "[error]") {
					errors++
				}
			}
			if err == nil || created+updated != 0 || errors != 4 || !strings.HasPrefix(problems[0], "[error] 第 2 个要素") {
				t.Errorf("command line: created %d updated %d, err %v, problems %q", created, updated, err, problems)
			}
			if countGrids(t, srv) != before {
				t.Fatal("a refused file changed the grid table")
			}
			if st, raw := sys.Raw("POST", "/api/v1/grids/import", `{"type":"FeatureCollection","features":[`+good+`]}`); st != 200 {
				t.Fatalf("good file: %d %s", st, raw)
			}
			if countGrids(t, srv) != before+1 {
				t.Fatal("the good grid was not imported")
			}
		})
	}
}

func clipped(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
