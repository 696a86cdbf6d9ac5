package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// oaAPIKeyCalls calls the operations of the Open311 client keys (call it from oaCalls).
func oaAPIKeyCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	sys := srv.Login(t, "sysadmin")
	sec := srv.Login(t, "secadmin")
	resident := srv.Login(t, "resident1")
	keys := "/api/v1/apikeys"
	k.do(t, oaCall{as: sys, method: "GET", path: keys, want: 200})
	k.do(t, oaCall{as: sec, method: "GET", path: keys, want: 403})
	k.do(t, oaCall{as: resident, method: "GET", path: keys + "?lang=en", want: 403})

	var created struct {
		Key string `json:"key"`
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"name": "oa-client", "rate_per_minute": 30}, want: 201}), &created)
	if !strings.HasPrefix(created.Key, "yw311_") {
		t.Errorf("created key %q", created.Key)
	}
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"name": "oa-default"}, want: 201})
	// A request posted with the key: the list shows when it was last used.
	res, err := http.PostForm(srv.URL+"/open311/v2/requests.json", url.Values{"api_key": {created.Key}, "service_code": {"06010"},
		"lat": {"24.925"}, "long": {"118.575"}, "attribute[garbage_type]": {"household"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Body.Close(); res.StatusCode != http.StatusOK {
		t.Errorf("open311 POST with the new key: %d", res.StatusCode)
	}
	list := string(k.do(t, oaCall{as: sys, method: "GET", path: keys, want: 200})) // keys with and without a rate, used and not
	if !strings.Contains(list, `"last_used_at"`) {
		t.Errorf("the list shows no last use: %.300s", list)
	}
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"name": "oa-client"}, want: 409})
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"name": "two words"}, want: 400})
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"name": "oa-greedy", "rate_per_minute": 6001}, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"rate_per_minute": 10}, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"name": "oa-x", "key": "yw311_mine"}, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: map[string]any{"name": strings.Repeat("x", 5000)}, want: 413})
	k.do(t, oaCall{as: sys, method: "POST", path: keys, body: "name=oa-x", contentType: "application/x-www-form-urlencoded", want: 415, invalid: true})
	k.do(t, oaCall{as: sec, method: "POST", path: keys, body: map[string]any{"name": "oa-intruder"}, want: 403})

	k.do(t, oaCall{as: sec, method: "DELETE", path: keys + "/oa-client", want: 403})
	k.do(t, oaCall{as: sys, method: "DELETE", path: keys + "/oa-client", want: 204})
	k.do(t, oaCall{as: sys, method: "DELETE", path: keys + "/oa-client", want: 404})
	k.do(t, oaCall{as: sys, method: "GET", path: keys, want: 200}) // with a revoked key
}
