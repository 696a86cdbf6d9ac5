package httpx

import (
	"net/http"
	"sort"
	"sync"
)

// Mux is a ServeMux that remembers its patterns, so tests can check that every endpoint is
// covered (the scope test refuses an API route it has no scenario for).
type Mux struct {
	*http.ServeMux
	mu       sync.Mutex
	patterns []string
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{ServeMux: http.NewServeMux()} }

// Handle registers handler for pattern.
func (m *Mux) Handle(pattern string, handler http.Handler) {
	m.record(pattern)
	m.ServeMux.Handle(pattern, handler)
}

// HandleFunc registers handler for pattern.
func (m *Mux) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	m.record(pattern)
	m.ServeMux.HandleFunc(pattern, handler)
}

func (m *Mux) record(pattern string) {
	m.mu.Lock()
	m.patterns = append(m.patterns, pattern)
	m.mu.Unlock()
}

// Route names the pattern that serves r ("GET /api/v1/cases/{id}"), or "" when none does. The
// request log and the metrics call it before any middleware answers, so that a request refused
// by authentication or a rate limit is still counted under its route, and the label set stays
// bounded by the registered patterns whatever paths clients send.
func (m *Mux) Route(r *http.Request) string {
	_, pattern := m.ServeMux.Handler(r)
	return pattern
}

// Patterns returns every registered pattern, sorted.
func (m *Mux) Patterns() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]string(nil), m.patterns...)
	sort.Strings(out)
	return out
}
