package ratelimit_test

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/ratelimit"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func TestBucket(t *testing.T) {
	l := ratelimit.New(0)
	k := ratelimit.Take{Key: "k", Rate: ratelimit.Rate{PerMinute: 60, Burst: 3}}
	steps := []struct {
		name string
		at   time.Duration
		take ratelimit.Take
		ok   bool
		wait time.Duration
	}{
		{"burst 1", 0, k, true, 0},
		{"burst 2", 0, k, true, 0},
		{"burst 3", 0, k, true, 0},
		{"over the burst", 0, k, false, time.Second},
		{"another key", 0, ratelimit.Take{Key: "other", Rate: k.Rate}, true, 0},
		{"half a token", 500 * time.Millisecond, k, false, 500 * time.Millisecond},
		{"a token refilled", 1500 * time.Millisecond, k, true, 0},
		{"a clock gone back adds nothing", 0, k, false, 500 * time.Millisecond},
		{"a pause refills to the burst: 1", time.Hour, k, true, 0},
		{"a pause refills to the burst: 2", time.Hour, k, true, 0},
		{"a pause refills to the burst: 3", time.Hour, k, true, 0},
		{"not beyond", time.Hour, k, false, time.Second},
		{"a rate that is off limits nothing", 0, ratelimit.Take{Key: "k"}, true, 0},
	}
	for _, s := range steps {
		ok, wait := l.Allow(t0.Add(s.at), s.take)
		if ok != s.ok || wait != s.wait {
			t.Fatalf("%s: got %v %v, want %v %v", s.name, ok, wait, s.ok, s.wait)
		}
	}
}

// A request passes only when every bucket has a token, and a refused one costs no token.
func TestAllOrNothing(t *testing.T) {
	l := ratelimit.New(0)
	address := ratelimit.Take{Key: "ip", Rate: ratelimit.Rate{PerMinute: 60, Burst: 5}}
	account := ratelimit.Take{Key: "user", Rate: ratelimit.Rate{PerMinute: 6, Burst: 1}}
	if ok, _ := l.Allow(t0, address, account); !ok {
		t.Fatal("first request refused")
	}
	ok, wait := l.Allow(t0, address, account)
	if ok || wait != 10*time.Second {
		t.Fatalf("the account's empty bucket: %v %v", ok, wait)
	}
	// The refused request left the address four tokens.
	for i := range 4 {
		if ok, _ := l.Allow(t0, address); !ok {
			t.Fatalf("address token %d was spent by a refused request", i)
		}
	}
	if ok, _ := l.Allow(t0, address); ok {
		t.Fatal("the address bucket overfilled")
	}
}

// A flood of fresh keys cannot grow the map without bound; idle buckets go first.
func TestMemoryBound(t *testing.T) {
	l := ratelimit.New(100)
	rate := ratelimit.Rate{PerMinute: 60, Burst: 2}
	busy := ratelimit.Take{Key: "busy", Rate: rate}
	l.Allow(t0, busy)
	l.Allow(t0, busy)
	for i := range 99 {
		l.Allow(t0.Add(-time.Minute), ratelimit.Take{Key: "idle" + strconv.Itoa(i), Rate: rate})
	}
	if l.Len() != 100 {
		t.Fatalf("%d buckets, want 100", l.Len())
	}
	// The next key makes room: the idle buckets are full again and go; the busy one stays empty.
	l.Allow(t0, ratelimit.Take{Key: "new", Rate: rate})
	if l.Len() != 2 {
		t.Fatalf("%d buckets after forgetting the idle ones, want 2", l.Len())
	}
	if ok, _ := l.Allow(t0, busy); ok {
		t.Fatal("forgetting refilled a busy bucket")
	}
	for i := range 1000 {
		l.Allow(t0, ratelimit.Take{Key: "flood" + strconv.Itoa(i), Rate: rate})
		if l.Len() > 100 {
			t.Fatalf("%d buckets after %d fresh keys", l.Len(), i)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want ratelimit.Rate
		bad  bool
	}{
		{"120,60", ratelimit.Rate{PerMinute: 120, Burst: 60}, false},
		{" 120 , 60 ", ratelimit.Rate{PerMinute: 120, Burst: 60}, false},
		{"120", ratelimit.Rate{PerMinute: 120, Burst: 30}, false},
		{"2", ratelimit.Rate{PerMinute: 2, Burst: 1}, false},
		{"0", ratelimit.Rate{}, false},
		{"off", ratelimit.Rate{}, false},
		{"", ratelimit.Rate{}, true},
		{"-1,5", ratelimit.Rate{}, true},
		{"120,0", ratelimit.Rate{}, true},
		{"120/min", ratelimit.Rate{}, true},
		{"120,60,1", ratelimit.Rate{}, true},
	} {
		got, err := ratelimit.ParseRate(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseRate(%q) = %+v, %v", c.in, got, err)
		}
		if err == nil && got.String() != "0" {
			if again, _ := ratelimit.ParseRate(got.String()); again != got {
				t.Errorf("%q does not read back: %q", c.in, got.String())
			}
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		method, target string
		write, search  bool
	}{
		{"POST", "/api/v1/cases", true, false},
		{"PUT", "/api/v1/routing/rules", true, false},
		{"PATCH", "/api/v1/users/x", true, false},
		{"DELETE", "/api/v1/apikeys/x", true, false},
		{"POST", "/login", true, false},
		{"GET", "/api/v1/cases?q=井盖", false, true},
		{"GET", "/api/v1/audit?action=case.", false, true},
		{"GET", "/open311/requests.json?status=open", false, true},
		{"HEAD", "/api/v1/public/cases?limit=5", false, true},
		{"GET", "/api/v1/public/cases/2026120100001", false, true},
		{"GET", "/api/v1/public/photos/p1", false, true},
		{"GET", "/api/v1/cases/x", false, false},
		{"GET", "/desk?lang=en", false, false},
		{"GET", "/static/app.js?v=3", false, false},
		{"OPTIONS", "/api/v1/cases?q=x", false, false},
	} {
		r := httptest.NewRequest(c.method, c.target, nil)
		if ratelimit.IsWrite(r) != c.write || ratelimit.IsSearch(r) != c.search {
			t.Errorf("%s %s: write %v search %v", c.method, c.target, ratelimit.IsWrite(r), ratelimit.IsSearch(r))
		}
	}
}

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2::a":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"not an address":       "not an address",
	} {
		if got := ratelimit.AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkAllow is the cost the middleware adds to a write: an address and an account bucket.
func BenchmarkAllow(b *testing.B) {
	l := ratelimit.New(0)
	rate := ratelimit.Rate{PerMinute: 1 << 30, Burst: 1 << 30}
	at := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		at = at.Add(time.Microsecond)
		l.Allow(at, ratelimit.Take{Key: "write ip 203.0.113." + strconv.Itoa(i%200), Rate: rate},
			ratelimit.Take{Key: "write user " + strconv.Itoa(i%1000), Rate: rate})
	}
}
