package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// hostileName is a category name an administrator could type, or import from a CSV: markup that
// would run script if a page parsed it (the CSP would stop the handler, but not the markup).
const hostileName = `<img src=x onerror="document.body.dataset.pwned=1"><b>x</b>`

// TestBrowserTooltipShowsTextAsWritten: issue 10 item 8 (等保 2.0, GB/T 22239-2019 8.1.4.4:
// output is not interpreted as code). A category renamed to markup is shown in the report map's
// tooltip of nearby cases as the literal text, and no element is injected. Runs on SQLite only:
// the page does not depend on the engine.
func TestBrowserTooltipShowsTextAsWritten(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)

	admin := s.Login(t, "sysadmin")
	const path = "/api/v1/categories/event/06010"
	var c map[string]any
	if st := admin.Do("GET", path, nil, &c); st != http.StatusOK {
		t.Fatalf("get category: %d", st)
	}
	delete(c, "limits")
	c["name"] = hostileName
	if st, body := admin.Raw("PUT", path, c); st != http.StatusOK {
		t.Fatalf("rename category: %d %s", st, body)
	}
	// An open, registered (so public) case of that category some 200 m from where the resident stands.
	var open struct{ ID string }
	if st := s.Login(t, "resident1").Do("POST", "/api/v1/cases", map[string]any{"lat": 24.925, "lng": 118.575,
		"description": "路边垃圾堆放多日", "category_class": "event", "category_code": "06010"}, &open); st != http.StatusCreated {
		t.Fatalf("create case: %d", st)
	}
	for _, step := range []struct{ who, action string }{{"donghai.grid_worker", "confirm"}, {"donghai.shift_lead", "register"}} {
		if st, body := s.Login(t, step.who).Raw("POST", "/api/v1/cases/"+open.ID+"/actions/"+step.action, map[string]any{"result": "pass"}); st != http.StatusOK {
			t.Fatalf("%s: %d %s", step.action, st, body)
		}
	}

	resident := b.tab(t, 1200, 900)
	resident.geolocate(reportLat, reportLng)
	resident.login("resident1", apptest.DemoPassword)
	resident.open("/report", "#report-form")
	resident.waitFor(`document.querySelector('#where.where-ok')`)
	resident.waitFor(`document.getElementById('public-count').textContent.includes('1 件')`)
	nearby := `document.querySelector('.leaflet-overlay-pane path.leaflet-interactive[fill="#f0b429"]')`
	resident.waitFor(nearby)
	// Hover the marker as a mouse would: Leaflet opens the tooltip on mouseover.
	eval[bool](resident, nearby+`.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})) || true`)
	resident.waitFor(`document.querySelector('.leaflet-tooltip')`)

	tip := resident.text(".leaflet-tooltip")
	if !strings.Contains(tip, hostileName) {
		t.Errorf("tooltip shows %q, want the name as written %q", tip, hostileName)
	}
	var injected struct {
		Elements int    `json:"elements"`
		Pwned    string `json:"pwned"`
	}
	raw := eval[string](resident, `JSON.stringify({elements: document.querySelectorAll('.leaflet-tooltip img, .leaflet-tooltip b').length, pwned: document.body.dataset.pwned || ''})`)
	if err := json.Unmarshal([]byte(raw), &injected); err != nil {
		t.Fatal(err)
	}
	if injected.Elements != 0 || injected.Pwned != "" {
		t.Errorf("markup from a category name was injected into the page: %s", raw)
	}
}
