package calendar

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// apiServer serves the calendar routes alone; the caller is named by the X-Test-As header
// (the real server signs callers in with its auth middleware, tested in internal/app).
func apiServer(t *testing.T, d *db.DB) *httptest.Server {
	mux := httpx.NewMux()
	rs := &httpx.Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	(&HTTP{Calendar: &Service{DB: d, Now: time.Now}, R: rs}).Register(mux)
	callers := map[string]*access.Principal{"sysadmin": districtSysAdmin, "donghai.sysadmin": subdistrictSysAdmin, "resident1": resident}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := callers[r.Header.Get("X-Test-As")]; p != nil {
			r = r.WithContext(access.WithPrincipal(r.Context(), p))
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, srv *httptest.Server, who, method, path, body string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Test-As", who)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %q: %v", method, path, raw, err)
	}
	return resp.StatusCode, out
}

func TestHTTPReadAndReplace(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		srv := apiServer(t, d)
		status, y := call(t, srv, "resident1", "GET", "/api/v1/calendar/2026", "")
		if status != 200 || y["origin"] != "builtin" || len(y["holidays"].([]any)) != 33 {
			t.Fatalf("GET 2026: %d %v", status, y)
		}
		for _, path := range []string{"/api/v1/calendar/1999", "/api/v1/calendar/abcd", "/api/v1/calendar/02026"} {
			if status, body := call(t, srv, "resident1", "GET", path, ""); status != 400 || body["key"] != "calendar.bad_year" {
				t.Errorf("GET %s: %d %v", path, status, body)
			}
		}
		if status, body := call(t, srv, "", "GET", "/api/v1/calendar/2026", ""); status != 401 {
			t.Errorf("anonymous GET: %d %v", status, body)
		}

		// What GET answers can be sent back as is (origin included).
		raw, _ := json.Marshal(y)
		for _, who := range []string{"resident1", "donghai.sysadmin"} {
			if status, body := call(t, srv, who, "PUT", "/api/v1/calendar/2026", string(raw)); status != 403 {
				t.Errorf("PUT as %s: %d %v", who, status, body)
			}
		}
		status, stored := call(t, srv, "sysadmin", "PUT", "/api/v1/calendar/2026", string(raw))
		if status != 200 || stored["origin"] != "stored" || len(stored["workdays"].([]any)) != 6 {
			t.Fatalf("PUT as sysadmin: %d %v", status, stored)
		}
		if status, body := call(t, srv, "sysadmin", "PUT", "/api/v1/calendar/2027", string(raw)); status != 400 || body["key"] != "calendar.year_mismatch" {
			t.Errorf("year mismatch: %d %v", status, body)
		}
		if status, body := call(t, srv, "sysadmin", "PUT", "/api/v1/calendar/2026", `{"year": 2026, "holidays": [], "extra": 1}`); status != 400 || body["key"] != "request.unknown_field" {
			t.Errorf("unknown field: %d %v", status, body)
		}

		// A bad year: 400, the message lists every bad date, each a detail, in the caller's language.
		bad := `{"year": 2026, "holidays": [{"date": "2026-02-30", "name": "x"}, {"date": "2025-10-01", "name": "国庆节"}],
			"workdays": [{"date": "2026-03-03", "name": "x"}], "hours": [{"start": "08:30", "end": "12:00"}, {"start": "11:00", "end": "17:30"}]}`
		status, body := call(t, srv, "sysadmin", "PUT", "/api/v1/calendar/2026", bad)
		msg, _ := body["message"].(string)
		details, _ := body["details"].([]any)
		if status != 400 || body["key"] != "calendar.invalid" || len(details) != 4 ||
			!strings.Contains(msg, "4 处错误") || !strings.Contains(msg, "2026-02-30") || !strings.Contains(msg, "2025-10-01") ||
			!strings.Contains(msg, "2026-03-03") || !strings.Contains(msg, "作息时间中的时段 11:00–17:30") {
			t.Errorf("bad year (zh): %d %v", status, body)
		}
		_, body = call(t, srv, "sysadmin", "PUT", "/api/v1/calendar/2026?lang=en", bad)
		if msg, _ := body["message"].(string); !strings.HasPrefix(msg, "The work calendar has 4 errors") || !strings.Contains(msg, `date "2026-02-30" is invalid`) {
			t.Errorf("bad year (en): %v", body)
		}
		if _, after := call(t, srv, "resident1", "GET", "/api/v1/calendar/2026", ""); len(after["holidays"].([]any)) != 33 {
			t.Error("a refused PUT changed the year")
		}
	})
}

func TestHTTPCheck(t *testing.T) {
	srv := apiServer(t, dbtest.Open(t, db.SQLite))
	get := func(query string) (int, map[string]any) {
		return call(t, srv, "resident1", "GET", "/api/v1/calendar/2026/check?"+query, "")
	}
	// 11:00 on the last working day before 国庆 + 1 working day = 11:00 on 10-08.
	status, body := get("start=2026-09-30T03:00:00Z&value=1&unit=days")
	if status != 200 || body["deadline"] != "2026-10-08T03:00:00Z" || body["deadline_local"] != "2026-10-08T11:00:00+08:00" ||
		body["working_minutes"] != float64(390) {
		t.Errorf("check: %d %v", status, body)
	}
	status, body = get("start=2026-09-30T23:59:00%2B08:00&value=1&unit=hours")
	if status != 200 || body["deadline_local"] != "2026-10-08T09:30:00+08:00" || body["start"] != "2026-09-30T15:59:00Z" {
		t.Errorf("check with an offset: %d %v", status, body)
	}
	status, body = get("start=2026-03-02T02:00:00Z&value=0&unit=days")
	if status != 200 || body["deadline"] != nil || body["working_minutes"] != float64(0) {
		t.Errorf("no limit: %d %v", status, body)
	}
	for query, key := range map[string]string{
		"value=1&unit=days":                                 "request.missing_param",
		"start=2026-03-02&value=1&unit=days":                "request.bad_param",
		"start=2026-03-02T02:00:00Z&value=x&unit=days":      "request.bad_param",
		"start=2026-03-02T02:00:00Z&value=1&unit=weeks":     "calendar.bad_unit",
		"start=2026-03-02T02:00:00Z&value=1001&unit=days":   "calendar.bad_limit",
		"start=2026-03-02T02:00:00Z&value=-1&unit=hours":    "calendar.bad_limit",
		"start=2025-12-31T16:30:00Z&value=1&unit=hours":     "", // 00:30 on 2026-01-01 in Beijing: fine
		"start=2025-12-31T15:30:00Z&value=1&unit=hours":     "calendar.start_outside_year",
		"start=2026-03-02T02:00:00Z&value=10000&unit=hours": "",
	} {
		status, body := get(query)
		if key == "" && status != 200 || key != "" && (status != 400 || body["key"] != key) {
			t.Errorf("%s: %d %v, want %q", query, status, body, key)
		}
	}
	if status, _ := call(t, srv, "", "GET", "/api/v1/calendar/2026/check?start=2026-03-02T02:00:00Z&value=1&unit=days", ""); status != 401 {
		t.Errorf("anonymous check: %d", status)
	}
}
