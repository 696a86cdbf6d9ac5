package apikey

import (
	"time"

	"github.com/yiwang-gov/yiwang/internal/ratelimit"
)

// Rate is a token bucket's refill rate and size.
type Rate = ratelimit.Rate

// DefaultRate lets a client post a report a second on average, twenty at once.
var DefaultRate = Rate{PerMinute: 60, Burst: 20}

// Limiter gives each key a token bucket (package ratelimit, in memory: behind n nodes a client
// may reach n times the rate) at the server's rate or at the key's own.
type Limiter struct {
	rate    Rate
	buckets *ratelimit.Limiter
}

// NewLimiter makes a limiter whose keys get rate unless they have a rate of their own.
func NewLimiter(rate Rate) *Limiter {
	if rate.PerMinute <= 0 {
		rate.PerMinute = DefaultRate.PerMinute
	}
	if rate.Burst <= 0 {
		rate.Burst = 1
	}
	return &Limiter{rate: rate, buckets: ratelimit.New(ratelimit.MaxKeys)}
}

// Allow takes a token from key's bucket at now. perMinute > 0 replaces the limiter's rate for
// this key (the burst scales with it, at least 1). When the bucket is empty it returns false and
// the wait until the next token.
func (l *Limiter) Allow(key string, perMinute int, now time.Time) (bool, time.Duration) {
	rate := l.rate
	if perMinute > 0 {
		rate = Rate{PerMinute: perMinute, Burst: max(1, l.rate.Burst*perMinute/l.rate.PerMinute)}
	}
	return l.buckets.Allow(now, ratelimit.Take{Key: key, Rate: rate})
}
