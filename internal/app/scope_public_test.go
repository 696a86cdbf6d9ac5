package app_test

import (
	"strings"
	"testing"
)

// Scope scenarios of the public view (issue 14). Its reads need no sign-in and answer everyone
// alike — the public view, never more for a signed-in caller; setting what the public sees is
// the desk's and the handling unit's, on the cases they reach.
func init() {
	number := func(t *testing.T, f *fixture, id string) string {
		var c struct{ Number string }
		f.clients["district.leader"].Do("GET", "/api/v1/cases/"+id, nil, &c)
		if c.Number == "" {
			t.Fatalf("no number for %s", id)
		}
		return c.Number
	}
	// get asks every account and an anonymous caller ("") alike.
	get := func(t *testing.T, f *fixture, path string, want int) map[string]string {
		bodies := map[string]string{}
		for _, name := range append([]string{""}, accounts...) {
			c := f.anonymous
			if name != "" {
				c = f.clients[name]
			}
			s, b := raw(t, c, "GET", path, nil)
			if s != want {
				t.Errorf("%q GET %s: %d, want %d", name, path, s, want)
			}
			bodies[name] = b
		}
		return bodies
	}
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/public/cases", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			registered, waiting, other := number(t, f, cf.dispatched), number(t, f, cf.mine), number(t, f, cf.other)
			for name, b := range get(t, f, "/api/v1/public/cases?limit=500", 200) {
				if !strings.Contains(b, registered) || strings.Contains(b, waiting) || strings.Contains(b, other) ||
					strings.Contains(b, "王先生") || showsPhone(b) {
					t.Errorf("%q: the public list is not the public view: %.300s", name, b)
				}
			}
		}},
		scenario{route: "GET /api/v1/public/cases/{number}", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			get(t, f, "/api/v1/public/cases/"+number(t, f, cf.dispatched), 200)
			get(t, f, "/api/v1/public/cases/"+number(t, f, cf.mine), 404)
			get(t, f, "/api/v1/public/cases/"+number(t, f, cf.other), 404)
		}},
		scenario{route: "GET /api/v1/public/photos/{photo}", check: func(t *testing.T, f *fixture) {
			// A photo nobody marked public, of a case not yet registered: hidden from all alike.
			get(t, f, "/api/v1/public/photos/"+casesOf(t, f).photo, 404)
		}},
		scenario{route: "GET /api/v1/public/grids", check: func(t *testing.T, f *fixture) {
			for name, b := range get(t, f, "/api/v1/public/grids", 200) {
				if !strings.Contains(b, `"FeatureCollection"`) || !strings.Contains(b, other) {
					t.Errorf("%q: public grids: %.200s", name, b)
				}
			}
		}},
		scenario{route: "GET /api/v1/public/figures", check: func(t *testing.T, f *fixture) {
			for name, b := range get(t, f, "/api/v1/public/figures", 200) {
				if !strings.Contains(b, `"subdistricts"`) || !strings.Contains(b, home) {
					t.Errorf("%q: public figures: %.200s", name, b)
				}
			}
		}},
		scenario{route: "PUT /api/v1/cases/{id}/publication", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			path := "/api/v1/cases/" + cf.dispatched + "/publication"
			body := map[string]any{"public_reply": "已安排修补"}
			publishers := []string{"donghai.intake_operator", "donghai.shift_lead", "donghai.dispatcher", "dept01.staff"}
			for _, name := range accounts {
				s, b := raw(t, f.clients[name], "PUT", path, body)
				switch {
				case contains(publishers, name) && s != 200:
					t.Errorf("%s set the public reply: %d %.200s", name, s, b)
				case !contains(publishers, name) && s != 403 && s != 404:
					t.Errorf("%s set the public reply: %d, want 403 or 404", name, s)
				}
			}
			if s, _ := raw(t, f.srv.Login(t, "chengdong.shift_lead"), "PUT", path, body); s != 404 {
				t.Errorf("another subdistrict's desk set the public reply: %d", s)
			}
			if s, _ := raw(t, f.anonymous, "PUT", path, body); s != 401 {
				t.Errorf("anonymous: %d", s)
			}
		}},
	)
	publicRoutes = append(publicRoutes, "GET /api/v1/public/cases", "GET /api/v1/public/cases/{number}",
		"GET /api/v1/public/photos/{photo}", "GET /api/v1/public/grids", "GET /api/v1/public/figures")
}
