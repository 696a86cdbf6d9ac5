package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// MaxAmountFen is the largest amount of one entry: 1 亿元 (10^10 fen).
const MaxAmountFen = 10_000_000_000

// EntryInput is an entry as POST /api/v1/ledger/entries takes it.
type EntryInput struct {
	Kind           Kind   `json:"kind"`
	ZoneCode       string `json:"zone_code"`
	ProjectID      string `json:"project_id,omitempty"`
	AmountFen      int64  `json:"amount_fen"`
	IdempotencyKey string `json:"idempotency_key"`
	Memo           string `json:"memo"`
	Reverses       string `json:"reverses,omitempty"`
	PayeeName      string `json:"payee_name,omitempty"`
	PayeeKind      string `json:"payee_kind,omitempty"`
}

// idempotencyKey is the shape of an entry's idempotency key: 8 to 128 printable ASCII characters.
var idempotencyKey = regexp.MustCompile(`^[\x21-\x7e]{8,128}$`)

func bad(field, key string, args ...any) error {
	return apperr.New(apperr.Invalid, key, args...).WithDetails([]apperr.Detail{{Field: field, Message: key, Args: args}})
}

// zone is a zone as the ledger sees it.
type zone struct{ code, name, path string }

func (z zone) object() access.Object {
	return access.Object{Kind: "ledger_entry", ID: z.code, Path: z.path}
}

func (s *Service) zone(ctx context.Context, code string) (zone, error) {
	z := zone{code: code}
	err := s.DB.QueryRow(ctx, `SELECT name, path FROM zones WHERE code = $1`, code).Scan(&z.name, &z.path)
	if errors.Is(err, sql.ErrNoRows) {
		return z, apperr.New(apperr.NotFound, "ledger.zone_not_found", code)
	}
	if err != nil {
		return z, fmt.Errorf("read zone %s: %w", code, err)
	}
	return z, nil
}

// reachZone loads a zone the caller reaches with perm; not found otherwise (its existence is not
// revealed). It returns the grant under which the caller acts.
func (s *Service) reachZone(ctx context.Context, code string, perm access.Permission) (zone, access.Scope, access.Grant, error) {
	scope, err := access.Need(ctx, perm)
	if err != nil {
		return zone{}, scope, access.Grant{}, err
	}
	z, err := s.zone(ctx, code)
	if err != nil {
		return z, scope, access.Grant{}, err
	}
	p, _ := access.From(ctx)
	for _, g := range scope.Grants {
		if access.GrantReaches(p.UserID, g, perm, z.object()) {
			return z, scope, g, nil
		}
	}
	return z, scope, access.Grant{}, apperr.New(apperr.NotFound, "ledger.zone_not_found", code)
}

// validate checks an entry's own fields (not the reversed entry's).
func (s *Service) validate(ctx context.Context, in *EntryInput) error {
	if !slices.Contains(Kinds, in.Kind) {
		return bad("kind", "ledger.bad_kind", string(in.Kind))
	}
	if !idempotencyKey.MatchString(in.IdempotencyKey) {
		return bad("idempotency_key", "ledger.bad_key")
	}
	in.Memo = strings.TrimSpace(in.Memo)
	if utf8.RuneCountInString(in.Memo) > 500 {
		return bad("memo", "ledger.bad_memo")
	}
	if in.Kind == Reversal {
		if in.Reverses == "" {
			return bad("reverses", "ledger.reverses_needed")
		}
		if in.PayeeName != "" || in.PayeeKind != "" {
			return bad("payee_name", "ledger.payee_not_wanted")
		}
		return nil
	}
	if in.Reverses != "" {
		return bad("reverses", "ledger.reverses_not_wanted")
	}
	if in.AmountFen < 1 || in.AmountFen > MaxAmountFen {
		return bad("amount_fen", "ledger.bad_amount", int64(MaxAmountFen))
	}
	if in.Kind.NeedsProject() {
		if !ValidProjectID(in.ProjectID) {
			return bad("project_id", "ledger.bad_project")
		}
		if s.Projects != nil {
			if err := s.Projects.CheckProject(ctx, in.ZoneCode, in.ProjectID); err != nil {
				return err
			}
		}
	} else if in.ProjectID != "" {
		return bad("project_id", "ledger.project_not_wanted", string(in.Kind))
	}
	in.PayeeName = strings.TrimSpace(in.PayeeName)
	switch {
	case in.PayeeName == "" && in.PayeeKind == "":
	case in.Kind != Disburse && in.Kind != Refund:
		return bad("payee_name", "ledger.payee_not_wanted")
	case in.PayeeKind != PayeeOrganisation && in.PayeeKind != PayeePerson:
		return bad("payee_kind", "ledger.bad_payee_kind")
	case utf8.RuneCountInString(in.PayeeName) < 2 || utf8.RuneCountInString(in.PayeeName) > 100:
		return bad("payee_name", "ledger.bad_payee")
	}
	return nil
}

// fillReversal completes a reversal from the entry it reverses: the zone, project and amount are
// the original's (given ones must agree).
func (s *Service) fillReversal(ctx context.Context, in *EntryInput) (Entry, error) {
	orig, err := s.entry(ctx, s.DB.Prepared(), in.Reverses)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return orig, bad("reverses", "ledger.bad_reverses")
		}
		return orig, err
	}
	if orig.Status != Posted {
		return orig, apperr.New(apperr.Conflict, "ledger.reverses_not_posted")
	}
	if (in.ZoneCode != "" && in.ZoneCode != orig.ZoneCode) || (in.AmountFen != 0 && in.AmountFen != orig.AmountFen) ||
		(in.ProjectID != "" && in.ProjectID != orig.ProjectID) {
		return orig, bad("reverses", "ledger.reversal_mismatch")
	}
	in.ZoneCode, in.AmountFen, in.ProjectID = orig.ZoneCode, orig.AmountFen, orig.ProjectID
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM ledger_entries WHERE reverses = $1 AND status = 'posted'`, orig.ID).Scan(&n); err != nil {
		return orig, fmt.Errorf("read reversals: %w", err)
	}
	if n > 0 {
		return orig, apperr.New(apperr.Conflict, "ledger.already_reversed")
	}
	return orig, nil
}

// touchesDistrict reports whether an entry moves money out of or back into the district fund:
// an allocation or its reversal, which only a finance officer of the whole district may make or
// approve.
func touchesDistrict(kind Kind, reversedKind Kind) bool {
	return kind == Allocate || (kind == Reversal && reversedKind == Allocate)
}

// Make records a pending entry (ledger.write over its zone). The same idempotency key with the
// same request returns the entry already made (created false); with another request it is
// refused (409).
func (s *Service) Make(ctx context.Context, in EntryInput) (e Entry, created bool, err error) {
	if _, err := access.Need(ctx, access.LedgerWrite); err != nil {
		return e, false, err
	}
	if err := s.validate(ctx, &in); err != nil {
		return e, false, err
	}
	var reversedKind Kind
	if in.Kind == Reversal {
		orig, err := s.fillReversal(ctx, &in)
		if err != nil {
			return e, false, err
		}
		reversedKind = orig.Kind
	}
	z, scope, grant, err := s.reachZone(ctx, in.ZoneCode, access.LedgerWrite)
	if err != nil {
		return e, false, err
	}
	if touchesDistrict(in.Kind, reversedKind) && !scope.DistrictWide() {
		return e, false, apperr.New(apperr.Forbidden, "ledger.district_only")
	}
	p, _ := access.From(ctx)
	fingerprint := requestHash(p.UserID, in)
	if existing, ok, err := s.byKey(ctx, in.IdempotencyKey, fingerprint); ok || err != nil {
		return existing, false, err
	}
	now := s.Now().UTC().Truncate(timePrecision)
	e = Entry{ID: db.NewID(), Kind: in.Kind, Status: Pending, ZoneCode: z.code, ProjectID: in.ProjectID, AmountFen: in.AmountFen,
		IdempotencyKey: in.IdempotencyKey, Memo: in.Memo, PayeeName: in.PayeeName, PayeeKind: in.PayeeKind, Reverses: in.Reverses,
		MakerID: p.UserID, MakerName: p.DisplayName, CreatedAt: now, path: z.path}
	var reverses any
	if e.Reverses != "" {
		reverses = e.Reverses
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO ledger_entries (id, idempotency_key, request_hash, kind, zone_code, path, project_id,
			amount_fen, memo, payee_name, payee_kind, reverses, status, maker_id, maker_name, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'pending',$13,$14,$15)`,
			e.ID, e.IdempotencyKey, fingerprint, string(e.Kind), e.ZoneCode, z.path, e.ProjectID, e.AmountFen, e.Memo,
			e.PayeeName, e.PayeeKind, reverses, e.MakerID, e.MakerName, now); err != nil {
			return err
		}
		a := audit.For(access.ActorOf(ctx, grant), now, "ledger.make", "ledger_entry", e.ID)
		a.OrgPath, a.After = z.path, audit.Summary(map[string]any{"kind": e.Kind, "zone": e.ZoneCode, "project": e.ProjectID,
			"amount_fen": e.AmountFen, "reverses": e.Reverses})
		_, err := audit.Append(ctx, s.DB, tx, a)
		return err
	})
	if err != nil {
		// Two requests with one key at once: the loser finds the winner's entry.
		if existing, ok, err2 := s.byKey(ctx, in.IdempotencyKey, fingerprint); ok || err2 != nil {
			return existing, false, err2
		}
		return Entry{}, false, fmt.Errorf("make ledger entry: %w", err)
	}
	return e, true, nil
}

// byKey finds the entry already made with key: ok when it was made by the same request, a
// conflict when by another.
func (s *Service) byKey(ctx context.Context, key, fingerprint string) (Entry, bool, error) {
	var id, hash string
	err := s.DB.QueryRow(ctx, `SELECT id, request_hash FROM ledger_entries WHERE idempotency_key = $1`, key).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("read entry by key: %w", err)
	}
	if hash != fingerprint {
		return Entry{}, false, apperr.New(apperr.Conflict, "ledger.key_reused")
	}
	e, err := s.entry(ctx, s.DB.Prepared(), id)
	return e, err == nil, err
}

// requestHash fingerprints a request: who sent it and what it asked, so that a key sent again
// with another body (or by another officer) is told apart.
func requestHash(userID string, in EntryInput) string {
	raw, _ := json.Marshal(struct {
		User string
		In   EntryInput
	}{userID, in})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// decide loads a pending entry the caller may decide (ledger.write over its zone; not its maker).
func (s *Service) decide(ctx context.Context, id string) (Entry, access.Grant, error) {
	scope, err := access.Need(ctx, access.LedgerWrite)
	if err != nil {
		return Entry{}, access.Grant{}, err
	}
	e, err := s.entry(ctx, s.DB.Prepared(), id)
	if err != nil {
		return e, access.Grant{}, err
	}
	if !scope.Reaches(access.Object{Kind: "ledger_entry", ID: e.ID, Path: e.path}) {
		return e, access.Grant{}, apperr.New(apperr.NotFound, "ledger.entry_not_found")
	}
	reversedKind := Kind("")
	if e.Kind == Reversal {
		orig, err := s.entry(ctx, s.DB.Prepared(), e.Reverses)
		if err != nil {
			return e, access.Grant{}, err
		}
		reversedKind = orig.Kind
	}
	if touchesDistrict(e.Kind, reversedKind) && !scope.DistrictWide() {
		return e, access.Grant{}, apperr.New(apperr.Forbidden, "ledger.district_only")
	}
	p, _ := access.From(ctx)
	if p.UserID == e.MakerID {
		return e, access.Grant{}, apperr.New(apperr.Forbidden, "ledger.own_entry")
	}
	if e.Status != Pending {
		return e, access.Grant{}, apperr.New(apperr.Conflict, "ledger.not_pending")
	}
	return e, scope.GrantCovering(e.path), nil
}

// Approve posts a pending entry made by another finance officer: its postings are written, the
// balances moved and the entry chained, in one transaction. When a balance that holds money would
// go below zero (a zone's available, a project's committed or spent), nothing is written: the
// entry stays pending (409) and may be approved once funds allow, or rejected.
//
// Every posting first takes the lock of the chain's one row (UPDATE ledger_chain … RETURNING):
// postings are serialised cluster-wide, which the hash chain needs anyway; each balance then
// moves by a guarded UPDATE … WHERE balance_fen + amount >= 0, which is correct by itself under
// READ COMMITTED (PostgreSQL re-checks the WHERE on the row it locked), and a CHECK backs it.
func (s *Service) Approve(ctx context.Context, id string) (Entry, error) {
	e, grant, err := s.decide(ctx, id)
	if err != nil {
		return e, err
	}
	p, _ := access.From(ctx)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var seq int64
		var prev string
		if err := s.DB.TxQueryRow(ctx, tx, `UPDATE ledger_chain SET seq = seq + 1 WHERE id = 1 RETURNING seq, head`).Scan(&seq, &prev); err != nil {
			return fmt.Errorf("lock the chain: %w", err)
		}
		var status string
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT status FROM ledger_entries WHERE id = $1`, e.ID).Scan(&status); err != nil {
			return err
		}
		if status != Pending {
			return apperr.New(apperr.Conflict, "ledger.not_pending")
		}
		postings, err := s.postingsFor(ctx, tx, e)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, e.ID, postings); err != nil {
			return err
		}
		now := s.Now().UTC().Truncate(timePrecision)
		e.Status, e.CheckerID, e.CheckerName, e.DecidedAt, e.Seq, e.PrevHash, e.Postings = Posted, p.UserID, p.DisplayName, &now, &seq, prev, postings
		e.Hash = chainHash(e)
		res, err := s.DB.TxExec(ctx, tx, `UPDATE ledger_entries SET status = 'posted', checker_id = $2, checker_name = $3, decided_at = $4,
			seq = $5, prev_hash = $6, hash = $7 WHERE id = $1 AND status = 'pending'`, e.ID, e.CheckerID, e.CheckerName, now, seq, prev, e.Hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "ledger.not_pending")
		}
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE ledger_chain SET head = $1 WHERE id = 1`, e.Hash); err != nil {
			return err
		}
		a := audit.For(access.ActorOf(ctx, grant), now, "ledger.approve", "ledger_entry", e.ID)
		a.OrgPath, a.Before, a.After = e.path, Pending, audit.Summary(map[string]any{"seq": seq, "hash": e.Hash, "amount_fen": e.AmountFen})
		_, err = audit.Append(ctx, s.DB, tx, a)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("approve ledger entry %s: %w", id, err)
	}
	return e, nil
}

// postingsFor computes an entry's postings inside the posting transaction: a reversal's are the
// opposite of its original's, which must be posted and not yet reversed.
func (s *Service) postingsFor(ctx context.Context, tx *sql.Tx, e Entry) ([]Posting, error) {
	if e.Kind != Reversal {
		return Postings(e.Kind, e.ZoneCode, e.ProjectID, e.AmountFen), nil
	}
	var n int
	if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM ledger_entries WHERE reverses = $1 AND status = 'posted'`, e.Reverses).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, apperr.New(apperr.Conflict, "ledger.already_reversed")
	}
	orig, err := s.postings(ctx, tx, e.Reverses)
	if err != nil {
		return nil, err
	}
	if len(orig) == 0 {
		return nil, apperr.New(apperr.Conflict, "ledger.reverses_not_posted")
	}
	return Reversed(orig), nil
}

// apply writes postings and moves the balances, in a fixed order of accounts (so that two
// transactions never wait on each other's rows crosswise). A balance that holds money and
// would go below zero refuses the whole entry (Conflict).
func (s *Service) apply(ctx context.Context, tx *sql.Tx, entryID string, postings []Posting) error {
	if !Balanced(postings) {
		return fmt.Errorf("entry %s: postings do not balance", entryID)
	}
	order := slices.Clone(postings)
	slices.SortFunc(order, func(a, b Posting) int { return strings.Compare(a.Key, b.Key) })
	for _, p := range order {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO ledger_balances (account, kind, zone_code, project_id, balance_fen)
			VALUES ($1, $2, $3, $4, 0) ON CONFLICT (account) DO NOTHING`, p.Key, p.Kind, p.ZoneCode, p.ProjectID); err != nil {
			return fmt.Errorf("open account %s: %w", p.Key, err)
		}
		q := `UPDATE ledger_balances SET balance_fen = balance_fen + $2 WHERE account = $1 AND balance_fen + $2 >= 0`
		if MayGoNegative(p.Kind) {
			q = `UPDATE ledger_balances SET balance_fen = balance_fen + $2 WHERE account = $1`
		}
		res, err := s.DB.TxExec(ctx, tx, q, p.Key, p.AmountFen)
		if err != nil {
			return fmt.Errorf("move balance %s: %w", p.Key, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "ledger.overdraw", accountKind(p.Kind))
		}
	}
	for i, p := range postings {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO ledger_postings (entry_id, line, account, amount_fen) VALUES ($1, $2, $3, $4)`,
			entryID, i+1, p.Key, p.AmountFen); err != nil {
			return fmt.Errorf("write posting: %w", err)
		}
	}
	return nil
}

// accountKind is an account kind as a message argument with a text of its own.
type accountKind string

func (k accountKind) I18nKey() string { return "ledger.account." + string(k) }

// Reject turns down a pending entry made by another finance officer, with a reason; it never
// posts. Its idempotency key stays taken.
func (s *Service) Reject(ctx context.Context, id, reason string) (Entry, error) {
	e, grant, err := s.decide(ctx, id)
	if err != nil {
		return e, err
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > 500 {
		return e, bad("reason", "ledger.bad_reason")
	}
	p, _ := access.From(ctx)
	now := s.Now().UTC().Truncate(timePrecision)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := s.DB.TxExec(ctx, tx, `UPDATE ledger_entries SET status = 'rejected', checker_id = $2, checker_name = $3, decided_at = $4,
			reason = $5 WHERE id = $1 AND status = 'pending'`, e.ID, p.UserID, p.DisplayName, now, reason)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "ledger.not_pending")
		}
		a := audit.For(access.ActorOf(ctx, grant), now, "ledger.reject", "ledger_entry", e.ID)
		a.OrgPath, a.Before, a.After = e.path, Pending, audit.Summary(map[string]any{"reason": reason})
		_, err = audit.Append(ctx, s.DB, tx, a)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("reject ledger entry %s: %w", id, err)
	}
	e.Status, e.CheckerID, e.CheckerName, e.DecidedAt, e.Reason = Rejected, p.UserID, p.DisplayName, &now, reason
	return e, nil
}
