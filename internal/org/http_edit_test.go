package org_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// rebuilds counts the indicator rebuilds a move asked for.
type rebuilds struct{ n int }

func (r *rebuilds) Rebuild(context.Context) (int, error) { r.n++; return 0, nil }

func TestEditHandlers(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testEditHandlers(t, engine) })
	}
}

func testEditHandlers(t *testing.T, engine db.Engine) {
	e := setup(t, engine)
	indicators := &rebuilds{}
	mux := httpx.NewMux()
	(&org.HTTP{Org: e.org, Indicators: indicators, Now: func() time.Time { return now },
		R: &httpx.Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}).Register(mux)
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req = req.WithContext(access.WithPrincipal(req.Context(), access.SystemPrincipal("test")))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	// Bad bodies are refused with a clear 4xx, never a 500.
	for _, c := range []struct {
		body string
		want int
	}{
		{"{\"name\": \"a\u0000b\", \"name_en\": \"\"}", 400},
		{`{"name": "x"}`, 400},
		{`{"name": "x", "name_en": "", "code": "1"}`, 400},
		{`{"name": ` + `"` + strings.Repeat("长", 8000) + `", "name_en": ""}`, 413},
		{`not json`, 400},
		{`{"name": "东梅\u0000社区", "name_en": ""}`, 400},
		{`{"name": "东梅\n社区", "name_en": ""}`, 400},
		{`{"name": "东梅社区", "name_en": "Dong\u0007mei"}`, 400},
	} {
		if s, b := call("PATCH", "/api/v1/org/nodes/"+dongmei, c.body); s != c.want {
			t.Errorf("PATCH %.40q: %d %s, want %d", c.body, s, b, c.want)
		}
	}
	// Codes of no possible shape (NUL and all) are simply not found, on either engine.
	for _, path := range []string{"/api/v1/org/history/a%00b", "/api/v1/org/communities/%E4%B8%9C%00/grids"} {
		if s, b := call("GET", path, ""); s != 404 {
			t.Errorf("GET %s: %d %s", path, s, b)
		}
	}
	if s, b := call("PATCH", "/api/v1/org/grids/"+grid1, `{"zone_code": "Z\u0000"}`); s != 400 {
		t.Errorf("a NUL zone code: %d %s", s, b)
	}
	// Retiring a community in use says why, in the caller's language.
	if s, b := call("POST", "/api/v1/org/nodes/"+dongmei+"/retire", ""); s != 409 || !strings.Contains(b, "不能撤销") {
		t.Errorf("retire: %d %s", s, b)
	}
	if s, b := call("POST", "/api/v1/org/nodes/"+dongmei+"/retire?lang=en", ""); s != 409 || !strings.Contains(b, "cannot be retired") {
		t.Errorf("retire in English: %d %s", s, b)
	}
	// A department moves without cases: nothing to recompute.
	if s, b := call("POST", "/api/v1/org/nodes/"+donghai+"D01/move", `{"parent_code": "350503"}`); s != 200 || indicators.n != 0 {
		t.Errorf("move a department: %d %s, %d rebuilds", s, b, indicators.n)
	}
	// A community moves with its cases: the indicators are recomputed.
	s, b := call("POST", "/api/v1/org/nodes/"+dongmei+"/move", `{"parent_code": "`+chengdong+`"}`)
	var moved org.Moved
	if err := json.Unmarshal([]byte(b), &moved); s != 200 || err != nil || !moved.IndicatorsRun || moved.Cases != 2 || indicators.n != 1 {
		t.Errorf("move a community: %d %s, %d rebuilds", s, b, indicators.n)
	}
	if s, b := call("GET", "/api/v1/org/history/"+dongmei, ""); s != 200 || !strings.Contains(b, `"action":"move"`) {
		t.Errorf("history: %d %s", s, b)
	}
}
