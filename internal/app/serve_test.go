package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testConfig(t *testing.T) Config {
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.PasswordCost = "test"
	cfg.DemoPassword = "Demo-Passw0rd!"
	return cfg
}

// TestGracefulShutdownFinishesInFlightRequests starts the real server, holds a request open,
// cancels the server's context (what SIGTERM does) and checks that the request still completes,
// that Serve returns cleanly, and that the SQLite write-ahead log was folded back on close.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	cfg := testConfig(t)
	logs := &syncBuffer{}
	a, err := New(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	inner := a.handler
	a.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(entered)
			<-release
			io.WriteString(w, "finished")
			return
		}
		inner.ServeHTTP(w, r)
	})
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, func(addr string) { addrc <- addr }) }()
	addr := <-addrc
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	} else {
		resp.Body.Close()
	}
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	cancel()
	// Serve must not return while the request is in flight.
	select {
	case err := <-served:
		t.Fatalf("Serve returned with a request in flight: %v", err)
	default:
	}
	close(release)
	if body := <-got; body != "finished" {
		t.Fatalf("in-flight request: %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(cfg.DataDir, "yiwang.db-wal")); err == nil && fi.Size() > 0 {
		t.Errorf("WAL not checkpointed on close: %d bytes", fi.Size())
	}
	if !strings.Contains(logs.String(), `"route":"GET /healthz"`) || !strings.Contains(logs.String(), `"status":200`) {
		t.Errorf("no request log line: %s", logs.String())
	}
}

func TestDemoRefusesPublicAddress(t *testing.T) {
	cfg := testConfig(t)
	cfg.Demo, cfg.Addr = true, "0.0.0.0:0"
	a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	err = a.Serve(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "non-loopback") {
		t.Fatalf("demo on 0.0.0.0: %v", err)
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true, "10.0.0.1:80": false, ":8080": false} {
		if isLoopback(addr) != want {
			t.Errorf("isLoopback(%q) != %v", addr, want)
		}
	}
}

func TestHealthReadinessMetricsAndLogsWithoutPersonalData(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			d := dbtest.Open(t, engine)
			logs := &syncBuffer{}
			cfg := testConfig(t)
			a, err := Build(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)), d)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.LoadDemoIfEmpty(context.Background()); err != nil {
				t.Fatal(err)
			}
			get := func(path string) (int, string) {
				rec := httptest.NewRecorder()
				a.Handler().ServeHTTP(rec, mustRequest("GET", path, ""))
				return rec.Code, rec.Body.String()
			}
			if code, body := get("/readyz"); code != 200 || !strings.Contains(body, `"database":"ok"`) {
				t.Fatalf("readyz: %d %s", code, body)
			}
			if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "yiwang_http_requests_total") || !strings.Contains(body, "go_goroutines") {
				t.Fatalf("metrics: %d %.200s", code, body)
			}
			if code, body := get("/api/v1/nothing-here"); code != 401 && code != 404 || !strings.HasPrefix(body, "{") {
				t.Fatalf("unknown API path: %d %s", code, body)
			}
			// A resident signs in by phone; the phone number never reaches the log.
			rec := httptest.NewRecorder()
			a.Handler().ServeHTTP(rec, mustRequest("POST", "/api/v1/auth/login?phone=13800000001", `{"username":"13800000001","password":"Demo-Passw0rd!"}`))
			if rec.Code != 200 {
				t.Fatalf("resident phone login: %d %s", rec.Code, rec.Body.String())
			}
			if strings.Contains(logs.String(), "13800000001") || strings.Contains(logs.String(), "Demo-Passw0rd") {
				t.Fatal("personal data or a password in the log")
			}
			// With the database gone, readiness fails but liveness holds.
			d.Close()
			if code, _ := get("/readyz"); code != 503 {
				t.Fatalf("readyz without database: %d", code)
			}
			if code, _ := get("/healthz"); code != 200 {
				t.Fatalf("healthz: %d", code)
			}
		})
	}
}

func mustRequest(method, path, body string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}
