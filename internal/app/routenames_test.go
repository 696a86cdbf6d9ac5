package app_test

import (
	"net/http"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestRequestsAreCountedUnderTheirRoute: every request is counted and timed under the pattern
// that serves it — also when authentication refuses it before the handler runs — and a path no
// pattern serves is counted under the catch-all, never under the path a client sent.
func TestRequestsAreCountedUnderTheirRoute(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	if st := s.Anonymous(t).Do("GET", "/api/v1/cases", nil, nil); st != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", st)
	}
	op := s.Login(t, "donghai.intake_operator")
	if st := op.Do("GET", "/api/v1/cases?limit=5", nil, nil); st != http.StatusOK {
		t.Fatalf("list: %d", st)
	}
	if st := op.Do("GET", "/api/v1/cases/no-such-case", nil, nil); st != http.StatusNotFound {
		t.Fatalf("missing case: %d", st)
	}
	if st := op.Do("GET", "/api/v1/no/such/thing-42", nil, nil); st != http.StatusNotFound {
		t.Fatalf("unknown path: %d", st)
	}
	families, err := s.App.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[[2]string]float64{}
	timed := map[string]uint64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch f.GetName() {
			case "yiwang_http_requests_total":
				counts[[2]string{labels["route"], labels["status"]}] += m.GetCounter().GetValue()
			case "yiwang_http_request_duration_seconds":
				timed[labels["route"]] += m.GetHistogram().GetSampleCount()
			}
		}
	}
	for _, want := range [][2]string{
		{"GET /api/v1/cases", "401"}, {"GET /api/v1/cases", "200"},
		{"GET /api/v1/cases/{id}", "404"}, {"/api/", "404"},
	} {
		if counts[want] < 1 {
			t.Errorf("no request counted under route %q status %s; counted: %v", want[0], want[1], counts)
		}
	}
	if timed["GET /api/v1/cases"] < 2 {
		t.Errorf("GET /api/v1/cases timed %d times, want 2", timed["GET /api/v1/cases"])
	}
	for key := range counts {
		if key[0] == "unmatched" || key[0] == "/api/v1/no/such/thing-42" {
			t.Errorf("a request counted under %q", key[0])
		}
	}
}
