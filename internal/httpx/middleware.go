package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type requestIDKey struct{}

// RequestID returns the ID given to the request by Observe.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Metrics are the HTTP metrics exported at /metrics.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the HTTP metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yiwang_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "yiwang_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Flush lets Server-Sent Events through the recorder.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Observe gives each request an ID, logs one line when it ends (method, route, status, duration;
// never the query string or body, which may carry personal data), counts it, and turns a panic
// into a logged 500 instead of a dropped connection.
func Observe(log *slog.Logger, m *Metrics, rs *Responder, routes Router, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The route is decided before the handlers run: a ServeMux sets Request.Pattern only on the
		// request it is handed, which the middleware in between has copied (WithContext).
		route := ""
		if routes != nil {
			route = routes.Route(r)
		}
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		rec := &recorder{ResponseWriter: w}
		r = r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "request_id", id, "path", r.URL.Path, "panic", p)
				if rec.status == 0 {
					JSON(rec, http.StatusInternalServerError, ErrorBody{Error: "internal", Key: "error.internal",
						Message: rs.Catalog.T("zh-CN", "error.internal")})
				}
			}
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			if m != nil {
				m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
				m.duration.WithLabelValues(route).Observe(d.Seconds())
			}
			log.Info("request", "request_id", id, "method", r.Method, "route", route, "path", r.URL.Path,
				"status", rec.status, "bytes", rec.bytes, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r)
	})
}

// Router names the route of a request (Mux.Route).
type Router interface {
	Route(r *http.Request) string
}

// ClientIP returns the remote address without port. Proxies are not trusted unless configured;
// then the address is the last one in X-Forwarded-For, the one our proxy appended: the entries
// before it were written by the client and prove nothing (a rotated one would escape the sign-in
// throttle and every per-address limit).
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		xff := r.Header.Values("X-Forwarded-For")
		if len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := strings.TrimSpace(last); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SecurityHeaders sets headers every page and answer carries. trustProxy is the server's
// trust-proxy setting: only then does a proxy's X-Forwarded-Proto count (IsHTTPS).
//
// HSTS keeps browsers on HTTPS once they have seen it (sent only over HTTPS, RFC 6797 7.2;
// 等保 2.0, GB/T 22239-2019 8.1.4.1 c: 防止鉴别信息在网络传输过程中被窃听); the CSP's form-action
// 'self' stops an injected form from posting a password elsewhere; Permissions-Policy turns off
// browser features no page uses (geolocation stays for this origin: a report can use the position;
// so does the microphone: 长辈模式's 说一说 turns speech into the description, issue 14).
func SecurityHeaders(next http.Handler, trustProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=(self), payment=(), usb=(), serial=(), bluetooth=()")
		if IsHTTPS(r, trustProxy) {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// IsHTTPS reports whether the client reached us over HTTPS: the connection is TLS, or a trusted
// proxy (trustProxy) says so with X-Forwarded-Proto. An untrusted header is ignored: anyone can
// send it.
func IsHTTPS(r *http.Request, trustProxy bool) bool {
	if r.TLS != nil {
		return true
	}
	return trustProxy && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}
