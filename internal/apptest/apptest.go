// Package apptest starts a real yiwang — real database, real HTTP server, the demo district
// loaded through the import code — for API and browser tests.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/ratelimit"
)

// DemoPassword is the password of every demo account in tests.
const DemoPassword = "Demo-Passw0rd!"

// Server is a running yiwang with the demo district.
type Server struct {
	App *app.App
	URL string
	srv *httptest.Server
}

// Start builds yiwang on a fresh database of engine, loads the demo and serves it until the
// test ends. Logs go to the test log only when the test fails (they are discarded otherwise).
func Start(t testing.TB, engine db.Engine) *Server {
	t.Helper()
	return StartWith(t, engine, nil)
}

// testKEK is the key-encryption key of every test app (a fixed test value, never a real key).
const testKEK = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"

// StartWith is Start with a chance to change the configuration first (a clock, timeouts …).
func StartWith(t testing.TB, engine db.Engine, configure func(*app.Config)) *Server {
	t.Helper()
	return StartOn(t, dbtest.Open(t, engine), configure)
}

// StartOn is StartWith on a database the caller opened and migrated (a benchmark's kept
// history, say); the demo district is loaded only into an empty one.
func StartOn(t testing.TB, d *db.DB, configure func(*app.Config)) *Server {
	t.Helper()
	ctx := context.Background()
	cfg := app.Defaults()
	cfg.DataDir = t.TempDir()
	// Nodes sharing a database share the key-encryption key, as production nodes share
	// YIWANG_SECRET_KEY: without it a second node cannot unwrap the data keys (package pii).
	cfg.SecretKey = testKEK
	cfg.PasswordCost = "test"
	cfg.DemoPassword = DemoPassword
	cfg.Demo = true
	cfg.MFARequiredRoles = nil // as under --demo: the demo accounts sign in with the password alone
	// Tests send hundreds of requests from 127.0.0.1: no rate limits unless a test sets them
	// (internal/ratelimit tests them over HTTP).
	cfg.RateLimits = ratelimit.Off
	if configure != nil {
		configure(&cfg)
	}
	a, err := app.Build(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), d)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	// A test of a new installation turns the demo off: then the database stays empty.
	if cfg.Demo {
		if _, _, err := a.LoadDemoIfEmpty(ctx); err != nil {
			t.Fatalf("load demo: %v", err)
		}
	}
	srv := httptest.NewServer(a.Handler())
	// The live feed runs as under serve; periodic jobs do not: tests call them with their clock.
	feedCtx, stopFeed := context.WithCancel(ctx)
	feedDone := make(chan struct{})
	evalDone := make(chan struct{})
	go func() { defer close(feedDone); a.Feed.Run(feedCtx) }()
	// The indicators follow the outbox as under serve; tests that read them call CatchUp first.
	go func() { defer close(evalDone); a.Eval.Run(feedCtx, 500*time.Millisecond) }()
	t.Cleanup(func() {
		srv.Close()
		stopFeed()
		<-feedDone
		<-evalDone
		a.Cases.Writer.Close()
	})
	return &Server{App: a, URL: srv.URL, srv: srv}
}

// Client is an API client signed in as one user (bearer token), or anonymous.
type Client struct {
	T        testing.TB
	Base     string
	Token    string
	Username string
	HTTP     *http.Client
}

// Anonymous returns a client with no credentials (and a cookie jar).
func (s *Server) Anonymous(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: t, Base: s.URL, HTTP: &http.Client{Jar: jar}}
}

// Login signs in as username with the demo password and returns a bearer-token client.
func (s *Server) Login(t testing.TB, username string) *Client {
	t.Helper()
	return s.LoginWith(t, username, DemoPassword)
}

// LoginWith signs in with the given password (an account not of the demo: an imported one).
func (s *Server) LoginWith(t testing.TB, username, password string) *Client {
	t.Helper()
	c := s.Anonymous(t)
	var res struct {
		Token string `json:"token"`
	}
	status := c.Do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &res)
	if status != http.StatusOK || res.Token == "" {
		t.Fatalf("login %s: status %d", username, status)
	}
	return &Client{T: t, Base: s.URL, Token: res.Token, Username: username, HTTP: &http.Client{}}
}

// Do sends a request with a JSON body (nil for none, a string or []byte sent as is) and decodes
// a JSON answer into out (nil to ignore). It returns the status code.
func (c *Client) Do(method, path string, body, out any) int {
	c.T.Helper()
	status, raw := c.Raw(method, path, body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.T.Fatalf("%s %s: decode %q: %v", method, path, truncate(raw), err)
		}
	}
	return status
}

// Raw sends a request and returns the status and body.
func (c *Client) Raw(method, path string, body any) (int, []byte) {
	c.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.T.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		c.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// Upload posts one file as the part field of a multipart form (a photo, an import file) and
// returns the status and body.
func (c *Client) Upload(path, field, filename string, data []byte) (int, string) {
	c.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile(field, filename)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		c.T.Fatal(err)
	}
	req, err := http.NewRequest("POST", c.Base+path, &body)
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// Clock is a settable clock for tests of timeouts; safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
