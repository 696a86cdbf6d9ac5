package apikey

import (
	"sync"
	"time"
)

// Rate is a token bucket's refill rate and size.
type Rate struct {
	PerMinute int // tokens added per minute
	Burst     int // the most a bucket holds: requests that may come at once
}

// DefaultRate lets a client post a report a second on average, twenty at once.
var DefaultRate = Rate{PerMinute: 60, Burst: 20}

// Limiter keeps one token bucket per key, in memory: each node limits on its own, so behind n
// nodes a client may reach n times the rate.
type Limiter struct {
	rate    Rate
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter makes a limiter whose keys get rate unless they have a rate of their own.
func NewLimiter(rate Rate) *Limiter {
	if rate.PerMinute <= 0 {
		rate.PerMinute = DefaultRate.PerMinute
	}
	if rate.Burst <= 0 {
		rate.Burst = 1
	}
	return &Limiter{rate: rate, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket at now. perMinute > 0 replaces the limiter's rate for
// this key (the burst scales with it). When the bucket is empty it returns false and the wait
// until the next token.
func (l *Limiter) Allow(key string, perMinute int, now time.Time) (bool, time.Duration) {
	rate, burst := float64(l.rate.PerMinute)/60, float64(l.rate.Burst)
	if perMinute > 0 {
		burst = max(1, burst*float64(perMinute)/float64(l.rate.PerMinute))
		rate = float64(perMinute) / 60
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) > 100000 {
			l.buckets = map[string]*bucket{} // keys are few; this only guards memory
		}
		b = &bucket{tokens: burst, at: now}
		l.buckets[key] = b
	}
	b.tokens, b.at = refill(b.tokens, b.at, now, rate, burst), latest(b.at, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
	return false, wait
}

// refill is the bucket's content at now: what it held at at, plus rate tokens a second, at most
// burst. A clock that went backwards adds nothing.
func refill(tokens float64, at, now time.Time, rate, burst float64) float64 {
	if d := now.Sub(at); d > 0 {
		tokens += d.Seconds() * rate
	}
	return min(tokens, burst)
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
