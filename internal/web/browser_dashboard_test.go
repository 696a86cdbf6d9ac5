package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// zoneGrid is a grid of a zone with a point inside it, for the dashboard's test cases.
type zoneGrid struct {
	zone, grid string
	lat, lng   float64
}

// zoneGrids finds, for each zone of the demo district, one grid and a point that lies in it (the
// middle of its outline, checked with the locate API).
func zoneGrids(t *testing.T, s *apptest.Server) []zoneGrid {
	t.Helper()
	leader := s.Login(t, "district.leader")
	var fc struct {
		Features []struct {
			Properties struct {
				Code     string `json:"code"`
				ZoneCode string `json:"zone_code"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if st := leader.Do("GET", "/api/v1/grids?format=geojson", nil, &fc); st != http.StatusOK {
		t.Fatalf("grids: %d", st)
	}
	found := map[string]zoneGrid{}
	for _, f := range fc.Features {
		z := f.Properties.ZoneCode
		if z == "" || found[z].grid != "" {
			continue
		}
		var ring [][]float64
		var poly [][][]float64
		var multi [][][][]float64
		if json.Unmarshal(f.Geometry.Coordinates, &poly) == nil && len(poly) > 0 {
			ring = poly[0]
		} else if json.Unmarshal(f.Geometry.Coordinates, &multi) == nil && len(multi) > 0 {
			ring = multi[0][0]
		}
		if len(ring) < 4 {
			continue
		}
		var lat, lng float64
		for _, p := range ring[:len(ring)-1] {
			lng += p[0]
			lat += p[1]
		}
		n := float64(len(ring) - 1)
		lat, lng = lat/n, lng/n
		var where struct {
			Inside bool `json:"inside"`
			Grid   struct {
				Code string `json:"code"`
			} `json:"grid"`
		}
		leader.Do("GET", fmt.Sprintf("/api/v1/grids/locate?lat=%.6f&lng=%.6f", lat, lng), nil, &where)
		if where.Inside && where.Grid.Code == f.Properties.Code {
			found[z] = zoneGrid{zone: z, grid: f.Properties.Code, lat: lat, lng: lng}
		}
	}
	var out []zoneGrid
	for _, g := range found {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].zone < out[j].zone })
	if len(out) != 8 {
		t.Fatalf("found a grid with a point inside for %d zones, want the demo district's 8", len(out))
	}
	return out
}

// importZoneCases imports closed cases of the last days into each zone: 12 in each of the first
// seven zones, a different number of them closed late in each (so the zones rank apart), and 3
// in the last (below the scheme's minimum sample of 10: listed, not ranked).
func importZoneCases(t *testing.T, s *apptest.Server, zones []zoneGrid, now time.Time) {
	t.Helper()
	beijing := time.FixedZone("CST", 8*3600)
	at := func(d time.Duration) string { return now.Add(d).In(beijing).Format(time.RFC3339) }
	var lines []string
	for zi, z := range zones {
		n := 12
		if zi == len(zones)-1 {
			n = 3
		}
		for i := 0; i < n; i++ {
			start := -6*24*time.Hour + time.Duration(zi*n+i)*time.Minute
			done := start + 2*time.Hour // on time
			if i < zi {
				done = start + 3*24*time.Hour // late: days past the handling limit
			}
			events := []map[string]any{
				{"action": "register", "at": at(start + 10*time.Minute)},
				{"action": "dispatch", "at": at(start + 20*time.Minute), "department_code": "350503D01"},
				{"action": "sign", "at": at(start + 30*time.Minute)},
				{"action": "report_back", "at": at(done)},
				{"action": "verify", "at": at(done + 10*time.Minute), "result": "pass"},
				{"action": "close", "at": at(done + 20*time.Minute)},
			}
			line, _ := json.Marshal(map[string]any{
				"external_id": fmt.Sprintf("DASH-%d-%d", zi, i), "channel": "patrol", "kind": "report",
				"category_code": "06010", "urgency": "normal", "lat": z.lat, "lng": z.lng,
				"description": fmt.Sprintf("驾驶舱测试案卷 %d-%d 暴露垃圾", zi, i), "reported_at": at(start), "events": events,
			})
			lines = append(lines, string(line))
		}
	}
	var rep struct{ Lines, Imported, Skipped int }
	if st, raw := s.Login(t, "sysadmin").Raw("POST", "/api/v1/import/cases", strings.Join(lines, "\n")+"\n"); st != http.StatusOK {
		t.Fatalf("import: %d %s", st, raw)
	} else if err := json.Unmarshal(raw, &rep); err != nil || rep.Imported != len(lines) {
		t.Fatalf("import: %s", raw)
	}
	if _, err := s.App.Eval.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDashboard: the district leader opens the dashboard on a big screen, sees the 8 zones
// ranked (the one with too few cases greyed, not ranked), drills down zone → grid → case with
// breadcrumbs and the back button, and sees a case reported meanwhile arrive in the live feed
// without a reload.
func TestBrowserDashboard(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	zones := zoneGrids(t, s)
	now := time.Now()
	importZoneCases(t, s, zones, now)
	b := startBrowser(t, s.URL)

	day := func(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly) }
	path := fmt.Sprintf("/dashboard?period=custom&from=%s&to=%s", day(now.AddDate(0, 0, -29)), day(now))

	tb := b.tab(t, 1920, 1080)
	tb.login("district.leader", apptest.DemoPassword)
	tb.open(path, "#dashboard")
	ready := `document.getElementById('dashboard').dataset.ready === 'true'`
	tb.waitFor(ready + ` && document.querySelectorAll('#zone-rank tbody tr[data-code]').length === 8`)

	// The zones ranked: seven with a rank 1…7 in order, the last greyed as too small to rank.
	ranks := eval[[]string](tb, `[...document.querySelectorAll('#zone-rank tbody tr')].map(r => r.dataset.rank)`)
	if strings.Join(ranks, ",") != "1,2,3,4,5,6,7," {
		t.Errorf("zone ranks %v, want 1…7 then the unranked zone", ranks)
	}
	last := zones[len(zones)-1].zone
	if got := eval[string](tb, `document.querySelector('#zone-rank tbody tr:last-child').dataset.code`); got != last {
		t.Errorf("last zone row %s, want the unranked %s", got, last)
	}
	if got := tb.text(`#zone-rank tbody tr:last-child`); !strings.Contains(got, "样本不足，不排名") {
		t.Errorf("unranked zone row %q", got)
	}
	if !eval[bool](tb, `getComputedStyle(document.querySelector('#zone-rank tbody tr:last-child td')).color !== getComputedStyle(document.querySelector('#zone-rank tbody tr:first-child td:nth-child(2)')).color`) {
		t.Error("the unranked zone is not greyed")
	}
	// The key figures count the imported cases; the map colours every grid; the charts drew.
	if got := tb.text("#dash-kpis"); !strings.Contains(got, "立案数87") {
		t.Errorf("key figures %q, want 87 cases registered", got)
	}
	if n := eval[int](tb, gridPaths); n < 150 {
		t.Errorf("the map shows %d grids, want the district's", n)
	}
	tb.waitFor(`document.getElementById('trend-chart').dataset.points === '12' && document.querySelector('#trend-chart svg')`)
	if got := tb.text("#dash-scheme"); !strings.Contains(got, "gbt30428-area") {
		t.Errorf("scheme shown %q", got)
	}
	if !eval[bool](tb, `document.documentElement.scrollWidth <= 1920`) {
		t.Error("the dashboard is wider than the big screen")
	}
	tb.shot("dashboard-1920")

	// The indicator picker offers every rate and recolours the map.
	if n := eval[int](tb, `document.querySelectorAll('#dash-rate option').length`); n != 16 {
		t.Errorf("indicator picker offers %d rates, want 16", n)
	}
	tb.do(chromedp.SetValue(chromedp.CSS("#dash-rate"), "overdue_rate"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('dash-rate').dispatchEvent(new Event('change'))`))
	tb.waitFor(ready + ` && document.getElementById('map-rate').textContent === '超期率' && location.search.includes('rate=overdue_rate')`)

	// Drill down: the first zone (the best) → its grids → the grid with the cases → a case.
	first := zones[0]
	tb.waitFor(`document.querySelector('#zone-rank tbody tr[data-rank="1"]')`)
	best := eval[string](tb, `document.querySelector('#zone-rank tbody tr[data-rank="1"]').dataset.code`)
	if best != first.zone {
		t.Errorf("zone ranked first %s, want %s (no late case)", best, first.zone)
	}
	tb.click(`#zone-rank tbody tr[data-code="` + first.zone + `"] .unit-link`)
	tb.waitFor(ready + ` && document.getElementById('dashboard').dataset.at === 'zone:` + first.zone + `'`)
	tb.waitFor(`document.getElementById('unit-table').dataset.ready === 'true' && document.querySelector('#unit-table tr[data-code="` + first.grid + `"]')`)
	if got := tb.text("#dash-crumbs"); !strings.Contains(got, "丰泽区") || !strings.Contains(got, "片区") {
		t.Errorf("breadcrumbs at the zone %q", got)
	}
	tb.click(`#unit-table tr[data-code="` + first.grid + `"] .unit-link`)
	tb.waitFor(ready + ` && document.getElementById('dashboard').dataset.at === 'grid:` + first.grid + `'`)
	tb.waitFor(`document.querySelectorAll('#unit-table tbody tr[data-id]').length === 12`)
	if n := eval[int](tb, `document.querySelectorAll('#dash-crumbs li').length`); n != 4 {
		t.Errorf("breadcrumbs at the grid: %d steps (%q), want district › subdistrict › zone › grid", n, tb.text("#dash-crumbs"))
	}
	if got := tb.text("#map-rate"); got != "超期率" {
		t.Errorf("the chosen indicator was lost on the way down: %q", got)
	}
	tb.shot("dashboard-grid")
	// The back button goes up to the zone, forward again to the grid.
	tb.do(chromedp.NavigateBack())
	tb.waitFor(ready + ` && document.getElementById('dashboard').dataset.at === 'zone:` + first.zone + `'`)
	tb.do(chromedp.NavigateForward())
	tb.waitFor(ready + ` && document.querySelectorAll('#unit-table tbody tr[data-id]').length === 12`)
	caseID := eval[string](tb, `document.querySelector('#unit-table tbody tr[data-id]').dataset.id`)
	tb.click(`#unit-table tbody tr[data-id="` + caseID + `"] .case-link`)
	tb.do(chromedp.WaitVisible(chromedp.CSS("#case-head")))
	if loc := tb.location(); !strings.HasSuffix(loc, "/cases/"+caseID) {
		t.Errorf("the case link led to %s", loc)
	}

	// The live feed: a case reported through the API appears on top, the page not reloaded.
	tb.open(path, "#dashboard")
	tb.waitFor(ready + ` && document.getElementById('live-feed').dataset.ready === 'true' && document.documentElement.dataset.live === 'open'`)
	tb.do(chromedp.Evaluate[chromedp.Void](`window.sameDashboard = true`))
	var c struct {
		ID     string `json:"id"`
		Number string `json:"number"`
	}
	donghai := zones[0] // the 东海 intake operator reports in 东海街道
	for _, z := range zones {
		if strings.HasPrefix(z.zone, "350503001") {
			donghai = z
			break
		}
	}
	if st := s.Login(t, "donghai.intake_operator").Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345",
		"category_code": "06010", "lat": donghai.lat, "lng": donghai.lng, "description": "驾驶舱实时测试：垃圾堆积"}, &c); st != http.StatusCreated {
		t.Fatalf("create case: %d", st)
	}
	tb.waitFor(`document.querySelector('#live-feed li:first-child')?.dataset.id === '` + c.ID + `'`)
	if !eval[bool](tb, `window.sameDashboard === true`) {
		t.Error("the page reloaded for the live feed")
	}
	if got := tb.text("#live-feed li:first-child"); !strings.Contains(got, c.Number) {
		t.Errorf("live item %q, want the number %s", got, c.Number)
	}
	tb.shot("dashboard-live")

	// In English through the language switch, same view.
	tb.do(chromedp.Click(chromedp.CSS("#lang-en")), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #zone-rank`)))
	tb.waitFor(ready + ` && document.documentElement.lang === 'en' && document.querySelectorAll('#zone-rank tbody tr[data-code]').length === 8`)
	if got := tb.text("#rank-title"); !strings.Contains(got, "Zones ranked") {
		t.Errorf("English heading %q", got)
	}
	if got := tb.text(`#zone-rank tbody tr:last-child`); !strings.Contains(got, "Too few cases to rank") {
		t.Errorf("English unranked row %q", got)
	}
	tb.shot("dashboard-en")

	// On a 1366×768 desktop the page stays within the screen's width.
	desk := b.tab(t, 1366, 768)
	desk.login("district.leader", apptest.DemoPassword)
	desk.open(path, "#dashboard")
	desk.waitFor(ready + ` && document.querySelectorAll('#zone-rank tbody tr[data-code]').length === 8`)
	if w := eval[int](desk, `document.documentElement.scrollWidth`); w > 1366 {
		t.Errorf("the dashboard is %d px wide on a 1366 px desktop", w)
	}
	desk.fullShot("dashboard-1366")

	// On a phone the panels stack in one column, within the screen.
	phone := b.tab(t, 390, 844)
	phone.login("district.leader", apptest.DemoPassword)
	phone.open(path, "#dashboard")
	phone.waitFor(ready + ` && document.querySelectorAll('#zone-rank tbody tr[data-code]').length === 8`)
	phone.fitsPhone("/dashboard")
}
