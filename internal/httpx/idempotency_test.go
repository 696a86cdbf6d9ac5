package httpx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// idemServer is a route that counts how often its handler ran, behind the idempotency middleware
// and a stand-in for authentication (the X-Test-User header names the signed-in user).
type idemServer struct {
	srv  *httptest.Server
	idem *httpx.Idempotency
	runs atomic.Int32
	// hold, when set, is waited on inside the handler (after entered is signalled).
	hold    chan struct{}
	entered chan struct{}
	// fail makes the handler answer 500 while set.
	fail atomic.Bool
}

func newIdemServer(t *testing.T, d *db.DB) *idemServer {
	t.Helper()
	s := &idemServer{}
	mux := httpx.NewMux()
	mux.HandleFunc("POST /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		n := s.runs.Add(1)
		if s.entered != nil {
			s.entered <- struct{}{}
		}
		if s.hold != nil {
			<-s.hold
		}
		if s.fail.Load() {
			httpx.JSON(w, http.StatusInternalServerError, map[string]string{"error": "internal"})
			return
		}
		p, _ := access.From(r.Context())
		w.Header().Set("Location", "/things/"+r.PathValue("id"))
		httpx.JSON(w, http.StatusCreated, map[string]any{"run": n, "user": p.UserID})
	})
	mux.HandleFunc("POST /other", func(w http.ResponseWriter, r *http.Request) {
		s.runs.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	rs := &httpx.Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.idem = &httpx.Idempotency{DB: d, R: rs, Routes: mux, Accept: map[string]bool{"POST /things/{id}": true}}
	h := s.idem.Middleware(mux)
	signIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-Test-User"); u != "" {
			r = r.WithContext(access.WithPrincipal(r.Context(), &access.Principal{UserID: u}))
		}
		h.ServeHTTP(w, r)
	})
	s.srv = httptest.NewServer(signIn)
	t.Cleanup(s.srv.Close)
	return s
}

type answer struct {
	Status   int
	Body     string
	Replayed bool
	Location string
}

func (s *idemServer) post(t *testing.T, path, user, key string) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(`{}`))
	req.Header.Set("X-Test-User", user)
	if key != "" {
		req.Header.Set(httpx.IdempotencyHeader, key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{Status: res.StatusCode, Body: string(b), Replayed: res.Header.Get(httpx.ReplayedHeader) == "true",
		Location: res.Header.Get("Location")}
}

const key1 = "0b9d3c52-6f1e-4c1a-9a55-3f1f2f7c8e01"

func TestIdempotencyReplaysOnce(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newIdemServer(t, d)
		first := s.post(t, "/things/a", "u1", key1)
		again := s.post(t, "/things/a", "u1", key1)
		if first.Status != 201 || first.Replayed {
			t.Fatalf("first: %+v", first)
		}
		if again.Status != 201 || !again.Replayed || again.Body != first.Body || again.Location != "/things/a" {
			t.Errorf("repeat: %+v, want the first answer %+v replayed", again, first)
		}
		if n := s.runs.Load(); n != 1 {
			t.Errorf("handler ran %d times, want 1", n)
		}
		// The same key on another path, by another user, or no key at all: requests of their own.
		for _, tc := range []struct{ path, user, key string }{{"/things/b", "u1", key1}, {"/things/a", "u2", key1}, {"/things/a", "u1", ""}} {
			a := s.post(t, tc.path, tc.user, tc.key)
			if a.Status != 201 || a.Replayed {
				t.Errorf("%+v: %+v, want a fresh 201", tc, a)
			}
			if tc.user == "u2" && strings.Contains(a.Body, `"u1"`) {
				t.Errorf("user u2 got user u1's answer: %s", a.Body)
			}
		}
		if n := s.runs.Load(); n != 4 {
			t.Errorf("handler ran %d times, want 4", n)
		}
		// A route that does not take the header ignores it.
		s.post(t, "/other", "u1", key1)
		s.post(t, "/other", "u1", key1)
		if n := s.runs.Load(); n != 6 {
			t.Errorf("handler ran %d times, want 6 (the key ignored on /other)", n)
		}
	})
}

func TestIdempotencyRefusesBadKeys(t *testing.T) {
	s := newIdemServer(t, dbtest.Open(t, db.SQLite))
	for _, key := range []string{"short", strings.Repeat("k", 129), "0b9d3c52 6f1e 4c1a 9a55", "0b9d3c52/6f1e/4c1a/9a55", "键键键键键键键键键键键键键键键键"} {
		for _, lang := range []string{"zh-CN", "en"} {
			a := s.post(t, "/things/a?lang="+lang, "u1", key)
			var body httpx.ErrorBody
			json.Unmarshal([]byte(a.Body), &body)
			want := i18n.MustLoad().T(lang, "offline.idempotency_bad_key")
			if a.Status != 400 || body.Key != "offline.idempotency_bad_key" || body.Message != want {
				t.Errorf("key %q (%s): %d %s, want 400 %q", key, lang, a.Status, a.Body, want)
			}
		}
	}
	if n := s.runs.Load(); n != 0 {
		t.Errorf("handler ran %d times for refused keys", n)
	}
}

// TestIdempotencyServerErrorIsNotKept: a 5xx lets go of the key, so the client's next try runs.
func TestIdempotencyServerErrorIsNotKept(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newIdemServer(t, d)
		s.fail.Store(true)
		if a := s.post(t, "/things/a", "u1", key1); a.Status != 500 {
			t.Fatalf("first: %+v", a)
		}
		s.fail.Store(false)
		if a := s.post(t, "/things/a", "u1", key1); a.Status != 201 || a.Replayed {
			t.Errorf("after a 500: %+v, want a fresh 201", a)
		}
		if a := s.post(t, "/things/a", "u1", key1); a.Status != 201 || !a.Replayed {
			t.Errorf("then: %+v, want the 201 replayed", a)
		}
	})
}

// TestIdempotencyConcurrentDuplicates: identical requests at the same moment run the handler
// once; every one of them gets the first one's answer (the losers wait for it).
func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newIdemServer(t, d)
		const n = 8
		answers := make([]answer, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				answers[i] = s.post(t, "/things/a", "u1", key1)
			})
		}
		close(start)
		wg.Wait()
		if runs := s.runs.Load(); runs != 1 {
			t.Errorf("handler ran %d times for %d identical requests, want 1", runs, n)
		}
		fresh := 0
		for i, a := range answers {
			if a.Status != 201 || a.Body != answers[0].Body {
				t.Errorf("answer %d: %+v, want the same 201 as %+v", i, a, answers[0])
			}
			if !a.Replayed {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d answers not marked replayed, want 1", fresh)
		}
	})
}

// TestIdempotencyInProgress: a repeat that arrives while the first request still runs waits for
// it; when the wait is over first, it answers 409 with Retry-After, and the handler is not run
// again. Once the first is done, the repeat gets its answer.
func TestIdempotencyInProgress(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newIdemServer(t, d)
		s.idem.Wait = 50 * time.Millisecond
		s.hold, s.entered = make(chan struct{}), make(chan struct{}, 1)
		done := make(chan answer)
		go func() { done <- s.post(t, "/things/a", "u1", key1) }()
		<-s.entered // the first request is inside the handler
		req, _ := http.NewRequest("POST", s.srv.URL+"/things/a?lang=en", strings.NewReader(`{}`))
		req.Header.Set("X-Test-User", "u1")
		req.Header.Set(httpx.IdempotencyHeader, key1)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusConflict || res.Header.Get("Retry-After") == "" {
			t.Errorf("repeat during the first: %d (Retry-After %q), want 409 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
		}
		close(s.hold)
		first := <-done
		if a := s.post(t, "/things/a", "u1", key1); !a.Replayed || a.Body != first.Body {
			t.Errorf("repeat after the first: %+v, want %+v replayed", a, first)
		}
		if runs := s.runs.Load(); runs != 1 {
			t.Errorf("handler ran %d times, want 1", runs)
		}
	})
}

// TestIdempotencyAbandoned: a row left without an answer by a request that died with its node is
// taken over once it is older than Abandoned, instead of refusing the key for 48 hours.
func TestIdempotencyAbandoned(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newIdemServer(t, d)
		now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
		s.idem.Now = func() time.Time { return now }
		dbtest.MustExec(t, d, `INSERT INTO idempotency_keys (user_id, key, route, status, created_at) VALUES ($1, $2, $3, 0, $4)`,
			"u1", key1, "POST /things/a", now.Add(-10*time.Minute))
		if a := s.post(t, "/things/a", "u1", key1); a.Status != 201 || a.Replayed {
			t.Errorf("over an abandoned row: %+v, want a fresh 201", a)
		}
	})
}

func TestIdempotencyPurge(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
		for i, age := range []time.Duration{time.Hour, 47 * time.Hour, 49 * time.Hour, 30 * 24 * time.Hour} {
			dbtest.MustExec(t, d, `INSERT INTO idempotency_keys (user_id, key, route, status, created_at) VALUES ($1, $2, $3, 201, $4)`,
				"u1", fmt.Sprintf("key-%d-0123456789abcdef", i), "POST /x", now.Add(-age))
		}
		if err := (&httpx.Idempotency{DB: d}).Purge(ctx, now); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := d.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 2 {
			t.Errorf("%d keys left, want the 2 younger than 48 h", left)
		}
	})
}

func TestValidIdempotencyKey(t *testing.T) {
	for key, want := range map[string]bool{
		key1: true, "01HZX3Q0F1W8K2V7M9N4B5C6D7": true, "abc_DEF-123.456:789": true, strings.Repeat("a", 128): true,
		strings.Repeat("a", 15): false, strings.Repeat("a", 129): false, "": false, "0123456789abcdef\n": false,
		"0123456789abcdef=": false, "0123456789abcdef/": false, "0123456789 abcdef": false,
	} {
		if got := httpx.ValidIdempotencyKey(key); got != want {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func FuzzValidIdempotencyKey(f *testing.F) {
	f.Add(key1)
	f.Add("0123456789abcdef\x00")
	f.Fuzz(func(t *testing.T, key string) {
		if !httpx.ValidIdempotencyKey(key) {
			return
		}
		if len(key) < 16 || len(key) > 128 || strings.Trim(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") != "" {
			t.Errorf("accepted %q", key)
		}
	})
}
