package app_test

import (
	"net/url"
	"testing"
)

// oaDirectoryCalls calls the operations of the service directory (一网速查): a resident's search
// and service page without signing in, and an editor's proposal, a second editor's review, the
// places, import and export, synonyms, the query log and the settings.
func oaDirectoryCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	editor, second := srv.Login(t, "donghai.directory_editor"), srv.Login(t, "district.directory_editor")
	resident := srv.Login(t, "resident1")

	// Residents: search, suggestions, categories, a service and the office serving an address.
	var found struct {
		Results []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"results"`
	}
	oaDecode(t, k.do(t, oaCall{method: "GET", path: "/api/v1/services/search?q=" + url.QueryEscape("社保") + "&lat=24.9265&lng=118.574&limit=5", want: 200}), &found)
	if len(found.Results) == 0 {
		t.Fatal("search 社保 found nothing in the demo directory")
	}
	k.do(t, oaCall{method: "GET", path: "/api/v1/services/search?q=x&lat=91&lng=0", want: 400})
	k.do(t, oaCall{method: "GET", path: "/api/v1/services/search?category=nope", want: 400, invalid: true})
	k.do(t, oaCall{method: "GET", path: "/api/v1/services/suggest?q=she", want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/services/suggest?q=" + url.QueryEscape("a\x00b"), want: 400})
	k.do(t, oaCall{method: "GET", path: "/api/v1/services/categories", want: 200})
	id := found.Results[0].ID
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/services/" + id, want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/services/nope", want: 404})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/services/" + id + "/serving?lat=24.9265&lng=118.574", want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/services/" + id + "/serving?lat=x&lng=1", want: 400, invalid: true})

	// Editors: the list, a proposal and a second editor's review.
	var list struct {
		Services []struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
			Name    string `json:"name"`
		} `json:"services"`
	}
	oaDecode(t, k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services?limit=5", want: 200}), &list)
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/services", want: 403})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services?limit=0", want: 400, invalid: true})
	if len(list.Services) < 3 {
		t.Fatalf("东海 editor's list: %+v", list)
	}
	var places struct {
		Places []struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		} `json:"places"`
	}
	oaDecode(t, k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/places", want: 200}), &places)
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/services/places", want: 403})
	entry := map[string]any{"name": "OA 测试服务", "category": "convenience", "unit_code": "350503001", "online": true,
		"online_url": "https://example.gov.cn/oa", "description": "接口文档测试用的服务条目"}
	var proposed struct {
		Change struct {
			ID string `json:"id"`
		} `json:"change"`
	}
	oaDecode(t, k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services", body: entry, want: 202}), &proposed)
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services", body: map[string]any{"name": "x", "category": "convenience", "unit_code": "350503001"}, want: 400})
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services", body: map[string]any{"nope": 1}, want: 400, invalid: true})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/changes?status=pending", want: 200})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/changes?status=maybe", want: 400, invalid: true})
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/changes/" + proposed.Change.ID + "/approve", body: map[string]any{}, want: 403})
	k.do(t, oaCall{as: second, method: "POST", path: "/api/v1/services/changes/" + proposed.Change.ID + "/approve", body: map[string]any{"note": "核对无误"}, want: 200})
	k.do(t, oaCall{as: second, method: "POST", path: "/api/v1/services/changes/" + proposed.Change.ID + "/approve", body: map[string]any{}, want: 409})

	first := list.Services[0]
	change := map[string]any{"name": first.Name, "category": "convenience", "unit_code": "350503001", "online": true,
		"online_url": "https://example.gov.cn/x", "version": first.Version}
	oaDecode(t, k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/" + first.ID, body: change, want: 202}), &proposed)
	k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/" + first.ID, body: change, want: 409})
	k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/nope", body: change, want: 404})
	k.do(t, oaCall{as: second, method: "POST", path: "/api/v1/services/changes/" + proposed.Change.ID + "/reject", body: map[string]any{}, want: 400})
	k.do(t, oaCall{as: second, method: "POST", path: "/api/v1/services/changes/" + proposed.Change.ID + "/reject", body: map[string]any{"note": "类别不对"}, want: 200})
	k.do(t, oaCall{as: editor, method: "DELETE", path: "/api/v1/services/" + list.Services[1].ID, want: 202})
	k.do(t, oaCall{as: editor, method: "DELETE", path: "/api/v1/services/nope", want: 404})
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/" + list.Services[2].ID + "/review", want: 200})
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/nope/review", want: 404})

	// Places.
	hours := map[string]any{"rule": "workdays", "periods": []map[string]any{{"days": []int{1, 2, 3, 4, 5}, "open": "09:00", "close": "17:00"}}}
	place := map[string]any{"code": "OA-P1", "name": "OA 测试地点", "kind": "station", "unit_code": "350503001", "lat": 24.9265, "lng": 118.574,
		"phone": "0595-22000000", "hours": hours, "serves": []string{"350503001"}}
	var created struct {
		ID string `json:"id"`
	}
	oaDecode(t, k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/places", body: place, want: 201}), &created)
	place["lat"], place["lng"] = 39.9, 116.4 // Beijing: outside the district
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/places", body: place, want: 400})
	place["lat"], place["lng"], place["phone"] = 24.9265, 118.574, "0595-22000001"
	k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/places/" + created.ID, body: place, want: 200})
	k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/places/nope", body: place, want: 404})

	// Import and export.
	csv := "name,category,unit_code,online,online_url\nOA 导入服务,convenience,350503001,是,https://example.gov.cn/i\n"
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/import?dry_run=true", body: csv, contentType: "text/csv", want: 200})
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/import", body: "name,category,unit_code\nOA,nope,350503001\n", contentType: "text/csv", want: 400})
	k.do(t, oaCall{as: editor, method: "POST", path: "/api/v1/services/import", body: csv, contentType: "image/png", want: 415, invalid: true})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/export?format=csv", want: 200})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/export?format=pdf", want: 400, invalid: true})

	// Synonyms, the query log, the settings.
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/synonyms", want: 200})
	k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/synonyms", body: map[string]any{"groups": [][]string{{"居住证", "暂住证"}}}, want: 200})
	k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/synonyms", body: map[string]any{"groups": [][]string{{"孤单"}}}, want: 400})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/queries?zero=true", want: 200})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/queries?days=0", want: 400, invalid: true})
	k.do(t, oaCall{as: editor, method: "GET", path: "/api/v1/services/settings", want: 200})
	k.do(t, oaCall{as: editor, method: "PUT", path: "/api/v1/services/settings", body: map[string]any{"stale_months": 6}, want: 403})
	k.do(t, oaCall{as: second, method: "PUT", path: "/api/v1/services/settings", body: map[string]any{"stale_months": 6}, want: 200})
	k.do(t, oaCall{as: second, method: "PUT", path: "/api/v1/services/settings", body: map[string]any{"stale_months": 0}, want: 400, invalid: true})
}
