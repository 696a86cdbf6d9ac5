package app_test

import (
	"strings"
	"testing"
)

// oaRoutingCalls calls the routing rules' operations (call it from oaCalls).
func oaRoutingCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	sys := srv.Login(t, "sysadmin")
	resident := srv.Login(t, "resident1")
	sec := srv.Login(t, "secadmin")
	rules := "/api/v1/routing/rules"

	// The rules, sent back as they are read.
	shipped := k.do(t, oaCall{as: resident, method: "GET", path: rules, want: 200})
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, body: shipped, want: 200})
	k.do(t, oaCall{as: sec, method: "PUT", path: rules, body: shipped, want: 403})

	// Without the catch-all rule, some cases match nothing.
	var list struct {
		Rules []map[string]any `json:"rules"`
	}
	oaDecode(t, shipped, &list)
	var some []map[string]any
	for _, r := range list.Rules {
		if r["category_code"] != "" {
			some = append(some, r)
		}
	}
	some = append(some, map[string]any{"name": "新规则：井盖 → 城管", "category_code": "01", "department_code": "350503D01",
		"assisting": []string{"350503D02"}, "time_window": "working", "urgency": "urgent"})
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, body: map[string]any{"rules": some}, want: 200})
	test := "/api/v1/routing/test"
	var res struct {
		Matched bool `json:"matched"`
	}
	k.do(t, oaCall{as: resident, method: "POST", path: test, body: map[string]any{"category_code": "12345"}, want: 404})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 200,
		body: map[string]any{"category_class": "component", "category_code": "01002", "org_code": "350503", "urgency": "urgent"}})
	oaDecode(t, k.do(t, oaCall{as: resident, method: "POST", path: test, want: 200,
		body: map[string]any{"category_class": "component", "category_code": "05002"}}), &res)
	if res.Matched {
		t.Error("routing test: a category no rule names matched without the catch-all rule")
	}
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, body: shipped, want: 200})

	// Refused rule lists.
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, want: 400,
		body: `{"rules": [{"name": "未知部门", "department_code": "350503D99", "org_code": "350503D01", "category_code": "99"}]}`})
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, want: 400, invalid: true,
		body: `{"rules": [{"name": "", "department_code": "350503D01", "time_window": "never"}]}`})
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, body: `{}`, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, body: `{"rules": [{"name": "x", "department_code": "350503D01", "foo": 1}]}`, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, body: `{"rules": []}`, contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: rules, body: `{"rules":` + strings.Repeat(" ", 1<<20) + `[]}`, want: 413})

	// The tester.
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 200,
		body: map[string]any{"category_code": "06010", "lat": 24.925, "lng": 118.574}})
	k.do(t, oaCall{as: sec, method: "POST", path: test, want: 200, body: map[string]any{"category_code": "06028",
		"category_class": "event", "org_code": "350503001", "urgency": "urgent", "at": "2026-11-28T14:00:00Z", "working": false}})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 400, body: map[string]any{"category_code": "06028", "org_code": "350503D01"}})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 400, body: map[string]any{"category_code": "06028", "lat": 1.5, "lng": 1.5}})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 400, body: map[string]any{"category_code": "06028", "lat": 24.925}})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 404, body: map[string]any{"category_code": "06028", "org_code": "999"}})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 400, body: `{}`, invalid: true})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 400, body: map[string]any{"category_code": "06010", "urgency": "later"}, invalid: true})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 400, body: map[string]any{"category_code": "06010", "at": "yesterday"}, invalid: true})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 400, body: map[string]any{"category_code": "06010", "category_class": "thing"}, invalid: true})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 415, body: `{"category_code": "06010"}`, contentType: "text/plain", invalid: true})
	k.do(t, oaCall{as: resident, method: "POST", path: test, want: 413,
		body: `{"category_code":` + strings.Repeat(" ", 17<<10) + `"06010"}`})
}
