package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/yiwang-gov/yiwang/internal/address"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Scope scenarios of the gazetteer (地址库): searching it and the nearest address are for staff
// (address.search, the whole district — it is public geography, the same for 东海 and 城东
// staff); residents, volunteers and the roles without territory work are refused. Importing is
// the district's sys_admin's alone: a sys_admin held at a subdistrict is refused, and nothing a
// refused caller sends is written.

// addressSearchers hold address.search.
var addressSearchers = []string{"donghai.grid_worker", "donghai.intake_operator", "donghai.shift_lead", "donghai.dispatcher",
	"dept01.staff", "donghai.leader", "district.leader", "sysadmin", "donghai.community_staff"}

func init() {
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/addresses/search", check: func(t *testing.T, f *fixture) {
			path := "/api/v1/addresses/search?q=" + url.QueryEscape("fhl28")
			for _, name := range addressSearchers {
				status, body := raw(t, f.clients[name], "GET", path, nil)
				if status != 200 || !strings.Contains(body, `"address":"丰海路28号"`) {
					t.Errorf("%s: %d %.200s", name, status, body)
				}
			}
			// 城东's addresses too: the gazetteer is the district's.
			var chengdong struct {
				Results []struct {
					GridCode string `json:"grid_code"`
				}
			}
			status, body := raw(t, f.clients["donghai.intake_operator"], "GET", "/api/v1/addresses/search?grid="+f.otherGrid+"&q="+url.QueryEscape("号"), nil)
			if err := json.Unmarshal([]byte(body), &chengdong); status != 200 || err != nil || len(chengdong.Results) == 0 ||
				chengdong.Results[0].GridCode != f.otherGrid {
				t.Errorf("东海's operator searching 城东's grid %s: %d %.200s", f.otherGrid, status, body)
			}
			expectStatus(t, f, except(addressSearchers...), "GET", path, nil, 403)
			expectStatus(t, f, []string{"donghai.intake_operator"}, "GET", "/api/v1/addresses/search?q=a&limit=99", nil, 400)
			expectStatus(t, f, []string{"donghai.intake_operator"}, "GET", "/api/v1/addresses/search?q="+strings.Repeat("路", 101), nil, 400)
			expectStatus(t, f, []string{"donghai.intake_operator"}, "GET", "/api/v1/addresses/search?q=%00", nil, 400)
		}},
		scenario{route: "GET /api/v1/addresses/nearest", check: func(t *testing.T, f *fixture) {
			var hit struct {
				Results []struct{ Lat, Lng float64 }
			}
			f.clients["donghai.intake_operator"].Do("GET", "/api/v1/addresses/search?q="+url.QueryEscape("丰海路28号"), nil, &hit)
			if len(hit.Results) == 0 {
				t.Fatal("丰海路28号 not in the demo gazetteer")
			}
			b, _ := json.Marshal(hit.Results[0].Lat)
			c, _ := json.Marshal(hit.Results[0].Lng)
			path := "/api/v1/addresses/nearest?lat=" + string(b) + "&lng=" + string(c)
			for _, name := range addressSearchers {
				status, body := raw(t, f.clients[name], "GET", path, nil)
				if status != 200 || !strings.Contains(body, `"address":"丰海路28号"`) || !strings.Contains(body, `"distance_m":0`) {
					t.Errorf("%s: %d %.200s", name, status, body)
				}
			}
			expectStatus(t, f, except(addressSearchers...), "GET", path, nil, 403)
			// Far from any address: no result; bad points and radii: 400.
			if status, body := raw(t, f.clients["donghai.leader"], "GET", "/api/v1/addresses/nearest?lat=39.9&lng=116.4", nil); status != 200 ||
				body != `{"result":null}`+"\n" && body != `{"result":null}` {
				t.Errorf("far away: %d %q", status, body)
			}
			for _, q := range []string{"lat=24.9", "lat=x&lng=118.5", "lat=91&lng=118.5", "lat=24.9&lng=118.5&radius_m=5000", "lat=24.9&lng=118.5&radius_m=-1"} {
				expectStatus(t, f, []string{"donghai.leader"}, "GET", "/api/v1/addresses/nearest?"+q, nil, 400)
			}
		}},
		scenario{route: "POST /api/v1/addresses/import", check: func(t *testing.T, f *fixture) {
			file := "address,name,lat,lng\n越权测试路1号,,24.925,118.574\n"
			count := func() string {
				_, body := raw(t, f.clients["sysadmin"], "GET", "/api/v1/addresses/search?q="+url.QueryEscape("越权测试路"), nil)
				return body
			}
			for _, name := range except("sysadmin") {
				if status, body := f.clients[name].Upload("/api/v1/addresses/import", "file", "a.csv", []byte(file)); status != 403 {
					t.Errorf("%s: %d %.200s", name, status, body)
				}
			}
			if status, body := f.subSys.Upload("/api/v1/addresses/import", "file", "a.csv", []byte(file)); status != 403 ||
				!strings.Contains(body, "address.district_only") {
				t.Errorf("a subdistrict's sys_admin: %d %.200s", status, body)
			}
			if body := count(); strings.Contains(body, "越权测试路") {
				t.Errorf("a refused import wrote: %s", body)
			}
			// The district's sys_admin: a dry run writes nothing, the import does.
			sys := f.clients["sysadmin"]
			status, body := sys.Upload("/api/v1/addresses/import?dry_run=true", "file", "a.csv", []byte(file))
			if status != 200 || !strings.Contains(body, `"created":1`) || strings.Contains(count(), "越权测试路") {
				t.Errorf("dry run: %d %.200s", status, body)
			}
			if status, body := sys.Upload("/api/v1/addresses/import", "file", "a.csv", []byte(file)); status != 200 ||
				!strings.Contains(body, `"created":1`) || !strings.Contains(count(), "越权测试路1号") {
				t.Errorf("import: %d %.200s", status, body)
			}
			// A JSON body is not a file.
			expectStatus(t, f, []string{"sysadmin"}, "POST", "/api/v1/addresses/import", map[string]string{"a": "b"}, 415)
		}},
	)
}

// TestAddressAPIContract: the search answer is exactly {"results":[{address,name,lat,lng,
// grid_code}]} (the contract of issue 13), best first; an import's problems come back in the
// caller's language, one per bad row.
func TestAddressAPIContract(t *testing.T) {
	f := newFixture(t, "sqlite")
	op := f.clients["donghai.intake_operator"]
	status, body := raw(t, op, "GET", "/api/v1/addresses/search?q=fhl28&limit=3", nil)
	var generic map[string][]map[string]any
	if err := json.Unmarshal([]byte(body), &generic); status != 200 || err != nil || len(generic) != 1 || len(generic["results"]) != 3 {
		t.Fatalf("search: %d %v %.300s", status, err, body)
	}
	var keys []string
	for k := range generic["results"][0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"address", "grid_code", "lat", "lng", "name"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("result fields %v, want %v", keys, want)
	}
	if generic["results"][0]["address"] != "丰海路28号" {
		t.Errorf("best first: %v", generic["results"][0])
	}
	sys := f.clients["sysadmin"]
	bad := "address,name,lat,lng\n丰海路1号,,39.9,116.4\n丰海路3号,,abc,118.57\n"
	for lang, want := range map[string]string{"zh-CN": "不在任何网格内", "en": "is in no grid"} {
		status, body := sys.Upload("/api/v1/addresses/import?lang="+lang, "file", "bad.csv", []byte(bad))
		var e struct {
			Key     string
			Details []struct {
				Line    int
				Message string
			}
		}
		if err := json.Unmarshal([]byte(body), &e); status != 400 || err != nil || e.Key != "address.bad_file" || len(e.Details) != 2 ||
			e.Details[0].Line != 2 || !strings.Contains(e.Details[0].Message, want) || e.Details[1].Line != 3 {
			t.Errorf("%s: %d %.400s", lang, status, body)
		}
	}
}

// TestAddressOpenAPI calls every gazetteer operation for real, successes and errors, and checks
// requests and answers against the assembled API document (the oaChecker of openapi_test.go).
func TestAddressOpenAPI(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	k := &oaChecker{srv: srv, http: &http.Client{}, seen: map[string]map[int]bool{}}
	doc, err := srv.App.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	if k.doc, err = loader.LoadFromData(doc); err != nil {
		t.Fatal(err)
	}
	if k.router, err = gorillamux.NewRouter(k.doc); err != nil {
		t.Fatal(err)
	}
	op, resident, sys := srv.Login(t, "donghai.intake_operator"), srv.Login(t, "resident1"), srv.Login(t, "sysadmin")
	k.do(t, oaCall{as: op, method: "GET", path: "/api/v1/addresses/search?q=fhl28", want: 200})
	k.do(t, oaCall{as: op, method: "GET", path: "/api/v1/addresses/search?q=" + url.QueryEscape("丰海路") + "&grid=350503001001004&limit=20", want: 200})
	k.do(t, oaCall{as: op, method: "GET", path: "/api/v1/addresses/search?q=fhl&limit=0", want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/addresses/search?q=fhl", want: 403})
	k.do(t, oaCall{as: op, method: "GET", path: "/api/v1/addresses/nearest?lat=24.9257&lng=118.5866", want: 200})
	k.do(t, oaCall{as: op, method: "GET", path: "/api/v1/addresses/nearest?lat=39.9&lng=116.4&radius_m=100", want: 200})
	k.do(t, oaCall{as: op, method: "GET", path: "/api/v1/addresses/nearest?lat=x&lng=116.4", want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/addresses/nearest?lat=24.9&lng=118.5", want: 403})
	file := "address,name,lat,lng\n丰海路2000号,,24.925,118.574\n"
	k.do(t, oaCall{as: sys, method: "POST", path: "/api/v1/addresses/import?dry_run=true", body: file, contentType: "text/csv", want: 200})
	k.do(t, oaCall{as: sys, method: "POST", path: "/api/v1/addresses/import?coord=wgs84", body: file, contentType: "text/csv", want: 200})
	k.do(t, oaCall{as: sys, method: "POST", path: "/api/v1/addresses/import", body: "address,lat,lng\n丰海路1号,0,0\n", contentType: "text/csv", want: 400})
	k.do(t, oaCall{as: sys, method: "POST", path: "/api/v1/addresses/import?coord=bd09", body: file, contentType: "text/csv", want: 400, invalid: true})
	k.do(t, oaCall{as: op, method: "POST", path: "/api/v1/addresses/import", body: file, contentType: "text/csv", want: 403})
	k.do(t, oaCall{as: sys, method: "POST", path: "/api/v1/addresses/import", body: "{}", want: 415, invalid: true})
	k.do(t, oaCall{as: sys, method: "POST", path: "/api/v1/addresses/import", body: strings.Repeat("a", address.MaxFileBytes+10), contentType: "text/csv", want: 413})
}
