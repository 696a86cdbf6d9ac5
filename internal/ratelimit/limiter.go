// Package ratelimit keeps token buckets in memory and turns them into the one HTTP middleware
// that limits every write and every search per client address and per account (GB/T 22239-2019
// 等保 2.0, 资源控制: limit what one client may ask of the system; issue 10).
//
// Buckets live in the memory of each node: behind n nodes a client may reach n times the rate.
// That is accepted: a shared bucket would cost a database round trip on every request.
package ratelimit

import (
	"sync"
	"time"
)

// Rate is a token bucket's refill rate and size. A zero PerMinute turns the bucket off.
type Rate struct {
	PerMinute int // tokens added per minute
	Burst     int // the most a bucket holds: requests that may come at once
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.PerMinute <= 0 }

// Take asks one token of the bucket Key, which fills at Rate.
type Take struct {
	Key  string
	Rate Rate
}

// MaxKeys is the number of buckets a limiter keeps before it forgets idle ones.
const MaxKeys = 100000

// Limiter keeps one token bucket per key.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	maxKeys int
}

type bucket struct {
	tokens float64
	at     time.Time
	rate   Rate // the rate it was last asked at, to tell when it is full again
}

// New makes a limiter that keeps at most maxKeys buckets (MaxKeys when maxKeys <= 0).
func New(maxKeys int) *Limiter {
	if maxKeys <= 0 {
		maxKeys = MaxKeys
	}
	return &Limiter{buckets: map[string]*bucket{}, maxKeys: maxKeys}
}

// Allow takes one token from every bucket of takes at now, or none: a request passes only when
// all its buckets (address, account, API key …) have a token, and a refused request costs none.
// When it refuses, it returns the wait until every bucket has a token again. Takes whose rate is
// off are ignored.
func (l *Limiter) Allow(now time.Time, takes ...Take) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	held := make([]*bucket, 0, len(takes))
	for _, t := range takes {
		if t.Rate.Off() {
			continue
		}
		b := l.bucket(t.Key, t.Rate, now)
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)/perSecond(t.Rate)*float64(time.Second)))
		}
		held = append(held, b)
	}
	if wait > 0 {
		return false, wait
	}
	for _, b := range held {
		b.tokens--
	}
	return true, 0
}

// Len is the number of buckets kept.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// bucket returns key's bucket refilled to now; l.mu is held.
func (l *Limiter) bucket(key string, rate Rate, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.forget(now)
		}
		b = &bucket{tokens: burst(rate), at: now}
		l.buckets[key] = b
	}
	b.rate = rate
	b.tokens, b.at = refill(b.tokens, b.at, now, rate), latest(b.at, now)
	return b
}

// forget bounds memory: it drops the buckets that have refilled to their burst (a new bucket
// would be the same), and, should a flood of fresh keys keep every bucket busy, all of them — a
// reset that frees a flooder's victims too, but keeps the node alive.
func (l *Limiter) forget(now time.Time) {
	for key, b := range l.buckets {
		if refill(b.tokens, b.at, now, b.rate) >= burst(b.rate) {
			delete(l.buckets, key)
		}
	}
	if len(l.buckets) >= l.maxKeys/2 {
		l.buckets = map[string]*bucket{}
	}
}

func perSecond(r Rate) float64 { return float64(r.PerMinute) / 60 }

func burst(r Rate) float64 { return float64(max(1, r.Burst)) }

// refill is the bucket's content at now: what it held at at, plus the rate's tokens since, at
// most its burst. A clock that went backwards adds nothing.
func refill(tokens float64, at, now time.Time, r Rate) float64 {
	if d := now.Sub(at); d > 0 {
		tokens += d.Seconds() * perSecond(r)
	}
	return min(tokens, burst(r))
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
