package app_test

import (
	"testing"
)

// Scope scenarios of the base map. It is the same for every signed-in account, whatever its role
// and node (the tiles show the whole district, like a paper map on the wall); an anonymous
// caller gets neither the configuration nor the tiles the binary serves (/tiles/ is outside
// /api/, so the module checks the session itself).
func init() {
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/map/config", check: func(t *testing.T, f *fixture) {
			var first string
			for _, name := range accounts {
				status, body := raw(t, f.clients[name], "GET", "/api/v1/map/config", nil)
				if status != 200 || (first != "" && body != first) {
					t.Errorf("%s reads the base map: %d %.200s (first account read %.200s)", name, status, body, first)
				}
				if first == "" {
					first = body
				}
			}
			for _, path := range []string{"/tiles/12/3380/1780", "/tiles/base.pmtiles"} {
				if s, _ := raw(t, f.anonymous, "GET", path, nil); s != 401 {
					t.Errorf("anonymous %s: %d, want 401", path, s)
				}
			}
		}},
	)
}
