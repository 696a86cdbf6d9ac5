package open311_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/open311"
)

// TestGeoReportV2 is the conformance suite: every method in both formats against a real yiwang
// on each storage engine, in order (later steps read what earlier ones posted). Golden files pin
// the exact documents; run with -update after an intended change.
func TestGeoReportV2(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnv(t, engine)
			steps := []struct {
				name string
				fn   func(*env)
			}{
				{"discovery", discovery},
				{"services", services},
				{"definitions", definitions},
				{"post_errors", postErrors},
				{"post_realtime", postRealtime},
				{"post_multivalue", postMultiValue},
				{"batch_and_blackbox", batchAndBlackbox},
				{"locations", locations},
				{"api_keys", apiKeys},
				{"get_requests", getRequests},
				{"round_trip", roundTrip},
				{"media", media},
				{"paths", paths},
				{"default_window_and_limit", defaultWindowAndLimit},
			}
			for _, s := range steps {
				ok := t.Run(s.name, func(t *testing.T) {
					sub := *e
					sub.t = t
					s.fn(&sub)
				})
				if !ok {
					t.FailNow() // later steps build on this one
				}
			}
		})
	}
}

func discovery(e *env) {
	t := e.t
	x, j, v := e.both("/open311/discovery.{fmt}", 200)
	golden(t, "discovery.xml", x.body)
	golden(t, "discovery.json", j.body)
	d := v.(map[string]any)
	ep := d["endpoints"].([]any)[0].(map[string]any)
	if ep["url"] != "https://yiwang.example/open311/v2" || ep["type"] != "test" || ep["specification"] != open311.Specification ||
		!slices.Equal(toStrings(ep["formats"]), []string{"text/xml", "application/json"}) || d["contact"] == "" || d["key_service"] == "" {
		t.Fatalf("discovery: %s", j.body)
	}
	if _, err := time.Parse(time.RFC3339, d["changeset"].(string)); err != nil || !strings.HasSuffix(d["changeset"].(string), "+08:00") {
		t.Fatalf("changeset %v", d["changeset"])
	}
	e.both("/open311/discovery.{fmt}?jurisdiction_id=350503", 200)
	x, j, _ = e.both("/open311/discovery.{fmt}?jurisdiction_id=sfgov.org", 404)
	wantErrors(t, x, 404, 404)
	wantErrors(t, j, 404, 404)
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func services(e *env) {
	t := e.t
	x, j, v := e.both("/open311/v2/services.{fmt}?jurisdiction_id=", 200)
	golden(t, "services.xml", x.body)
	golden(t, "services.json", j.body)
	list := objects(t, v)
	active, err := e.srv.App.Categories.List(app.System(context.Background(), "test"), category.ListFilter{ActiveOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(active) || len(list) < 150 {
		t.Fatalf("%d services for %d active categories", len(list), len(active))
	}
	seen := map[string]map[string]any{}
	for _, s := range list {
		code, ok := s["service_code"].(string)
		if !ok || code == "" || seen[code] != nil {
			t.Fatalf("service_code must be a unique string: %v", s)
		}
		seen[code] = s
		if _, ok := s["metadata"].(bool); !ok || s["service_name"] == "" || !slices.Contains([]any{"realtime", "batch", "blackbox"}, s["type"]) {
			t.Fatalf("service shape (schema: service_code, service_name, metadata boolean, type enum): %v", s)
		}
	}
	for code, want := range map[string]string{"06010": "true", "09009": "true", "C01001": "true", "01001": "false", "06011": "false"} {
		s := seen[code]
		if s == nil || fmt.Sprint(s["metadata"]) != want {
			t.Fatalf("service %s: %v (metadata want %s)", code, s, want)
		}
	}
	if s := seen["06010"]; s["service_name"] != "暴露垃圾" || s["group"] != "市容环境类" || !strings.Contains(s["keywords"].(string), "垃圾堆") {
		t.Fatalf("06010: %v", s)
	}
	if s := seen["C01001"]; s["service_name"] != "供水井盖" || seen["01001"]["service_name"] != "供水井盖异常" {
		t.Fatalf("a code in both classes: %v / %v", s, seen["01001"])
	}
	_, _, v = e.both("/open311/v2/services.{fmt}?locale=en", 200)
	for _, s := range objects(t, v) {
		if s["service_code"] == "06010" && (s["service_name"] != "Exposed garbage" || s["group"] != "City appearance and environment") {
			t.Fatalf("English: %v", s)
		}
	}
	x, j, _ = e.both("/open311/v2/services.{fmt}?jurisdiction_id=chicago.gov", 404)
	wantErrors(t, x, 404, 404)
	wantErrors(t, j, 404, 404)
}

func definitions(e *env) {
	t := e.t
	for _, code := range []string{"06010", "09009", "C01001"} {
		x, j, v := e.both("/open311/v2/services/"+code+".{fmt}", 200)
		golden(t, "definition_"+code+".xml", x.body)
		golden(t, "definition_"+code+".json", j.body)
		d := v.(map[string]any)
		if d["service_code"] != code {
			t.Fatalf("%s: %s", code, j.body)
		}
		orders := map[string]bool{}
		for _, a := range d["attributes"].([]any) {
			m := a.(map[string]any)
			for _, field := range []string{"variable", "code", "datatype", "required", "order", "description"} {
				if _, ok := m[field]; !ok {
					t.Fatalf("%s: attribute without %s: %v", code, field, m)
				}
			}
			if orders[fmt.Sprint(m["order"])] {
				t.Fatalf("%s: order twice", code)
			}
			orders[fmt.Sprint(m["order"])] = true
			list := m["datatype"] == "singlevaluelist" || m["datatype"] == "multivaluelist"
			if vals, ok := m["values"].([]any); list != ok || (ok && len(vals) == 0) {
				t.Fatalf("%s: values only and always for lists: %v", code, m)
			}
		}
	}
	// All six datatypes appear among the examples.
	var types []string
	for _, code := range []string{"06010", "09009", "C01001"} {
		_, _, v := e.both("/open311/v2/services/"+code+".{fmt}", 200)
		for _, a := range v.(map[string]any)["attributes"].([]any) {
			types = append(types, a.(map[string]any)["datatype"].(string))
		}
	}
	for _, dt := range open311.Datatypes {
		if !slices.Contains(types, dt) {
			t.Fatalf("datatype %s not shown: %v", dt, types)
		}
	}
	// A service without questions has an empty definition, still with its attributes element.
	x, _, v := e.both("/open311/v2/services/01001.{fmt}", 200)
	if !strings.Contains(string(x.body), "<attributes></attributes>") || len(v.(map[string]any)["attributes"].([]any)) != 0 {
		t.Fatalf("empty definition: %s", x.body)
	}
	_, _, v = e.both("/open311/v2/services/E06010.{fmt}?locale=en", 200)
	if a := v.(map[string]any)["attributes"].([]any)[0].(map[string]any); a["description"] != "Type of garbage" {
		t.Fatalf("English definition: %v", a)
	}
	for _, bad := range []string{"99999", "abc", "C06010"} {
		x, j, _ := e.both("/open311/v2/services/"+bad+".{fmt}", 404)
		wantErrors(t, x, 404, 404)
		wantErrors(t, j, 404, 404)
	}
	x, j, _ := e.both("/open311/v2/services/06010.{fmt}?jurisdiction_id=other", 404)
	wantErrors(t, x, 404, 404)
	wantErrors(t, j, 404, 404)
}
