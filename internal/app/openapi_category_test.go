package app_test

import (
	"strings"
	"testing"
)

// oaCategoryCalls calls the category catalogue's operations (call it from oaCalls).
func oaCategoryCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	sys := srv.Login(t, "sysadmin")
	resident := srv.Login(t, "resident1")
	sec := srv.Login(t, "secadmin")

	// The catalogue.
	var list struct {
		Count  int `json:"count"`
		Majors []struct {
			Code   string `json:"code"`
			Minors []struct {
				Code string `json:"code"`
			} `json:"minors"`
		} `json:"majors"`
	}
	oaDecode(t, k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories?class=event&major=06&lang=en", want: 200}), &list)
	if list.Count == 0 || len(list.Majors) != 1 || list.Majors[0].Code != "06" {
		t.Errorf("categories of event major 06: %+v", list)
	}
	k.do(t, oaCall{as: sec, method: "GET", path: "/api/v1/categories", want: 200})
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/categories?q=垃圾&include_inactive=true", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories?class=thing", want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories?major=6", want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories?include_inactive=maybe", want: 400, invalid: true})
	csv := k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories.csv", want: 200})
	if !strings.Contains(string(csv), "event,06010,06,") {
		t.Errorf("categories.csv lacks 06010: %.200s", csv)
	}

	// One category.
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories/event/06010", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories/component/01001", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories/event/06999", want: 404})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/categories/thing/06010", want: 404, invalid: true})

	// Create and update a district's own category.
	one := "/api/v1/categories/event/06990"
	local := map[string]any{"name": "楼道堆物", "name_en": "Clutter in stairwells", "standard_ref": "local", "keywords": []string{"堆物", "楼道"}}
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: local, want: 201})
	read := k.do(t, oaCall{as: sys, method: "PUT", path: one, want: 200, body: map[string]any{"name": "楼道堆物", "standard_ref": "local",
		"confirm_required": false, "duplicate_radius_m": 100, "duplicate_window_hours": 24, "active": true}})
	// What GET answers may be sent back, without its limits.
	var back map[string]any
	oaDecode(t, read, &back)
	delete(back, "limits")
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: back, want: 200})
	k.do(t, oaCall{as: resident, method: "PUT", path: one, body: local, want: 403})
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: map[string]any{"code": "06991", "name": "x", "standard_ref": "local"}, want: 400})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/categories/event/88001", body: map[string]any{"name": "新大类的小类", "standard_ref": "local"}, want: 400})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/categories/event/6990", body: local, want: 400})
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: map[string]any{"name_en": "Only English"}, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: map[string]any{"name": "x", "standard_ref": "local", "duplicate_radius_m": 9999}, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: map[string]any{"name": "x", "standard_ref": "local", "colour": "red"}, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: `{"name": "x"}`, contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: one, body: map[string]any{"name": strings.Repeat("长", 30000), "standard_ref": "local"}, want: 413, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/categories/thing/06990", body: local, want: 404, invalid: true})

	// Time limits.
	limits := one + "/limits"
	k.do(t, oaCall{as: sys, method: "PUT", path: limits, body: `{"urgent": {"handle": {"value": 5, "unit": "hours"}}}`, want: 200})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/categories/*/*/limits", body: `{"normal": {"handle": {"value": 3, "unit": "days"}}}`, want: 200})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/categories/event/06989/limits", body: `{}`, want: 404})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/categories/*/06010/limits", body: `{}`, want: 404})
	k.do(t, oaCall{as: resident, method: "PUT", path: limits, body: `{}`, want: 403})
	k.do(t, oaCall{as: sys, method: "PUT", path: limits, body: `{"urgent": {"handle": {"value": 0, "unit": "weeks"}}}`, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: limits, body: `{"later": {}}`, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: limits, body: `{"normal": {"handle": {"value": 1, "unit": "hours", "x": 1}}}`, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: limits, body: `{}`, contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: limits, body: `{"normal":` + strings.Repeat(" ", 65<<10) + `{}}`, want: 413})

	// CSV import.
	imp := "/api/v1/categories/import"
	k.do(t, oaCall{as: sys, method: "POST", path: imp, contentType: "text/csv", want: 200,
		body: "class,code,name,standard_ref,keywords\r\nevent,06989,共享单车乱停放,local,单车|乱停\r\n"})
	k.do(t, oaCall{as: sys, method: "POST", path: imp, contentType: "text/csv", want: 400, body: "class,code,nom\nevent,06988,x\n"})
	k.do(t, oaCall{as: sys, method: "POST", path: imp, contentType: "text/csv", want: 400,
		body: "class,code,name,standard_ref\nevent,6988,x,local\nevent,06988,,local\n"})
	k.do(t, oaCall{as: resident, method: "POST", path: imp, contentType: "text/csv", want: 403, body: "class,code,name,standard_ref\n"})
}
