package ratelimit_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/ratelimit"
)

// answer is what a request got back.
type answer struct {
	status     int
	retryAfter string
	key        string
	message    string
}

// send makes one request to s from the client address ip (the server trusts X-Forwarded-For),
// with a bearer token when token is not empty.
func send(t *testing.T, s *apptest.Server, method, path, token, ip, lang string) answer {
	t.Helper()
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(`{}`)
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Forwarded-For", ip)
	req.Header.Set("Accept-Language", lang)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if resp.StatusCode == http.StatusTooManyRequests {
		var e struct{ Key, Message string }
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("%s %s: 429 body %q: %v", method, path, raw, err)
		}
		a.key, a.message = e.Key, e.Message
	}
	return a
}

// TestLimitsOverHTTP floods the real server (both engines) with writes and searches: a burst
// gets 429 with Retry-After and a message in the caller's language; another address or account
// is not affected; pages are never limited; once the clock has moved on, requests pass again.
func TestLimitsOverHTTP(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			clock := apptest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
			s := apptest.StartWith(t, engine, func(c *app.Config) {
				c.Clock, c.TrustProxy = clock.Now, true
				c.RateLimits = ratelimit.Rules{
					WritePerIP:      ratelimit.Rate{PerMinute: 6, Burst: 3}, // a token every 10 s
					WritePerAccount: ratelimit.Rate{PerMinute: 6, Burst: 2},
					SearchPerIP:     ratelimit.Rate{PerMinute: 60, Burst: 2}, // a token a second
				}
			})
			// Sign-in is a write too: two from 127.0.0.1 leave its bucket one token.
			alice, bob := s.Login(t, "resident1").Token, s.Login(t, "resident2").Token
			post := func(token, ip, lang string) answer {
				return send(t, s, "POST", "/api/v1/cases", token, ip, lang)
			}

			// Per address: three anonymous writes pass (to the sign-in check), the fourth is refused.
			for i := range 3 {
				if a := post("", "203.0.113.7", "zh-CN"); a.status != http.StatusUnauthorized {
					t.Fatalf("write %d within the burst: %+v", i, a)
				}
			}
			a := post("", "203.0.113.7", "zh-CN")
			if a.status != http.StatusTooManyRequests || a.retryAfter != "10" || a.key != "request.too_many" ||
				a.message != "请求过于频繁，请 10 秒后再试。" {
				t.Fatalf("write over the burst: %+v", a)
			}
			if a := post("", "203.0.113.7", "en"); a.status != http.StatusTooManyRequests ||
				a.message != "Too many requests. Please try again in 10 seconds." {
				t.Fatalf("in English: %+v", a)
			}
			if a := post("", "203.0.113.8", "zh-CN"); a.status != http.StatusUnauthorized {
				t.Fatalf("another address is limited too: %+v", a)
			}
			// An IPv6 host holds its whole /64: a fresh address in it is no fresh bucket.
			for i := range 3 {
				post("", "2001:db8:1:2::"+string(rune('a'+i)), "zh-CN")
			}
			if a := post("", "2001:db8:1:2::ff", "zh-CN"); a.status != http.StatusTooManyRequests {
				t.Fatalf("a new address in the same /64: %+v", a)
			}

			// Per account: a new address per request does not help an account over its burst.
			for i, ip := range []string{"198.51.100.1", "198.51.100.2"} {
				if a := post(alice, ip, "zh-CN"); a.status == http.StatusTooManyRequests {
					t.Fatalf("account write %d within the burst: %+v", i, a)
				}
			}
			if a := post(alice, "198.51.100.3", "zh-CN"); a.status != http.StatusTooManyRequests || a.retryAfter != "10" {
				t.Fatalf("account write over the burst from a fresh address: %+v", a)
			}
			if a := post(bob, "198.51.100.4", "zh-CN"); a.status == http.StatusTooManyRequests {
				t.Fatalf("another account is limited too: %+v", a)
			}

			// Searches: a GET with a query draws on the search bucket; pages and plain reads do not.
			for i := range 2 {
				if a := send(t, s, "GET", "/api/v1/cases?limit=1", bob, "192.0.2.9", "zh-CN"); a.status != http.StatusOK {
					t.Fatalf("search %d within the burst: %+v", i, a)
				}
			}
			if a := send(t, s, "GET", "/api/v1/cases?limit=1", bob, "192.0.2.9", "zh-CN"); a.status != http.StatusTooManyRequests || a.retryAfter != "1" {
				t.Fatalf("search over the burst: %+v", a)
			}
			for range 5 {
				if a := send(t, s, "GET", "/login?lang=en", "", "192.0.2.9", "zh-CN"); a.status != http.StatusOK {
					t.Fatalf("a page is limited: %+v", a)
				}
				if a := send(t, s, "GET", "/api/v1/me", bob, "192.0.2.9", "zh-CN"); a.status != http.StatusOK {
					t.Fatalf("a plain read is limited: %+v", a)
				}
			}

			// Ten seconds later every bucket has a token again.
			clock.Advance(10 * time.Second)
			if a := post("", "203.0.113.7", "zh-CN"); a.status != http.StatusUnauthorized {
				t.Fatalf("the address after the wait: %+v", a)
			}
			if a := post(alice, "198.51.100.3", "zh-CN"); a.status == http.StatusTooManyRequests {
				t.Fatalf("the account after the wait: %+v", a)
			}
			if a := send(t, s, "GET", "/api/v1/cases?limit=1", bob, "192.0.2.9", "zh-CN"); a.status != http.StatusOK {
				t.Fatalf("the search after the wait: %+v", a)
			}
		})
	}
}
