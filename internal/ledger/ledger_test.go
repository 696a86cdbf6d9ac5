package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/ledger"
)

var start = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)

// bare is a migrated database with a district, a subdistrict and the zones named, and the ledger
// over it (no app: the service layer directly).
func bare(t *testing.T, engine db.Engine, zones ...string) (*ledger.Service, *db.DB) {
	t.Helper()
	d := dbtest.Open(t, engine)
	dbtest.MustExec(t, d, `INSERT INTO org_nodes (code, kind, name, parent_code, path, created_at, updated_at)
		VALUES ('350503', 'district', '丰泽区', NULL, '/350503/', $1, $1), ('350503001', 'subdistrict', '东海街道', '350503', '/350503/350503001/', $1, $1)`, start)
	for _, z := range zones {
		addZone(t, d, z)
	}
	return &ledger.Service{DB: d, Now: func() time.Time { return start }}, d
}

// tb is what both testing.T and rapid.T offer.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func addZone(t tb, d *db.DB, code string) {
	t.Helper()
	if _, err := d.Write.Exec(`INSERT INTO zones (code, name, subdistrict_code, path, created_at, updated_at)
		VALUES ($1, $1, '350503001', '/350503/350503001/', $2, $2)`, code, start); err != nil {
		t.Fatal(err)
	}
}

// officer is a finance officer of the whole district.
func officer(id string) context.Context {
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: id, Username: id, DisplayName: id,
		Grants: []access.Grant{{Role: access.FinanceOfficer, OrgCode: "350503", OrgPath: "/350503/"}}})
}

var (
	maker   = officer("maker")
	checker = officer("checker")
)

var keys atomic.Int64

func key() string { return fmt.Sprintf("test-key-%08d", keys.Add(1)) }

func mustMake(t tb, s *ledger.Service, in ledger.EntryInput) ledger.Entry {
	t.Helper()
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = key()
	}
	e, _, err := s.Make(maker, in)
	if err != nil {
		t.Fatalf("make %+v: %v", in, err)
	}
	return e
}

func mustPost(t tb, s *ledger.Service, in ledger.EntryInput) ledger.Entry {
	t.Helper()
	e, err := s.Approve(checker, mustMake(t, s, in).ID)
	if err != nil {
		t.Fatalf("approve %+v: %v", in, err)
	}
	return e
}

// TestPostings: every kind's postings balance and move money one step along the flow; a
// reversal's are the exact opposite.
func TestPostings(t *testing.T) {
	for _, tc := range []struct {
		kind     ledger.Kind
		from, to string
	}{
		{ledger.Allocate, "district", "zone/Z/available"},
		{ledger.Commit, "zone/Z/available", "zone/Z/committed/P"},
		{ledger.Release, "zone/Z/committed/P", "zone/Z/available"},
		{ledger.Disburse, "zone/Z/committed/P", "zone/Z/spent/P"},
		{ledger.Refund, "zone/Z/spent/P", "zone/Z/committed/P"},
	} {
		ps := ledger.Postings(tc.kind, "Z", "P", 700)
		if !ledger.Balanced(ps) || ps[0].Key != tc.from || ps[0].AmountFen != -700 || ps[1].Key != tc.to || ps[1].AmountFen != 700 {
			t.Errorf("%s: %+v", tc.kind, ps)
		}
		r := ledger.Reversed(ps)
		if !ledger.Balanced(r) || r[0].AmountFen != 700 || r[1].AmountFen != -700 || r[0].Key != tc.from {
			t.Errorf("%s reversed: %+v", tc.kind, r)
		}
	}
	if ledger.Postings(ledger.Reversal, "Z", "P", 1) != nil || ledger.Balanced([]ledger.Posting{{AmountFen: 0}}) {
		t.Error("a reversal has no postings of its own; one line never balances")
	}
	for id, ok := range map[string]bool{"P-1": true, "0190a0a0-0000-7000-8000-000000000000": true, "": false, "a/b": false, "项目": false} {
		if ledger.ValidProjectID(id) != ok {
			t.Errorf("ValidProjectID(%q) = %v", id, !ok)
		}
	}
}

// model is what the ledger's balances must be: the postings of the posted entries, summed.
type model map[string]int64

func (m model) apply(ps []ledger.Posting) bool {
	for _, p := range ps {
		if !ledger.MayGoNegative(p.Kind) && m[p.Key]+p.AmountFen < 0 {
			return false
		}
	}
	for _, p := range ps {
		m[p.Key] += p.AmountFen
	}
	return true
}

// TestInvariantsProperty runs random sequences of entries, approvals, rejections and reversals,
// each in a zone of its own, against a model: an approval posts exactly when the model can afford
// it; balances never go below zero; the balances table equals the model and the sums of the
// postings; every entry's postings sum to zero; a reversal restores what its entry moved; the hash
// chain verifies.
func TestInvariantsProperty(t *testing.T) {
	t.Parallel() // each on databases of its own
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s, d := bare(t, engine)
			zones := 0
			rapid.Check(t, func(rt *rapid.T) {
				zones++
				zone := fmt.Sprintf("%s-R%05d", engine, zones)
				addZone(rt, d, zone)
				m := model{}
				type made struct {
					e        ledger.Entry
					postings []ledger.Posting
				}
				var pending, posted []made
				reversed := map[string]bool{}
				steps := rapid.IntRange(1, 25).Draw(rt, "steps")
				for range steps {
					switch action := rapid.IntRange(0, 9).Draw(rt, "action"); {
					case action <= 4: // make an entry
						kind := rapid.SampledFrom([]ledger.Kind{ledger.Allocate, ledger.Commit, ledger.Release, ledger.Disburse, ledger.Refund}).Draw(rt, "kind")
						in := ledger.EntryInput{Kind: kind, ZoneCode: zone, AmountFen: rapid.Int64Range(1, 1000).Draw(rt, "amount")}
						if kind.NeedsProject() {
							in.ProjectID = rapid.SampledFrom([]string{"P1", "P2"}).Draw(rt, "project")
						}
						e := mustMake(rt, s, in)
						pending = append(pending, made{e, ledger.Postings(kind, zone, in.ProjectID, in.AmountFen)})
					case action <= 7 && len(pending) > 0: // approve a pending entry
						i := rapid.IntRange(0, len(pending)-1).Draw(rt, "pending")
						p := pending[i]
						affordable := model(cloneModel(m)).apply(p.postings)
						if p.e.Kind == ledger.Reversal && reversed[p.e.Reverses] {
							affordable = false
						}
						_, err := s.Approve(checker, p.e.ID)
						switch {
						case affordable && err != nil:
							rt.Fatalf("approve %s %d: %v", p.e.Kind, p.e.AmountFen, err)
						case !affordable && apperr.CodeOf(err) != apperr.Conflict:
							rt.Fatalf("approve %s %d beyond the funds: %v", p.e.Kind, p.e.AmountFen, err)
						case affordable:
							m.apply(p.postings)
							posted = append(posted, p)
							pending = append(pending[:i], pending[i+1:]...)
							if p.e.Kind == ledger.Reversal {
								reversed[p.e.Reverses] = true
							}
						}
					case action == 8 && len(pending) > 0: // reject a pending entry
						i := rapid.IntRange(0, len(pending)-1).Draw(rt, "reject")
						if _, err := s.Reject(checker, pending[i].e.ID, "测试退回"); err != nil {
							rt.Fatal(err)
						}
						pending = append(pending[:i], pending[i+1:]...)
					case len(posted) > 0: // reverse a posted entry
						p := posted[rapid.IntRange(0, len(posted)-1).Draw(rt, "reverse")]
						e, _, err := s.Make(maker, ledger.EntryInput{Kind: ledger.Reversal, Reverses: p.e.ID, IdempotencyKey: key()})
						if reversed[p.e.ID] {
							if apperr.CodeOf(err) != apperr.Conflict {
								rt.Fatalf("reversing twice: %v", err)
							}
							continue
						}
						if err != nil {
							rt.Fatal(err)
						}
						pending = append(pending, made{e, ledger.Reversed(p.postings)})
					}
					checkZone(rt, s, d, zone, m)
				}
			})
			if n, err := s.Verify(context.Background()); err != nil {
				t.Fatalf("chain after %d entries: %v", n, err)
			}
			checkPostings(t, d)
		})
	}
}

func cloneModel(m model) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// checkZone compares a zone's balances with the model and the fund's figures with the balances.
func checkZone(t tb, s *ledger.Service, d *db.DB, zone string, m model) {
	t.Helper()
	rows, err := d.Read.Query(`SELECT account, kind, balance_fen FROM ledger_balances WHERE zone_code = $1`, zone)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int64{}
	var available, committed, spent int64
	for rows.Next() {
		var account, kind string
		var balance int64
		if err := rows.Scan(&account, &kind, &balance); err != nil {
			t.Fatal(err)
		}
		if balance < 0 {
			t.Fatalf("%s below zero: %d", account, balance)
		}
		got[account] = balance
		switch kind {
		case ledger.Available:
			available += balance
		case ledger.Committed:
			committed += balance
		case ledger.Spent:
			spent += balance
		}
	}
	for k, v := range m {
		if k != "district" && got[k] != v {
			t.Fatalf("%s: balance %d, model %d", k, got[k], v)
		}
	}
	f, err := s.Fund(maker, zone)
	if err != nil {
		t.Fatal(err)
	}
	if f.AvailableFen != available || f.DisbursedFen != spent || f.CommittedFen != committed+spent || f.AllocatedFen != available+committed+spent {
		t.Fatalf("fund %+v, balances %d/%d/%d", f, available, committed, spent)
	}
}

// checkPostings: every entry's postings sum to zero, only posted entries have postings, and each
// account's balance is the sum of its postings.
func checkPostings(t *testing.T, d *db.DB) {
	t.Helper()
	var n int
	if err := d.Read.QueryRow(`SELECT count(*) FROM (SELECT entry_id FROM ledger_postings GROUP BY entry_id HAVING sum(amount_fen) <> 0 OR count(*) < 2) x`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d entries whose postings do not balance (%v)", n, err)
	}
	if err := d.Read.QueryRow(`SELECT count(*) FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id WHERE e.status <> 'posted'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d postings of unposted entries (%v)", n, err)
	}
	if err := d.Read.QueryRow(`SELECT count(*) FROM ledger_balances b WHERE b.balance_fen <>
		(SELECT coalesce(sum(p.amount_fen), 0) FROM ledger_postings p WHERE p.account = b.account)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d balances differ from the sum of their postings (%v)", n, err)
	}
	var total int64
	if err := d.Read.QueryRow(`SELECT coalesce(sum(balance_fen), 0) FROM ledger_balances`).Scan(&total); err != nil || total != 0 {
		t.Errorf("all balances sum to %d (%v)", total, err)
	}
}

// TestParallelApprovals: 600 commitments of 1 000 fen against 500 000 fen available, approved at
// once by as many goroutines, then 300 disbursements of 100 fen against a 20 000 fen commitment:
// exactly the affordable ones post (500, then 200), the rest are refused and stay pending, and
// nothing goes below zero.
func TestParallelApprovals(t *testing.T) {
	t.Parallel() // each on databases of its own
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s, d := bare(t, engine, "350503001Z01")
			const zone = "350503001Z01"
			mustPost(t, s, ledger.EntryInput{Kind: ledger.Allocate, ZoneCode: zone, AmountFen: 500_000 + 20_000})
			mustPost(t, s, ledger.EntryInput{Kind: ledger.Commit, ZoneCode: zone, ProjectID: "PAY", AmountFen: 20_000})
			race := func(n int, in ledger.EntryInput) (posted, refused int) {
				ids := make([]string, n)
				for i := range ids {
					ids[i] = mustMake(t, s, in).ID
				}
				var ok, conflict, other atomic.Int64
				var wg sync.WaitGroup
				began := time.Now()
				for _, id := range ids {
					wg.Go(func() {
						_, err := s.Approve(checker, id)
						switch {
						case err == nil:
							ok.Add(1)
						case apperr.CodeOf(err) == apperr.Conflict:
							conflict.Add(1)
						default:
							other.Add(1)
							t.Errorf("approve: %v", err)
						}
					})
				}
				wg.Wait()
				t.Logf("%s: %d parallel approvals of %s in %v", engine, n, in.Kind, time.Since(began))
				if other.Load() != 0 {
					t.Fatalf("%d approvals failed otherwise", other.Load())
				}
				return int(ok.Load()), int(conflict.Load())
			}
			if posted, refused := race(600, ledger.EntryInput{Kind: ledger.Commit, ZoneCode: zone, ProjectID: "P", AmountFen: 1000}); posted != 500 || refused != 100 {
				t.Errorf("commitments: %d posted, %d refused; want 500 and 100", posted, refused)
			}
			if posted, refused := race(300, ledger.EntryInput{Kind: ledger.Disburse, ZoneCode: zone, ProjectID: "PAY", AmountFen: 100}); posted != 200 || refused != 100 {
				t.Errorf("disbursements: %d posted, %d refused; want 200 and 100", posted, refused)
			}
			f, err := s.Fund(maker, zone)
			if err != nil || f.AvailableFen != 0 || f.CommittedFen != 520_000 || f.DisbursedFen != 20_000 || f.AllocatedFen != 520_000 {
				t.Errorf("fund %+v %v", f, err)
			}
			var pending int
			d.Read.QueryRow(`SELECT count(*) FROM ledger_entries WHERE status = 'pending'`).Scan(&pending)
			if pending != 200 {
				t.Errorf("%d entries pending, want the 200 refused", pending)
			}
			if n, err := s.Verify(context.Background()); err != nil || n != 702 {
				t.Errorf("chain: %d entries, %v", n, err)
			}
			checkPostings(t, d)
		})
	}
}

// TestDatabaseRefusesChanges: the database itself refuses to change or delete posted entries,
// postings, evidence and closes, to add postings to a posted entry, to insert an entry already
// posted, and to post an entry whose postings do not balance.
func TestDatabaseRefusesChanges(t *testing.T) {
	t.Parallel() // each on databases of its own
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s, d := bare(t, engine, "350503001Z01")
			e := mustPost(t, s, ledger.EntryInput{Kind: ledger.Allocate, ZoneCode: "350503001Z01", AmountFen: 5000})
			if _, err := s.Attach(checker, e.ID, "invoice.pdf", []byte("%PDF-1.4 test")); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Close(context.Background(), start); err != nil {
				t.Fatal(err)
			}
			open := mustMake(t, s, ledger.EntryInput{Kind: ledger.Allocate, ZoneCode: "350503001Z01", AmountFen: 7})
			for _, q := range []string{
				`UPDATE ledger_entries SET amount_fen = 1 WHERE id = $1`,
				`UPDATE ledger_entries SET status = 'pending' WHERE id = $1`,
				`UPDATE ledger_entries SET memo = 'x' WHERE id = $1`,
				`DELETE FROM ledger_entries WHERE id = $1`,
				`UPDATE ledger_postings SET amount_fen = amount_fen * 2 WHERE entry_id = $1`,
				`DELETE FROM ledger_postings WHERE entry_id = $1`,
				`INSERT INTO ledger_postings (entry_id, line, account, amount_fen) VALUES ($1, 9, 'district', 1)`,
				`UPDATE ledger_evidence SET sha256 = 'x' WHERE entry_id = $1`,
				`DELETE FROM ledger_evidence WHERE entry_id = $1`,
				`UPDATE ledger_closes SET head = 'x' WHERE $1 <> ''`,
				`DELETE FROM ledger_closes WHERE $1 <> ''`,
				`INSERT INTO ledger_entries (id, idempotency_key, request_hash, kind, zone_code, path, amount_fen, status, maker_id, created_at, seq, hash, checker_id)
					VALUES ($1 || 'x', 'forged-key-1', 'h', 'allocate', '350503001Z01', '/', 1, 'posted', 'a', CURRENT_TIMESTAMP, 999, 'h', 'b')`,
			} {
				if _, err := d.Write.Exec(q, e.ID); err == nil {
					t.Errorf("the database accepted %s", q)
				}
			}
			// A pending entry's amount is fixed too; with one unbalanced posting it cannot post.
			if _, err := d.Write.Exec(`UPDATE ledger_entries SET amount_fen = 1 WHERE id = $1`, open.ID); err == nil {
				t.Error("the database let a pending entry's amount change")
			}
			dbtest.MustExec(t, d, `INSERT INTO ledger_postings (entry_id, line, account, amount_fen) VALUES ($1, 1, 'district', -7)`, open.ID)
			if _, err := d.Write.Exec(`UPDATE ledger_entries SET status = 'posted', checker_id = 'b', seq = 999, hash = 'h' WHERE id = $1`, open.ID); err == nil {
				t.Error("the database posted an entry whose postings do not balance")
			}
			if engine == db.Postgres {
				for _, table := range []string{"ledger_entries", "ledger_postings", "ledger_evidence", "ledger_closes"} {
					if _, err := d.Write.Exec(`TRUNCATE ` + table + ` CASCADE`); err == nil {
						t.Errorf("the database let %s be truncated", table)
					}
				}
			}
			if n, err := s.Verify(context.Background()); err != nil || n != 1 {
				t.Errorf("chain: %d %v", n, err)
			}
		})
	}
}
