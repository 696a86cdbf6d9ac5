package ratelimit

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// Rules are the rates of the middleware's buckets: writes and searches, each per client address
// and per signed-in account. A rate that is off limits nothing.
type Rules struct {
	WritePerIP, WritePerAccount   Rate
	SearchPerIP, SearchPerAccount Rate
}

// DefaultRules let a busy desk work (a write a second, searches as fast as one types) and stop a
// script: the figures are practice, not from the standard, so each is a setting.
var DefaultRules = Rules{
	WritePerIP:       Rate{PerMinute: 120, Burst: 60},
	WritePerAccount:  Rate{PerMinute: 60, Burst: 30},
	SearchPerIP:      Rate{PerMinute: 300, Burst: 100},
	SearchPerAccount: Rate{PerMinute: 120, Burst: 60},
}

// Off is Rules that limit nothing (tests that send many requests from one address).
var Off = Rules{}

// Guard is the middleware: it must run after authentication, so that the account is known.
type Guard struct {
	Rules      Rules
	TrustProxy bool // take the client address from X-Forwarded-For (httpx.ClientIP)
	Now        func() time.Time
	Responder  *httpx.Responder
	Limiter    *Limiter
}

// Middleware answers 429 with Retry-After, in the caller's language, to a write or a search that
// any of its buckets refuses, and passes every other request untouched. An API key's own bucket
// is taken by the handler that reads the key (Open311 POST), after this one.
func (g *Guard) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		takes := g.takes(r)
		if len(takes) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		ok, wait := g.Limiter.Allow(g.Now(), takes...)
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		seconds := max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(seconds))
		g.Responder.Error(w, r, apperr.New(apperr.TooMany, "request.too_many", seconds))
	})
}

// takes are the buckets r draws on: none for pages, static files and plain reads.
func (g *Guard) takes(r *http.Request) []Take {
	var class string
	var perIP, perAccount Rate
	switch {
	case IsWrite(r):
		class, perIP, perAccount = "write", g.Rules.WritePerIP, g.Rules.WritePerAccount
	case IsSearch(r):
		class, perIP, perAccount = "search", g.Rules.SearchPerIP, g.Rules.SearchPerAccount
	default:
		return nil
	}
	takes := []Take{{Key: class + " ip " + AddressKey(httpx.ClientIP(r, g.TrustProxy)), Rate: perIP}}
	if p, ok := access.From(r.Context()); ok && p.UserID != "" {
		takes = append(takes, Take{Key: class + " user " + p.UserID, Rate: perAccount})
	}
	return takes
}

// IsWrite reports whether r may change something: every method but GET, HEAD and OPTIONS.
func IsWrite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// IsSearch reports whether r is a search or list of the API or Open311 (a GET with a query: the
// case list, search, the audit log, public lists, requests.json), or any anonymous read of the
// public view (/api/v1/public/: one case, a photo); pages and assets are not.
func IsSearch(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if strings.HasPrefix(r.URL.Path, "/api/v1/public/") {
		return true
	}
	if r.URL.RawQuery == "" {
		return false
	}
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/open311/")
}

// AddressKey is the bucket name of a client address: an IPv6 client is named by its /64, since
// one host usually holds a whole /64 and could otherwise take a fresh bucket per request.
func AddressKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return addr
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String() // ::ffff:a.b.c.d is a.b.c.d
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
