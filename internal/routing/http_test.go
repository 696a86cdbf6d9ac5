package routing_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/routing"
)

// fakeGrids places (24.9, 118.6) in a Donghai grid and everything else outside the district.
type fakeGrids struct{}

func (fakeGrids) Locate(_ context.Context, lat, lng float64) (grid.Location, error) {
	if lat == 24.9 && lng == 118.6 {
		return grid.Location{Inside: true, Grid: &grid.Summary{Code: "350503001001001", CommunityCode: "350503001001"}}, nil
	}
	return grid.Location{}, nil
}

var callers = map[string]context.Context{
	"resident":     as(access.Resident, districtPath),
	"sysadmin":     as(access.SysAdmin, districtPath),
	"sub.sysadmin": as(access.SysAdmin, subdistrictPath),
}

func server(t *testing.T, d *db.DB) *httptest.Server {
	e := setup(t, d)
	mux := httpx.NewMux()
	rs := &httpx.Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	(&routing.HTTP{Routing: e.routing, Categories: e.categories, Org: e.org, Grids: fakeGrids{}, Now: e.clock.Now, R: rs}).Register(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ctx, ok := callers[r.Header.Get("X-Test-Caller")]; ok {
			r = r.WithContext(ctx)
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, srv *httptest.Server, caller, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("X-Test-Caller", caller)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHTTP(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		srv := server(t, d)
		status, rules := call(t, srv, "resident", "GET", "/api/v1/routing/rules", "")
		if status != 200 || !strings.Contains(rules, `"id":"demo-noise-donghai-night"`) || !strings.Contains(rules, `"assisting":[]`) {
			t.Fatalf("list: %d %.300s", status, rules)
		}

		// The tester: the area × time rule, by org code, by point, by time.
		for _, tc := range []struct{ name, body, want string }{
			{"org code, off hours", `{"category_class":"event","category_code":"06028","org_code":"350503001","working":false}`,
				`"lead":"350503D11"`},
			{"org code, working hours", `{"category_code":"06028","org_code":"350503001","working":true}`, `"lead":"350503D04"`},
			{"point in Donghai, 22:00 China time", `{"category_code":"06028","lat":24.9,"lng":118.6,"at":"2026-07-01T22:00:00+08:00"}`,
				`"org_path":"/350503/350503001/350503001001/350503001001001/"`},
			{"point in Donghai, 22:00: the police", `{"category_code":"06028","lat":24.9,"lng":118.6,"at":"2026-07-01T22:00:00+08:00"}`,
				`"lead":"350503D11"`},
			{"point in Donghai, 10:00: ecology", `{"category_code":"06028","lat":24.9,"lng":118.6,"at":"2026-07-01T10:00:00+08:00"}`,
				`"lead":"350503D04"`},
			{"no place: not the area rule", `{"category_code":"06028","working":false}`, `"rule_id":"demo-noise"`},
			{"class found from the code", `{"category_code":"01001"}`, `"category_class":"event"`},
			{"component", `{"category_class":"component","category_code":"04002","urgency":"emergency"}`, `"lead":"350503D16"`},
		} {
			if status, body := call(t, srv, "resident", "POST", "/api/v1/routing/test", tc.body); status != 200 || !strings.Contains(body, tc.want) {
				t.Errorf("test %s: %d %s", tc.name, status, body)
			}
		}
		for _, tc := range []struct {
			name, body string
			want       int
		}{
			{"no code", `{"org_code":"350503001"}`, 400},
			{"unknown code", `{"category_code":"99999"}`, 404},
			{"wrong class", `{"category_class":"component","category_code":"06028"}`, 404},
			{"bad class", `{"category_class":"thing","category_code":"06028"}`, 400},
			{"department as place", `{"category_code":"06028","org_code":"350503D01"}`, 400},
			{"unknown place", `{"category_code":"06028","org_code":"350503999"}`, 404},
			{"outside the district", `{"category_code":"06028","lat":30,"lng":120}`, 400},
			{"lat without lng", `{"category_code":"06028","lat":24.9}`, 400},
			{"bad time", `{"category_code":"06028","at":"tonight"}`, 400},
			{"bad urgency", `{"category_code":"06028","urgency":"soon"}`, 400},
			{"unknown field", `{"category_code":"06028","grid":"x"}`, 400},
		} {
			if status, body := call(t, srv, "resident", "POST", "/api/v1/routing/test", tc.body); status != tc.want {
				t.Errorf("test %s: %d, want %d: %s", tc.name, status, tc.want, body)
			}
		}

		// Replacing the list: only a district-level sys_admin; a bad list names each bad rule.
		for _, caller := range []string{"resident", "sub.sysadmin"} {
			if status, _ := call(t, srv, caller, "PUT", "/api/v1/routing/rules", rules); status != 403 {
				t.Errorf("%s replaces the rules: %d", caller, status)
			}
		}
		bad := `{"rules":[{"name":"ok","department_code":"350503D01"},{"name":"","department_code":"350503D99","time_window":"night"}]}`
		status, body := call(t, srv, "sysadmin", "PUT", "/api/v1/routing/rules", bad)
		if status != 400 || !strings.Contains(body, `"line":2`) || !strings.Contains(body, "部门“350503D99”不存在") || !strings.Contains(body, "时段“night”无效") {
			t.Errorf("bad list: %d %s", status, body)
		}
		if status, _ := call(t, srv, "sysadmin", "PUT", "/api/v1/routing/rules", `{}`); status != 400 {
			t.Errorf("missing rules: %d", status)
		}
		// Sending back what was read saves the same list.
		status, body = call(t, srv, "sysadmin", "PUT", "/api/v1/routing/rules", rules)
		if status != 200 || body != rules {
			t.Errorf("round trip: %d\n%.300s\n%.300s", status, body, rules)
		}
	})
}
