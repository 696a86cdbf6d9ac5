package app_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/ledger"
)

// Scope scenarios of the seed-fund ledger (财政启动资金): finance officers make and decide entries
// of the zones in reach (allocations at the district only), leaders read the funds in reach, and
// everyone reads a zone's public fund. 城东's zone, its posted and pending entries and its evidence
// are, for every outsider (东海's finance officer and leader included), forbidden (403) or not
// found (404), and absent from their lists; a refused approval leaves the entry pending.

const ledgerOtherZone = "350503002Z01"

type ledgerFixture struct{ posted, pending, evidence string }

var (
	ledgerFixturesMu sync.Mutex
	ledgerFixtures   = map[*fixture]*ledgerFixture{}
)

func ledgerOf(t *testing.T, f *fixture) *ledgerFixture {
	t.Helper()
	ledgerFixturesMu.Lock()
	defer ledgerFixturesMu.Unlock()
	if lf, ok := ledgerFixtures[f]; ok {
		return lf
	}
	list, err := f.srv.App.Ledger.List(asSystem(), ledger.Filter{ZoneCode: ledgerOtherZone, Status: ledger.Posted})
	if err != nil || len(list) == 0 {
		t.Fatalf("城东's posted demo entries: %v %v", list, err)
	}
	lf := &ledgerFixture{posted: list[0].ID}
	officer := f.srv.Login(t, "district.finance_officer")
	projects, err := f.srv.App.Projects.List(asSystem(), ledgerOtherZone)
	if err != nil || len(projects) == 0 {
		t.Fatalf("城东's demo projects: %v", err)
	}
	var e struct{ ID string }
	if s := officer.Do("POST", "/api/v1/ledger/entries", map[string]any{"kind": "commit", "zone_code": ledgerOtherZone, "project_id": projects[0].ID,
		"amount_fen": 100, "idempotency_key": "scope-pending-1"}, &e); s != 201 {
		t.Fatalf("城东's pending entry: %d", s)
	}
	lf.pending = e.ID
	status, body := officer.Upload("/api/v1/ledger/entries/"+lf.posted+"/evidence", "file", "invoice.pdf", []byte("%PDF-1.4 scope"))
	var ev struct{ ID string }
	if status != 201 || json.Unmarshal([]byte(body), &ev) != nil {
		t.Fatalf("城东's evidence: %d %s", status, body)
	}
	lf.evidence = ev.ID
	ledgerFixtures[f] = lf
	return lf
}

// ledgerReaders read funds and entries in reach; ledgerWriters make and decide entries.
var (
	ledgerReaders = []string{"donghai.leader", "district.leader", "donghai.finance_officer"}
	ledgerWriters = []string{"donghai.finance_officer"}
	ledgerHome    = []string{"donghai.leader", "donghai.finance_officer"}
)

func stillPending(t *testing.T, f *fixture, id string) {
	t.Helper()
	var status string
	if err := f.srv.App.DB.QueryRow(t.Context(), `SELECT status FROM ledger_entries WHERE id = $1`, id).Scan(&status); err != nil || status != "pending" {
		t.Errorf("a refused request decided 城东's entry: %s %v", status, err)
	}
}

func init() {
	publicRoutes = append(publicRoutes, "GET /api/v1/public/zones/{code}/fund")
	scenarios = append(scenarios,
		scenario{"POST /api/v1/ledger/entries", func(t *testing.T, f *fixture) {
			body := map[string]any{"kind": "commit", "zone_code": ledgerOtherZone, "project_id": "P", "amount_fen": 1, "idempotency_key": "scope-intruder-1"}
			expectStatus(t, f, except(ledgerWriters...), "POST", "/api/v1/ledger/entries", body, 403)
			expectStatus(t, f, ledgerWriters, "POST", "/api/v1/ledger/entries", body, 404)
			allocate := map[string]any{"kind": "allocate", "zone_code": home + "Z01", "amount_fen": 1, "idempotency_key": "scope-intruder-2"}
			expectStatus(t, f, ledgerWriters, "POST", "/api/v1/ledger/entries", allocate, 403)
		}},
		scenario{"GET /api/v1/ledger/entries", func(t *testing.T, f *fixture) {
			ledgerOf(t, f)
			expectStatus(t, f, except(ledgerReaders...), "GET", "/api/v1/ledger/entries", nil, 403)
			for _, name := range ledgerHome {
				if _, b := raw(t, f.clients[name], "GET", "/api/v1/ledger/entries?limit=500", nil); strings.Contains(b, ledgerOtherZone) || !strings.Contains(b, home+"Z01") {
					t.Errorf("%s lists entries outside its reach: %.200s", name, b)
				}
			}
			if _, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/ledger/entries?limit=500", nil); !strings.Contains(b, ledgerOtherZone) {
				t.Error("the district's leader does not see 城东's entries")
			}
		}},
		scenario{"GET /api/v1/ledger/entries/{id}", func(t *testing.T, f *fixture) {
			path := "/api/v1/ledger/entries/" + ledgerOf(t, f).posted
			expectStatus(t, f, except(ledgerReaders...), "GET", path, nil, 403)
			expectStatus(t, f, ledgerHome, "GET", path, nil, 404)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 200)
		}},
		scenario{"POST /api/v1/ledger/entries/{id}/approve", func(t *testing.T, f *fixture) {
			lf := ledgerOf(t, f)
			path := "/api/v1/ledger/entries/" + lf.pending + "/approve"
			expectStatus(t, f, except(ledgerWriters...), "POST", path, nil, 403)
			expectStatus(t, f, ledgerWriters, "POST", path, nil, 404)
			expectStatus(t, f, []string{"district.finance_officer"}, "POST", path, nil, 403) // its maker
			stillPending(t, f, lf.pending)
		}},
		scenario{"POST /api/v1/ledger/entries/{id}/reject", func(t *testing.T, f *fixture) {
			lf := ledgerOf(t, f)
			path, body := "/api/v1/ledger/entries/"+lf.pending+"/reject", map[string]string{"reason": "越权退回"}
			expectStatus(t, f, except(ledgerWriters...), "POST", path, body, 403)
			expectStatus(t, f, ledgerWriters, "POST", path, body, 404)
			stillPending(t, f, lf.pending)
		}},
		scenario{"POST /api/v1/ledger/entries/{id}/evidence", func(t *testing.T, f *fixture) {
			path := "/api/v1/ledger/entries/" + ledgerOf(t, f).posted + "/evidence"
			for _, name := range accounts {
				want := 403
				if contains(ledgerWriters, name) {
					want = 404
				}
				if s, b := f.clients[name].Upload(path, "file", "x.pdf", []byte("%PDF-1.4 intruder")); s != want {
					t.Errorf("%s attaches evidence to 城东's entry: %d, want %d: %.200s", name, s, want, b)
				}
			}
		}},
		scenario{"GET /api/v1/ledger/evidence/{id}", func(t *testing.T, f *fixture) {
			path := "/api/v1/ledger/evidence/" + ledgerOf(t, f).evidence
			expectStatus(t, f, except(ledgerReaders...), "GET", path, nil, 403)
			expectStatus(t, f, ledgerHome, "GET", path, nil, 404)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 200)
		}},
		scenario{"GET /api/v1/ledger/closes", func(t *testing.T, f *fixture) {
			// A close holds every zone's balances: district-wide readers only.
			expectStatus(t, f, except("district.leader"), "GET", "/api/v1/ledger/closes", nil, 403)
			expectStatus(t, f, []string{"district.leader", "district.finance_checker"}, "GET", "/api/v1/ledger/closes", nil, 200)
		}},
		scenario{"GET /api/v1/zones/{code}/fund", func(t *testing.T, f *fixture) {
			path := "/api/v1/zones/" + ledgerOtherZone + "/fund"
			expectStatus(t, f, except(ledgerReaders...), "GET", path, nil, 403)
			expectStatus(t, f, ledgerHome, "GET", path, nil, 404)
			expectStatus(t, f, ledgerHome, "GET", "/api/v1/zones/"+home+"Z01/fund", nil, 200)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 200)
		}},
		scenario{"GET /api/v1/public/zones/{code}/fund", func(t *testing.T, f *fixture) {
			lf := ledgerOf(t, f)
			expectStatus(t, f, accounts, "GET", "/api/v1/public/zones/"+ledgerOtherZone+"/fund", nil, 200)
			s, b := raw(t, f.anonymous, "GET", "/api/v1/public/zones/"+ledgerOtherZone+"/fund", nil)
			// Posted money only, without who made or approved it, their memos or keys.
			if s != 200 || !strings.Contains(b, "fen") || strings.Contains(b, "maker") || strings.Contains(b, "checker") || strings.Contains(b, "memo") ||
				strings.Contains(b, lf.pending) || strings.Contains(b, "scope-pending") || strings.Contains(b, "idempotency") {
				t.Errorf("public fund: %d %.300s", s, b)
			}
		}},
	)
}
