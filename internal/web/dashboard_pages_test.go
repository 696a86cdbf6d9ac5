package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// The dashboard page: open to the roles that steer (leader, shift lead, dispatcher), refused to
// the others, in the caller's language, starting at the caller's own unit, with ECharts served by
// the binary (no CDN).
func TestDashboardPage(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	for _, tc := range []struct {
		username, root string
	}{
		{"district.leader", `"root":{"kind":"district","code":"350503"`},
		{"donghai.leader", `"root":{"kind":"subdistrict","code":"350503001"`},
		{"donghai.shift_lead", `"root":{"kind":"subdistrict","code":"350503001"`},
		{"donghai.dispatcher", `"root":{"kind":"subdistrict","code":"350503001"`},
	} {
		token := s.Login(t, tc.username).Token
		p := fetch(t, s, "GET", "/dashboard", token)
		if p.status != http.StatusOK {
			t.Fatalf("%s: GET /dashboard %d", tc.username, p.status)
		}
		for _, want := range []string{tc.root, `id="zone-rank"`, `id="live-feed"`, `/static/vendor/echarts/echarts.min.js`,
			`/static/vendor/leaflet/leaflet.js`, `/static/js/dashboard.js`, "<h1 id=\"dash-title\">领导驾驶舱</h1>"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s: dashboard lacks %s", tc.username, want)
			}
		}
		if !strings.Contains(strings.Join(navLabels(t, p.body), ","), "领导驾驶舱") {
			t.Errorf("%s: dashboard not in the menu", tc.username)
		}
	}
	for _, username := range []string{"donghai.grid_worker", "donghai.intake_operator", "dept01.staff", "sysadmin", "resident1"} {
		token := s.Login(t, username).Token
		if p := fetch(t, s, "GET", "/dashboard", token); p.status != http.StatusForbidden {
			t.Errorf("%s: GET /dashboard %d, want 403", username, p.status)
		}
		if p := fetch(t, s, "GET", "/", token); strings.Contains(strings.Join(navLabels(t, p.body), ","), "领导驾驶舱") {
			t.Errorf("%s: dashboard in the menu", username)
		}
	}
	token := s.Login(t, "district.leader").Token
	en := fetch(t, s, "GET", "/dashboard", token, "Cookie", "lang=en")
	if !strings.Contains(en.body, `<html lang="en">`) || !strings.Contains(en.body, "Zones ranked") ||
		!strings.Contains(en.body, `"dashboard.live_empty":"Nothing new yet`) {
		t.Error("with lang=en the dashboard is not in English")
	}
	// The chart library is embedded and served as JavaScript.
	js := fetch(t, s, "GET", "/static/vendor/echarts/echarts.min.js", "")
	if js.status != http.StatusOK || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") || len(js.body) < 500_000 {
		t.Errorf("echarts.min.js: %d %s, %d bytes", js.status, js.header.Get("Content-Type"), len(js.body))
	}
}
