package apikey_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// listed is GET /api/v1/apikeys as a client reads it.
type listed struct {
	Keys []struct {
		ID            string  `json:"id"`
		Name          string  `json:"name"`
		RatePerMinute int     `json:"rate_per_minute"`
		CreatedAt     string  `json:"created_at"`
		CreatedBy     string  `json:"created_by"`
		RevokedAt     *string `json:"revoked_at"`
		LastUsedAt    *string `json:"last_used_at"`
		Key           *string `json:"key"`
	} `json:"keys"`
	DefaultRate int `json:"default_rate_per_minute"`
	MaxRate     int `json:"max_rate_per_minute"`
}

func TestAPIKeysOverHTTP(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := srv.Login(t, "sysadmin")

			var created struct {
				ID            string `json:"id"`
				Name          string `json:"name"`
				RatePerMinute int    `json:"rate_per_minute"`
				CreatedBy     string `json:"created_by"`
				Key           string `json:"key"`
			}
			if s := sys.Do("POST", "/api/v1/apikeys", map[string]any{"name": " city-app ", "rate_per_minute": 120}, &created); s != http.StatusCreated {
				t.Fatalf("create: %d", s)
			}
			if created.Name != "city-app" || created.RatePerMinute != 120 || created.CreatedBy != "sysadmin" ||
				!strings.HasPrefix(created.Key, apikey.Prefix) || created.ID == "" {
				t.Fatalf("created %+v", created)
			}
			if s, b := sys.Raw("POST", "/api/v1/apikeys", map[string]any{"name": "fixmystreet"}); s != http.StatusCreated {
				t.Fatalf("create without a rate: %d %s", s, b)
			}

			// Problems are told in the caller's language.
			for _, c := range []struct {
				path   string
				body   any
				status int
				key    string
				text   string
			}{
				{"/api/v1/apikeys", map[string]any{"name": "city-app"}, 409, "apikey.name_taken", "应用 city-app 已有有效的密钥"},
				{"/api/v1/apikeys?lang=en", map[string]any{"name": "city-app"}, 409, "apikey.name_taken", "Application city-app already has an active key"},
				{"/api/v1/apikeys", map[string]any{"name": "has space"}, 400, "apikey.bad_name", "应用名称须为 2–64 个"},
				{"/api/v1/apikeys", map[string]any{}, 400, "apikey.bad_name", "应用名称"},
				{"/api/v1/apikeys?lang=en", map[string]any{"name": "greedy", "rate_per_minute": 6001}, 400, "apikey.bad_rate", "from 0 to 6000"},
				{"/api/v1/apikeys", map[string]any{"name": "greedy", "rate_per_minute": -1}, 400, "apikey.bad_rate", "0 到 6000"},
				{"/api/v1/apikeys", map[string]any{"name": "x1", "secret": "mine"}, 400, "request.unknown_field", ""},
				{"/api/v1/apikeys", map[string]any{"name": "x1", "rate_per_minute": "fast"}, 400, "request.wrong_type", ""},
			} {
				s, b := sys.Raw("POST", c.path, c.body)
				var e struct{ Key, Message string }
				json.Unmarshal(b, &e)
				if s != c.status || e.Key != c.key || !strings.Contains(e.Message, c.text) {
					t.Errorf("POST %s %v: %d %s", c.path, c.body, s, b)
				}
			}

			// A request posted with the key shows when the key was last used.
			form := url.Values{"api_key": {created.Key}, "service_code": {"06010"}, "lat": {"24.925"}, "long": {"118.575"},
				"attribute[garbage_type]": {"household"}}
			res, err := http.PostForm(srv.URL+"/open311/v2/requests.json", form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("open311 POST with the new key: %d", res.StatusCode)
			}

			var list listed
			if s := sys.Do("GET", "/api/v1/apikeys", nil, &list); s != http.StatusOK {
				t.Fatalf("list: %d", s)
			}
			if len(list.Keys) != 2 || list.DefaultRate != apikey.DefaultRate.PerMinute || list.MaxRate != apikey.MaxRatePerMinute {
				t.Fatalf("list %+v", list)
			}
			for _, k := range list.Keys {
				if k.Key != nil {
					t.Errorf("the list shows a secret: %+v", k)
				}
				if used := k.LastUsedAt != nil; used != (k.Name == "city-app") {
					t.Errorf("%s: last used %v", k.Name, k.LastUsedAt)
				}
			}
			if _, b := sys.Raw("GET", "/api/v1/apikeys", nil); strings.Contains(string(b), created.Key) {
				t.Error("the list shows the secret")
			}

			// Revoke: 204, then the key no longer posts, and a second revoke finds nothing.
			if s, b := sys.Raw("DELETE", "/api/v1/apikeys/city-app", nil); s != http.StatusNoContent || len(b) != 0 {
				t.Fatalf("revoke: %d %s", s, b)
			}
			if res, err := http.PostForm(srv.URL+"/open311/v2/requests.json", form); err != nil {
				t.Fatal(err)
			} else if res.Body.Close(); res.StatusCode != http.StatusForbidden {
				t.Errorf("a revoked key posts: %d", res.StatusCode)
			}
			if s, b := sys.Raw("DELETE", "/api/v1/apikeys/city-app?lang=en", nil); s != http.StatusNotFound || !strings.Contains(string(b), "Application city-app has no active key") {
				t.Errorf("second revoke: %d %s", s, b)
			}
			list = listed{}
			sys.Do("GET", "/api/v1/apikeys", nil, &list)
			if len(list.Keys) != 2 || list.Keys[0].Name != "fixmystreet" || list.Keys[1].RevokedAt == nil || list.Keys[1].LastUsedAt == nil {
				t.Errorf("after revoking: %+v", list)
			}
			// The name is free again.
			if s, _ := sys.Raw("POST", "/api/v1/apikeys", map[string]any{"name": "city-app"}); s != http.StatusCreated {
				t.Errorf("re-issue a revoked name: %d", s)
			}

			// Every change is in the audit log.
			var audit struct {
				Records []struct{ Action string } `json:"records"`
			}
			srv.Login(t, "auditadmin").Do("GET", "/api/v1/audit?action=apikey.", nil, &audit)
			var actions []string
			for _, e := range audit.Records {
				actions = append(actions, e.Action)
			}
			if got := strings.Join(actions, ","); got != "apikey.create,apikey.revoke,apikey.create,apikey.create" {
				t.Errorf("audit log: %s", got)
			}
		})
	}
}
