package app

import (
	"flag"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/ratelimit"
)

// The rate limits are settings: the defaults are ratelimit.DefaultRules, each can be changed or
// turned off, and a malformed one stops the start with the flag's name.
func TestRateLimitFlags(t *testing.T) {
	if got := Defaults().RateLimits; got != ratelimit.DefaultRules {
		t.Fatalf("defaults: %+v", got)
	}
	parse := func(args ...string) (Config, error) {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		config := Flags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return config()
	}
	c, err := parse("-rate-write-ip", "10,5", "-rate-search-account", "0")
	if err != nil {
		t.Fatal(err)
	}
	want := ratelimit.DefaultRules
	want.WritePerIP, want.SearchPerAccount = ratelimit.Rate{PerMinute: 10, Burst: 5}, ratelimit.Rate{}
	if c.RateLimits != want {
		t.Fatalf("got %+v, want %+v", c.RateLimits, want)
	}
	if _, err := parse("-rate-write-account", "sixty"); err == nil || !strings.Contains(err.Error(), "-rate-write-account") {
		t.Fatalf("a malformed rate: %v", err)
	}
}
