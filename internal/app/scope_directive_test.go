package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Scope scenarios of directives (指令穿透): a directive of 城东 (issued by 城东's leader to one of
// its communities) is invisible to every 东海 account and every role without directive.read —
// list, read, coverage, targets and CAP answer 403 or 404 with nothing of it in the body — and
// nobody outside 城东 acknowledges for it or issues to 城东. The district's leader, whose reach
// holds 城东, reads it (and is the one account left out where reading is expected).

// directiveFixture is the 城东 directive of a fixture.
type directiveFixture struct{ id string }

var (
	directiveFixturesMu sync.Mutex
	directiveFixtures   = map[*fixture]*directiveFixture{}
)

func directiveOf(t *testing.T, f *fixture) *directiveFixture {
	t.Helper()
	directiveFixturesMu.Lock()
	defer directiveFixturesMu.Unlock()
	if df, ok := directiveFixtures[f]; ok {
		return df
	}
	var out struct {
		ID string `json:"id"`
	}
	body := map[string]any{"title": "城东消防安全排查", "instruction": "排查沿街商铺消防通道", "msg_type": "Alert", "urgency": "Expected",
		"severity": "Moderate", "certainty": "Likely", "target": map[string]any{"communities": []string{otherComm}},
		"ack_due": time.Now().Add(24 * time.Hour).Format(time.RFC3339), "action_required": true}
	if s := f.srv.Login(t, "chengdong.leader").Do("POST", "/api/v1/directives", body, &out); s != 201 || out.ID == "" {
		t.Fatalf("issue 城东's directive: %d", s)
	}
	df := &directiveFixture{id: out.ID}
	directiveFixtures[f] = df
	return df
}

// expectDirectiveHidden asserts that every listed caller gets 403 or 404 with nothing of the
// directive (its ID, title, 城东's codes) in the body.
func expectDirectiveHidden(t *testing.T, f *fixture, callers []string, method, path string, body any) {
	t.Helper()
	df := directiveOf(t, f)
	for _, name := range callers {
		if f.clients[name] == nil {
			f.clients[name] = f.srv.Login(t, name)
		}
		status, b := raw(t, f.clients[name], method, path, body)
		if status != 403 && status != 404 {
			t.Errorf("%s %s as %s: status %d, want 403 or 404: %.200s", method, path, name, status, b)
		}
		if strings.Contains(b, df.id) || strings.Contains(b, "城东消防") || strings.Contains(b, otherComm) && status != 403 {
			t.Errorf("%s %s as %s leaks 城东's directive: %.300s", method, path, name, b)
		}
	}
}

func init() {
	// The CAP document is XML text: checked as text against the document (its CAP rules are
	// checked by internal/directive's tests).
	openapi3filter.RegisterBodyDecoder("application/cap+xml", openapi3filter.PlainBodyDecoder)
	readOnly := func(suffix string) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			df := directiveOf(t, f)
			path := "/api/v1/directives/" + df.id + suffix
			expectDirectiveHidden(t, f, except("district.leader"), "GET", path, nil)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 200)
		}
	}
	scenarios = append(scenarios,
		scenario{route: "POST /api/v1/directives", check: func(t *testing.T, f *fixture) {
			df := directiveOf(t, f)
			body := map[string]any{"title": "越权指令", "instruction": "不应下达", "msg_type": "Alert", "urgency": "Expected",
				"severity": "Minor", "certainty": "Likely", "target": map[string]any{"communities": []string{otherComm}},
				"ack_due": time.Now().Add(time.Hour).Format(time.RFC3339)}
			// Nobody but the district's leader issues to 城东: 东海's issuers are out of reach, the rest may not issue.
			expectStatus(t, f, except("district.leader"), "POST", "/api/v1/directives", body, 403)
			// Nor updates or cancels 城东's directive.
			body["msg_type"], body["references"] = "Cancel", df.id
			body["target"] = map[string]any{"communities": []string{home + "001"}}
			expectDirectiveHidden(t, f, except("district.leader"), "POST", "/api/v1/directives", body)
			_, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/directives?limit=500", nil)
			if strings.Contains(b, "越权指令") {
				t.Error("a refused directive was written")
			}
			if !strings.Contains(b, df.id) {
				t.Error("the district's leader does not see 城东's directive")
			}
		}},
		scenario{route: "GET /api/v1/directives", check: func(t *testing.T, f *fixture) {
			df := directiveOf(t, f)
			for _, name := range except("district.leader") {
				status, b := raw(t, f.clients[name], "GET", "/api/v1/directives", nil)
				if (status != 200 && status != 403) || strings.Contains(b, df.id) {
					t.Errorf("GET /api/v1/directives as %s: %d, 城东's directive listed: %v", name, status, strings.Contains(b, df.id))
				}
			}
		}},
		scenario{route: "GET /api/v1/directives/{id}", check: readOnly("")},
		scenario{route: "GET /api/v1/directives/{id}/coverage", check: readOnly("/coverage")},
		scenario{route: "GET /api/v1/directives/{id}/targets", check: readOnly("/targets")},
		scenario{route: "GET /api/v1/directives/{id}/cap", check: readOnly("/cap")},
		scenario{route: "GET /api/v1/directives/{id}/photos", check: readOnly("/photos")},
		scenario{route: "GET /api/v1/directives/{id}/photos/{photo}", check: func(t *testing.T, f *fixture) {
			df := directiveOf(t, f)
			path := "/api/v1/directives/" + df.id + "/photos/" + df.id
			expectDirectiveHidden(t, f, except("district.leader"), "GET", path, nil)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 404) // in reach; no such photo
		}},
		scenario{route: "POST /api/v1/directives/{id}/targets/{grid}/photos", check: func(t *testing.T, f *fixture) {
			df := directiveOf(t, f)
			// Refused before the body is read: nobody outside 城东 adds photos to its grids' reports.
			for _, grid := range []string{f.otherGrid, home + "001001"} {
				expectDirectiveHidden(t, f, accounts, "POST", "/api/v1/directives/"+df.id+"/targets/"+grid+"/photos", map[string]any{})
			}
			var list struct{ Photos []json.RawMessage }
			if s := f.clients["district.leader"].Do("GET", "/api/v1/directives/"+df.id+"/photos", nil, &list); s != 200 || len(list.Photos) != 0 {
				t.Errorf("a refused upload stored photos: %d %d", s, len(list.Photos))
			}
		}},
		scenario{route: "POST /api/v1/directives/{id}/acks", check: func(t *testing.T, f *fixture) {
			df := directiveOf(t, f)
			path := "/api/v1/directives/" + df.id + "/acks"
			// Nobody outside 城东 acknowledges for its grids, whatever grid they name.
			for _, grid := range []string{f.otherGrid, home + "001001"} {
				expectDirectiveHidden(t, f, accounts, "POST", path, map[string]any{"grid_code": grid})
			}
			var cov struct{ Acknowledged int }
			if s := f.clients["district.leader"].Do("GET", "/api/v1/directives/"+df.id+"/coverage", nil, &cov); s != 200 || cov.Acknowledged != 0 {
				t.Errorf("a refused acknowledgement counted: %d %+v", s, cov)
			}
		}},
	)
}

// TestDirectiveOpenAPI calls every directive operation for real, successes and errors, and checks
// requests and answers against the assembled API document (the oaChecker of openapi_test.go).
func TestDirectiveOpenAPI(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	k := &oaChecker{srv: srv, http: &http.Client{}, seen: map[string]map[int]bool{}}
	raw, err := srv.App.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	if k.doc, err = loader.LoadFromData(raw); err != nil {
		t.Fatal(err)
	}
	if k.router, err = gorillamux.NewRouter(k.doc); err != nil {
		t.Fatal(err)
	}
	leader, worker, staff := srv.Login(t, "donghai.leader"), srv.Login(t, "donghai.grid_worker"), srv.Login(t, "donghai.community_staff")
	resident := srv.Login(t, "resident1")
	due := time.Now().Add(3 * time.Hour).Format(time.RFC3339)
	body := map[string]any{"title": "台风防御", "instruction": "排查广告牌、脚手架", "msg_type": "Alert", "urgency": "Expected",
		"severity": "Severe", "certainty": "Likely", "category": "Met", "action_required": true, "ack_due": due,
		"effective": time.Now().Format(time.RFC3339), "expires": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
		"escalation_hours": 4,
		"target":           map[string]any{"zones": []string{home + "Z01"}, "communities": []string{home + "001"}, "grids": []string{}, "subdistricts": []string{}}}
	var issued struct{ ID string }
	oaDecode(t, k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/directives", body: body, want: 201}), &issued)
	k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/directives", body: map[string]any{"title": "x"}, want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/directives", body: map[string]any{"title": "台风", "instruction": "排查",
		"msg_type": "Alert", "urgency": "Expected", "severity": "Severe", "certainty": "Likely", "ack_due": due,
		"target": map[string]any{"communities": []string{otherComm}}}, want: 403})
	k.do(t, oaCall{as: resident, method: "POST", path: "/api/v1/directives", body: body, want: 403})
	k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/directives", body: "[]", want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/directives", body: "{}", contentType: "text/plain", want: 415, invalid: true})
	base := "/api/v1/directives/" + issued.ID
	k.do(t, oaCall{as: worker, method: "POST", path: base + "/acks", body: map[string]any{"grid_code": home + "001001"}, want: 201})
	k.do(t, oaCall{as: staff, method: "POST", path: base + "/acks", body: map[string]any{"grid_code": home + "001002", "done": true,
		"note": "已完成", "lat": 24.92, "lng": 118.57}, want: 201})
	k.do(t, oaCall{as: worker, method: "POST", path: base + "/acks", body: map[string]any{"grid_code": "350503009009009"}, want: 404})
	k.do(t, oaCall{as: worker, method: "POST", path: base + "/acks", body: map[string]any{"grid_code": home + "001001", "lat": 1.0}, want: 400})
	k.do(t, oaCall{as: leader, method: "POST", path: base + "/acks", body: map[string]any{"grid_code": home + "001001"}, want: 403})
	for _, path := range []string{"/api/v1/directives?limit=10", base, base + "/coverage", base + "/targets?status=acknowledged&limit=5", base + "/cap"} {
		k.do(t, oaCall{as: leader, method: "GET", path: path, want: 200})
		k.do(t, oaCall{as: worker, method: "GET", path: path, want: 200})
	}
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/directives?limit=0", want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/directives", want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: base + "/targets?status=late", want: 400, invalid: true})
	for _, suffix := range []string{"", "/coverage", "/targets", "/cap"} {
		k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/directives/0190a0a0-0000-7000-8000-000000000000" + suffix, want: 404})
	}
	var cancelled struct{ ID string }
	oaDecode(t, k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/directives", want: 201, body: map[string]any{"title": "解除",
		"instruction": "台风已过境", "msg_type": "Cancel", "urgency": "Past", "severity": "Minor", "certainty": "Observed",
		"ack_due": due, "references": issued.ID, "target": map[string]any{}}}), &cancelled)
	k.do(t, oaCall{as: leader, method: "POST", path: "/api/v1/directives", want: 409, body: map[string]any{"title": "再解除",
		"instruction": "台风已过境", "msg_type": "Cancel", "urgency": "Past", "severity": "Minor", "certainty": "Observed",
		"ack_due": due, "references": issued.ID, "target": map[string]any{}}})
	k.do(t, oaCall{as: worker, method: "POST", path: base + "/acks", body: map[string]any{"grid_code": home + "001003"}, want: 409})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/directives/" + cancelled.ID + "/cap", want: 200})
}
