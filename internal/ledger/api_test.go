package ledger_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/ledger"
)

// TestAPI runs the ledger's API scenarios on each engine against one app per engine, with the
// demo district (every zone allocated 20万元; 东海's and 城东's zones with a project).
func TestAPI(t *testing.T) {
	t.Parallel() // each on databases of its own
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			for _, step := range []struct {
				name string
				run  func(*testing.T, *apptest.Server)
			}{
				{"Demo", demoFund}, {"MakerChecker", makerChecker}, {"Overdraw", overdraw}, {"Reversal", reversal},
				{"Evidence", evidence}, {"Scope", scope}, {"PublicAndClose", publicAndClose},
			} {
				t.Run(step.name, func(t *testing.T) { step.run(t, srv) })
			}
		})
	}
}

// projectOf is the id of zone's first demo project: commitments and payments name a project of
// their zone (the project module checks it).
func projectOf(t *testing.T, srv *apptest.Server, zone string) string {
	t.Helper()
	list, err := srv.App.Projects.List(app.System(t.Context(), "ledger-test"), zone)
	if err != nil || len(list) == 0 {
		t.Fatalf("the demo projects of %s: %v", zone, err)
	}
	return list[0].ID
}

type entryAnswer struct {
	ID       string           `json:"id"`
	Status   string           `json:"status"`
	Kind     string           `json:"kind"`
	Hash     string           `json:"hash"`
	Postings []ledger.Posting `json:"postings"`
	Evidence []ledger.Evidence
}

func fund(t *testing.T, c *apptest.Client, zone string) ledger.Fund {
	t.Helper()
	var f ledger.Fund
	if s := c.Do("GET", "/api/v1/zones/"+zone+"/fund", nil, &f); s != 200 {
		t.Fatalf("fund of %s as %s: %d", zone, c.Username, s)
	}
	return f
}

func post(t *testing.T, c *apptest.Client, body map[string]any, want int) entryAnswer {
	t.Helper()
	var e entryAnswer
	if s, raw := c.Raw("POST", "/api/v1/ledger/entries", body); s != want {
		t.Fatalf("make %v as %s: %d, want %d: %s", body, c.Username, s, want, raw)
	} else if want < 300 {
		c.Do("POST", "/api/v1/ledger/entries", body, &e) // the same key again: the same entry
	}
	return e
}

func approve(t *testing.T, c *apptest.Client, id string, want int) entryAnswer {
	t.Helper()
	var e entryAnswer
	if s, raw := c.Raw("POST", "/api/v1/ledger/entries/"+id+"/approve", nil); s != want {
		t.Fatalf("approve %s as %s: %d, want %d: %s", id, c.Username, s, want, raw)
	}
	c.Do("GET", "/api/v1/ledger/entries/"+id, nil, &e)
	return e
}

// The demo: the two district finance officers exist; every zone has its seed fund, 东海's zone a
// project with a payment and one commitment awaiting its checker.
func demoFund(t *testing.T, srv *apptest.Server) {
	officer := srv.Login(t, "district.finance_officer")
	srv.Login(t, "district.finance_checker")
	if f := fund(t, officer, "350503001Z01"); f.AllocatedFen != 20_000_000 || f.CommittedFen != 8_000_000 || f.DisbursedFen != 3_000_000 || f.AvailableFen != 12_000_000 {
		t.Errorf("东海's fund: %+v", f)
	}
	if f := fund(t, officer, "350503005Z01"); f.AllocatedFen != 20_000_000 || f.AvailableFen != 20_000_000 {
		t.Errorf("a zone with only its allocation: %+v", f)
	}
	var list struct{ Entries []entryAnswer }
	officer.Do("GET", "/api/v1/ledger/entries?status=pending&zone_code=350503001Z01", nil, &list)
	if len(list.Entries) != 1 || list.Entries[0].Kind != "commit" {
		t.Errorf("pending demo entries: %+v", list.Entries)
	}
	if n, err := srv.App.Ledger.Verify(t.Context()); err != nil || n < 8 {
		t.Errorf("demo chain: %d %v", n, err)
	}
}

// The contract: 201 pending; the same key returns the same entry; another body with the key is
// refused; the maker cannot approve; another finance officer posts.
func makerChecker(t *testing.T, srv *apptest.Server) {
	officer, checker := srv.Login(t, "district.finance_officer"), srv.Login(t, "district.finance_checker")
	const zone = "350503003Z01"
	before := fund(t, officer, zone)
	body := map[string]any{"kind": "allocate", "zone_code": zone, "amount_fen": 150_000, "idempotency_key": "mc-allocate-1", "memo": "追加"}
	var first, again struct{ ID, Status string }
	if s := officer.Do("POST", "/api/v1/ledger/entries", body, &first); s != 201 || first.ID == "" || first.Status != "pending" {
		t.Fatalf("make: %d %+v", s, first)
	}
	if s := officer.Do("POST", "/api/v1/ledger/entries", body, &again); (s != 200 && s != 201) || again != first {
		t.Errorf("the same key again: %d %+v, want %+v", s, again, first)
	}
	body["amount_fen"] = 150_001
	if s, _ := officer.Raw("POST", "/api/v1/ledger/entries", body); s != 409 {
		t.Errorf("another body with the same key: %d", s)
	}
	body["amount_fen"] = 150_000
	if s, _ := checker.Raw("POST", "/api/v1/ledger/entries", body); s != 409 {
		t.Errorf("the same key from another officer: %d", s)
	}
	approve(t, officer, first.ID, 403)
	var posted struct{ Status string }
	if s := checker.Do("POST", "/api/v1/ledger/entries/"+first.ID+"/approve", nil, &posted); s != 200 || posted.Status != "posted" {
		t.Fatalf("approve: %d %+v", s, posted)
	}
	approve(t, checker, first.ID, 409)
	if after := fund(t, officer, zone); after.AllocatedFen != before.AllocatedFen+150_000 || after.AvailableFen != before.AvailableFen+150_000 {
		t.Errorf("fund %+v after %+v", after, before)
	}
	e := approve(t, checker, first.ID, 409)
	if len(e.Postings) != 2 || e.Postings[0].AmountFen+e.Postings[1].AmountFen != 0 || len(e.Hash) != 64 {
		t.Errorf("posted entry: %+v", e)
	}
	// Reject: by the other officer, with a reason; then it can never post.
	r := post(t, officer, map[string]any{"kind": "commit", "zone_code": zone, "project_id": projectOf(t, srv, zone), "amount_fen": 10, "idempotency_key": "mc-reject-1", "memo": ""}, 201)
	if s, _ := officer.Raw("POST", "/api/v1/ledger/entries/"+r.ID+"/reject", map[string]string{"reason": "重复录入"}); s != 403 {
		t.Errorf("maker rejects: %d", s)
	}
	if s, _ := checker.Raw("POST", "/api/v1/ledger/entries/"+r.ID+"/reject", map[string]string{"reason": "重复录入"}); s != 200 {
		t.Errorf("reject: %d", s)
	}
	approve(t, checker, r.ID, 409)
	// Bad input.
	for _, b := range []map[string]any{
		{"kind": "steal", "zone_code": zone, "amount_fen": 1, "idempotency_key": "mc-bad-0001"},
		{"kind": "allocate", "zone_code": zone, "amount_fen": 0, "idempotency_key": "mc-bad-0002"},
		{"kind": "allocate", "zone_code": zone, "amount_fen": 1, "idempotency_key": "short"},
		{"kind": "commit", "zone_code": zone, "amount_fen": 1, "idempotency_key": "mc-bad-0003"},
		{"kind": "allocate", "zone_code": zone, "project_id": "P", "amount_fen": 1, "idempotency_key": "mc-bad-0004"},
		{"kind": "allocate", "zone_code": zone, "amount_fen": 1.5, "idempotency_key": "mc-bad-0005"},
	} {
		post(t, officer, b, 400)
	}
	post(t, officer, map[string]any{"kind": "allocate", "zone_code": "350503999Z01", "amount_fen": 1, "idempotency_key": "mc-bad-0006"}, 404)
}

// Posting that would overdraw is refused with 409; the entry stays pending and posts once funds
// allow. A project cannot spend more than its commitment.
func overdraw(t *testing.T, srv *apptest.Server) {
	officer, checker := srv.Login(t, "district.finance_officer"), srv.Login(t, "district.finance_checker")
	const zone = "350503004Z01"
	avail := fund(t, officer, zone).AvailableFen
	big := post(t, officer, map[string]any{"kind": "commit", "zone_code": zone, "project_id": projectOf(t, srv, zone), "amount_fen": avail + 1, "idempotency_key": "od-commit-1"}, 201)
	if e := approve(t, checker, big.ID, 409); e.Status != "pending" {
		t.Errorf("refused entry: %s, want pending", e.Status)
	}
	if f := fund(t, officer, zone); f.AvailableFen != avail || f.CommittedFen != 0 {
		t.Errorf("a refused entry moved money: %+v", f)
	}
	top := post(t, officer, map[string]any{"kind": "allocate", "zone_code": zone, "amount_fen": 1, "idempotency_key": "od-allocate-1"}, 201)
	approve(t, checker, top.ID, 200)
	approve(t, checker, big.ID, 200)
	pay := post(t, officer, map[string]any{"kind": "disburse", "zone_code": zone, "project_id": projectOf(t, srv, zone), "amount_fen": avail + 2, "idempotency_key": "od-pay-1",
		"payee_name": "某某公司", "payee_kind": "organisation"}, 201)
	approve(t, checker, pay.ID, 409)
	if f := fund(t, officer, zone); f.AvailableFen != 0 || f.CommittedFen != avail+1 || f.DisbursedFen != 0 {
		t.Errorf("fund: %+v", f)
	}
}

// A reversal posts the exact opposite postings and restores the balances; an entry is reversed
// once only.
func reversal(t *testing.T, srv *apptest.Server) {
	officer, checker := srv.Login(t, "district.finance_officer"), srv.Login(t, "district.finance_checker")
	const zone = "350503006Z01"
	before := fund(t, officer, zone)
	c := post(t, officer, map[string]any{"kind": "commit", "zone_code": zone, "project_id": projectOf(t, srv, zone), "amount_fen": 5000, "idempotency_key": "rev-commit-1"}, 201)
	orig := approve(t, checker, c.ID, 200)
	post(t, officer, map[string]any{"kind": "reversal", "zone_code": zone, "amount_fen": 4999, "reverses": c.ID, "idempotency_key": "rev-bad-key-1"}, 400)
	r := post(t, officer, map[string]any{"kind": "reversal", "zone_code": zone, "amount_fen": 5000, "reverses": c.ID, "idempotency_key": "rev-key-1"}, 201)
	again := post(t, officer, map[string]any{"kind": "reversal", "reverses": c.ID, "amount_fen": 0, "idempotency_key": "rev-key-2"}, 201)
	rev := approve(t, checker, r.ID, 200)
	for i, p := range rev.Postings {
		if p.Key != orig.Postings[i].Key || p.AmountFen != -orig.Postings[i].AmountFen {
			t.Errorf("reversal posting %d: %+v, original %+v", i, p, orig.Postings[i])
		}
	}
	if after := fund(t, officer, zone); after != before {
		t.Errorf("after the reversal %+v, before %+v", after, before)
	}
	approve(t, checker, again.ID, 409)
	post(t, officer, map[string]any{"kind": "reversal", "reverses": c.ID, "amount_fen": 0, "idempotency_key": "rev-key-3"}, 409)
}

// Evidence: the server hashes the bytes itself; the file comes back as stored; other types and
// empty files are refused.
func evidence(t *testing.T, srv *apptest.Server) {
	officer, checker, leader := srv.Login(t, "district.finance_officer"), srv.Login(t, "district.finance_checker"), srv.Login(t, "district.leader")
	e := post(t, officer, map[string]any{"kind": "allocate", "zone_code": "350503007Z01", "amount_fen": 100, "idempotency_key": "ev-allocate-1"}, 201)
	png := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, []byte("not really a picture")...)
	status, body := checker.Upload("/api/v1/ledger/entries/"+e.ID+"/evidence", "file", "发票.png", png)
	if status != 201 {
		t.Fatalf("attach: %d %s", status, body)
	}
	sum := sha256.Sum256(png)
	if !strings.Contains(body, hex.EncodeToString(sum[:])) || !strings.Contains(body, `"image/png"`) {
		t.Errorf("attach answer: %s", body)
	}
	var got entryAnswer
	leader.Do("GET", "/api/v1/ledger/entries/"+e.ID, nil, &got)
	if len(got.Evidence) != 1 || got.Evidence[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("entry evidence: %+v", got.Evidence)
	}
	s, raw := leader.Raw("GET", "/api/v1/ledger/evidence/"+got.Evidence[0].ID, nil)
	if s != 200 || string(raw) != string(png) {
		t.Errorf("download: %d %q", s, raw)
	}
	if s, _ := officer.Upload("/api/v1/ledger/entries/"+e.ID+"/evidence", "file", "a.pdf", []byte("<html>not a pdf</html>")); s != 415 {
		t.Errorf("an HTML file named .pdf: %d", s)
	}
	if s, _ := officer.Upload("/api/v1/ledger/entries/"+e.ID+"/evidence", "other", "a.pdf", []byte("%PDF-1.4")); s != 400 {
		t.Errorf("no file part: %d", s)
	}
	if s, _ := officer.Upload("/api/v1/ledger/entries/"+e.ID+"/evidence", "file", "big.pdf", append([]byte("%PDF-"), make([]byte, ledger.MaxEvidence)...)); s != 413 {
		t.Errorf("a file over the limit: %d", s)
	}
	if s, _ := officer.Raw("POST", "/api/v1/ledger/entries/"+e.ID+"/evidence", map[string]string{"sha256": "x"}); s != 415 {
		t.Errorf("a JSON body: %d", s)
	}
}

// Scope: a subdistrict's finance officer works on its own zones only and allocates nothing;
// leaders read the funds in reach; other roles read nothing.
func scope(t *testing.T, srv *apptest.Server) {
	sub, checker := srv.Login(t, "donghai.finance_officer"), srv.Login(t, "district.finance_checker")
	post(t, sub, map[string]any{"kind": "allocate", "zone_code": "350503001Z01", "amount_fen": 1, "idempotency_key": "sc-allocate-1"}, 403)
	post(t, sub, map[string]any{"kind": "commit", "zone_code": "350503002Z01", "project_id": "P", "amount_fen": 1, "idempotency_key": "sc-commit-1"}, 404)
	own := post(t, sub, map[string]any{"kind": "commit", "zone_code": "350503001Z01", "project_id": projectOf(t, srv, "350503001Z01"), "amount_fen": 1, "idempotency_key": "sc-commit-2"}, 201)
	approve(t, checker, own.ID, 200)
	fund(t, srv.Login(t, "donghai.leader"), "350503001Z01")
	for _, c := range []*apptest.Client{srv.Login(t, "donghai.leader"), sub} {
		if s, _ := c.Raw("GET", "/api/v1/zones/350503002Z01/fund", nil); s != 404 {
			t.Errorf("%s reads 城东's fund: %d", c.Username, s)
		}
	}
	var list struct {
		Entries []struct {
			ZoneCode string `json:"zone_code"`
		}
	}
	sub.Do("GET", "/api/v1/ledger/entries?limit=500", nil, &list)
	for _, e := range list.Entries {
		if !strings.HasPrefix(e.ZoneCode, "350503001") {
			t.Errorf("东海's finance officer lists %s", e.ZoneCode)
		}
	}
	for _, name := range []string{"donghai.grid_worker", "resident1", "sysadmin"} {
		if s, _ := srv.Login(t, name).Raw("GET", "/api/v1/zones/350503001Z01/fund", nil); s != 403 {
			t.Errorf("%s reads a fund: %d", name, s)
		}
	}
}

// The public view names organisations paid, never people, and carries no memos; the close
// publishes the chain head and the balances.
func publicAndClose(t *testing.T, srv *apptest.Server) {
	officer, checker := srv.Login(t, "district.finance_officer"), srv.Login(t, "district.finance_checker")
	const zone = "350503002Z01"
	p := post(t, officer, map[string]any{"kind": "disburse", "zone_code": zone, "project_id": projectOf(t, srv, zone), "amount_fen": 1000,
		"idempotency_key": "pub-pay-1", "memo": "劳务费 张三 13800000009", "payee_name": "张三", "payee_kind": "person"}, 201)
	approve(t, checker, p.ID, 200)
	status, raw := srv.Anonymous(t).Raw("GET", "/api/v1/public/zones/"+zone+"/fund", nil)
	body := string(raw)
	if status != 200 || strings.Contains(body, "张三") || strings.Contains(body, "13800000009") || !strings.Contains(body, "泉州市绿城园林工程有限公司") || !strings.Contains(body, p.ID) {
		t.Errorf("public fund: %d %s", status, body)
	}
	if s, _ := srv.Anonymous(t).Raw("GET", "/api/v1/public/zones/nowhere/fund", nil); s != 404 {
		t.Errorf("public fund of no zone: %d", s)
	}
	c, err := srv.App.Ledger.Close(t.Context(), srv.App.Now())
	if err != nil {
		t.Fatal(err)
	}
	var head string
	srv.App.DB.QueryRow(t.Context(), `SELECT head FROM ledger_chain`).Scan(&head)
	var closes struct{ Closes []ledger.Close }
	if s := srv.Login(t, "district.leader").Do("GET", "/api/v1/ledger/closes", nil, &closes); s != 200 || len(closes.Closes) == 0 ||
		closes.Closes[0].ID != c.ID || closes.Closes[0].Head != head || len(closes.Closes[0].Balances) == 0 {
		t.Errorf("closes: %d %+v", s, closes)
	}
	if s, _ := srv.Login(t, "donghai.finance_officer").Raw("GET", "/api/v1/ledger/closes", nil); s != 403 {
		t.Errorf("a subdistrict officer reads the closes: %d", s)
	}
	if _, err := srv.App.Ledger.Verify(t.Context()); err != nil {
		t.Error(err)
	}
}
