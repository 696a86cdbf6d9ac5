package category_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// callers maps the X-Test-Caller header of a test request to the caller's role and node.
var callers = map[string]struct {
	role access.Role
	path string
}{
	"resident":     {access.Resident, districtPath},
	"sysadmin":     {access.SysAdmin, districtPath},
	"sub.sysadmin": {access.SysAdmin, subdistrictPath},
}

func server(t *testing.T, d *db.DB) (*category.Service, *httptest.Server) {
	s := loaded(t, d)
	mux := httpx.NewMux()
	rs := &httpx.Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	(&category.HTTP{Categories: s, R: rs}).Register(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := callers[r.Header.Get("X-Test-Caller")]; ok {
			r = r.WithContext(as(c.role, c.path))
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return s, srv
}

func call(t *testing.T, srv *httptest.Server, caller, method, path, contentType, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("X-Test-Caller", caller)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestHTTP(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		_, srv := server(t, d)
		const js = "application/json"

		status, body, _ := call(t, srv, "resident", "GET", "/api/v1/categories?class=event&major=06", "", "")
		var list struct {
			Count  int                        `json:"count"`
			Majors []category.MajorWithMinors `json:"majors"`
		}
		json.Unmarshal([]byte(body), &list)
		if status != 200 || len(list.Majors) != 1 || list.Majors[0].Name != "市容环境类" || list.Count != len(list.Majors[0].Minors) {
			t.Fatalf("list: %d %.300s", status, body)
		}
		garbage := list.Majors[0].Minors[9]
		if garbage.Code != "06010" || garbage.Limits[category.Normal][category.StageHandle] != (category.Limit{Value: 4, Unit: category.Hours}) ||
			garbage.Limits[category.Emergency][category.StageHandle] != (category.Limit{Value: 2, Unit: category.Hours}) {
			t.Errorf("06010 with limits: %+v", garbage)
		}
		if status, _, _ := call(t, srv, "resident", "GET", "/api/v1/categories?class=thing", "", ""); status != 400 {
			t.Errorf("bad class filter: %d", status)
		}
		if status, body, _ := call(t, srv, "resident", "GET", "/api/v1/categories/event/06028", "", ""); status != 200 || !strings.Contains(body, `"name":"噪声扰民"`) || !strings.Contains(body, `"limits":{`) {
			t.Errorf("get: %d %.300s", status, body)
		}
		for _, path := range []string{"/api/v1/categories/event/99999", "/api/v1/categories/thing/06028"} {
			if status, _, _ := call(t, srv, "resident", "GET", path, "", ""); status != 404 {
				t.Errorf("get %s: %d", path, status)
			}
		}

		// Create and update one category.
		newOne := `{"major_name":"本区自定义","name":"古厝保护","name_en":"Old-house protection","standard_ref":"local","keywords":["古厝"]}`
		for _, caller := range []string{"resident", "sub.sysadmin"} {
			if status, _, _ := call(t, srv, caller, "PUT", "/api/v1/categories/event/99001", js, newOne); status != 403 {
				t.Errorf("%s put: %d", caller, status)
			}
		}
		status, body, _ = call(t, srv, "sysadmin", "PUT", "/api/v1/categories/event/99001", js, newOne)
		if status != 201 || !strings.Contains(body, `"confirm_required":true`) || !strings.Contains(body, `"duplicate_window_hours":72`) {
			t.Fatalf("create: %d %s", status, body)
		}
		// Sending back what was read (with class, code, major_code) works; omitted settings are kept.
		var read map[string]any
		json.Unmarshal([]byte(body), &read)
		delete(read, "limits")
		read["name"], read["confirm_required"] = "古厝保护与修缮", false
		b, _ := json.Marshal(read)
		status, body, _ = call(t, srv, "sysadmin", "PUT", "/api/v1/categories/event/99001", js, string(b))
		if status != 200 || !strings.Contains(body, "古厝保护与修缮") || !strings.Contains(body, `"confirm_required":false`) {
			t.Errorf("update: %d %s", status, body)
		}
		status, body, _ = call(t, srv, "sysadmin", "PUT", "/api/v1/categories/event/99001", js, `{"name":"x","standard_ref":"local","duplicate_radius_m":-5}`)
		if status != 400 || !strings.Contains(body, "超出范围（0–5000）") || !strings.Contains(body, `"field":"duplicate_radius_m"`) {
			t.Errorf("bad radius: %d %s", status, body)
		}
		if status, _, _ := call(t, srv, "sysadmin", "PUT", "/api/v1/categories/event/99001", js, `{"code":"99002","name":"x","standard_ref":"local"}`); status != 400 {
			t.Errorf("code differs from the path: %d", status)
		}

		// Limits.
		status, body, _ = call(t, srv, "sysadmin", "PUT", "/api/v1/categories/event/99001/limits", js, `{"urgent":{"handle":{"value":6,"unit":"hours"}}}`)
		if status != 200 || !strings.Contains(body, `"handle":{"value":6,"unit":"hours"}`) {
			t.Errorf("put limits: %d %s", status, body)
		}
		status, body, _ = call(t, srv, "sysadmin", "PUT", "/api/v1/categories/event/99001/limits?lang=en", js, `{"urgent":{"handle":{"value":6,"unit":"minutes"}},"soon":{}}`)
		if status != 400 || !strings.Contains(body, "unit hours or days") || !strings.Contains(body, `urgency “soon” is not valid`) {
			t.Errorf("bad limits: %d %s", status, body)
		}
		if status, body, _ := call(t, srv, "sysadmin", "PUT", "/api/v1/categories/*/*/limits", js, `{"normal":{"sign":{"value":3,"unit":"hours"}}}`); status != 200 || !strings.Contains(body, `"sign":{"value":3,"unit":"hours"}`) {
			t.Errorf("put default limits: %d %s", status, body)
		}
		if _, body, _ := call(t, srv, "resident", "GET", "/api/v1/categories?class=component", "", ""); !strings.Contains(body, `"default_limits":{"emergency":`) || !strings.Contains(body, `"sign":{"value":3,"unit":"hours"}`) {
			t.Errorf("list shows no default limits: %.300s", body)
		}
		if status, _, _ := call(t, srv, "resident", "PUT", "/api/v1/categories/*/*/limits", js, `{"normal":{"sign":{"value":3,"unit":"hours"}}}`); status != 403 {
			t.Errorf("resident puts default limits: %d", status)
		}

		// Export, then import: a bad file is refused with its lines named, a good one imports.
		status, exported, header := call(t, srv, "resident", "GET", "/api/v1/categories.csv", "", "")
		if status != 200 || !strings.HasPrefix(header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(exported, "\ufeffclass,code,") || !strings.Contains(exported, "99001") {
			t.Fatalf("export: %d %s %.100q", status, header.Get("Content-Type"), exported)
		}
		bad := exported + "event,9901,99,本区自定义,,坏,,local,,,,true,50,72,true\n"
		status, body, _ = call(t, srv, "sysadmin", "POST", "/api/v1/categories/import", "text/csv", bad)
		lines := strings.Count(exported, "\n") + 1
		if status != 400 || !strings.Contains(body, `"line":`+itoa(lines)) || !strings.Contains(body, "分类代码“9901”无效") {
			t.Errorf("bad import: %d %.400s", status, body)
		}
		if status, _, _ := call(t, srv, "resident", "POST", "/api/v1/categories/import", "text/csv", exported); status != 403 {
			t.Errorf("resident imports: %d", status)
		}
		status, body, _ = call(t, srv, "sysadmin", "POST", "/api/v1/categories/import", "text/csv", exported)
		if status != 200 || !strings.Contains(body, `"imported":`+itoa(lines-2)) {
			t.Errorf("good import: %d %s", status, body)
		}
		huge := bytes.Repeat([]byte("x"), category.MaxCSVBytes+10)
		if status, body, _ := call(t, srv, "sysadmin", "POST", "/api/v1/categories/import", "text/csv", string(huge)); status != 400 || !strings.Contains(body, "文件过大") {
			t.Errorf("huge import: %d %.200s", status, body)
		}
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
