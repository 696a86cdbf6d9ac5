package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// timePrecision is what both engines keep of a time: the hash chain covers times read back.
const timePrecision = time.Microsecond

const entryColumns = `id, kind, status, zone_code, path, project_id, amount_fen, idempotency_key, request_hash, memo, payee_name,
	payee_kind, reverses, maker_id, maker_name, created_at, checker_id, checker_name, decided_at, reason, seq, prev_hash, hash`

func scanEntry(r db.Scanner) (Entry, error) {
	var e Entry
	var reverses, checker sql.NullString
	var seq sql.NullInt64
	err := r.Scan(&e.ID, &e.Kind, &e.Status, &e.ZoneCode, &e.path, &e.ProjectID, &e.AmountFen, &e.IdempotencyKey, &e.requestHash,
		&e.Memo, &e.PayeeName, &e.PayeeKind, &reverses, &e.MakerID, &e.MakerName, &e.CreatedAt, &checker, &e.CheckerName,
		&e.DecidedAt, &e.Reason, &seq, &e.PrevHash, &e.Hash)
	e.Reverses, e.CheckerID, e.CreatedAt = reverses.String, checker.String, e.CreatedAt.UTC()
	if seq.Valid {
		e.Seq = &seq.Int64
	}
	if e.DecidedAt != nil {
		t := e.DecidedAt.UTC()
		e.DecidedAt = &t
	}
	return e, err
}

// entry reads one entry (no scope check).
func (s *Service) entry(ctx context.Context, q db.Querier, id string) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM ledger_entries WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.New(apperr.NotFound, "ledger.entry_not_found")
	}
	if err != nil {
		return e, fmt.Errorf("read ledger entry %s: %w", id, err)
	}
	return e, nil
}

// postings reads a posted entry's postings, in line order.
func (s *Service) postings(ctx context.Context, q db.Querier, entryID string) ([]Posting, error) {
	return db.QueryAll(ctx, q, func(r db.Scanner) (Posting, error) {
		var p Posting
		err := r.Scan(&p.Key, &p.AmountFen, &p.Kind, &p.ZoneCode, &p.ProjectID)
		return p, err
	}, `SELECT p.account, p.amount_fen, b.kind, b.zone_code, b.project_id FROM ledger_postings p
		JOIN ledger_balances b ON b.account = p.account WHERE p.entry_id = $1 ORDER BY p.line`, entryID)
}

// Get reads an entry in reach (ledger.read) with its postings and evidence.
func (s *Service) Get(ctx context.Context, id string) (Entry, error) {
	scope, err := access.Need(ctx, access.LedgerRead)
	if err != nil {
		return Entry{}, err
	}
	e, err := s.entry(ctx, s.DB.Prepared(), id)
	if err != nil {
		return e, err
	}
	if !scope.Reaches(access.Object{Kind: "ledger_entry", ID: e.ID, Path: e.path}) {
		return Entry{}, apperr.New(apperr.NotFound, "ledger.entry_not_found")
	}
	if e.Postings, err = s.postings(ctx, s.DB.Prepared(), e.ID); err != nil {
		return e, err
	}
	e.Evidence, err = s.evidenceOf(ctx, e.ID)
	return e, err
}

// Filter narrows the list of entries.
type Filter struct {
	ZoneCode, Status, Kind, ProjectID string
	Limit                             int
}

// List lists the entries in reach (ledger.read), newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, error) {
	scope, err := access.Need(ctx, access.LedgerRead)
	if err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains([]string{Pending, Posted, Rejected}, f.Status) {
		return nil, bad("status", "ledger.bad_status", f.Status)
	}
	if f.Kind != "" && !slices.Contains(Kinds, Kind(f.Kind)) {
		return nil, bad("kind", "ledger.bad_kind", f.Kind)
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 500 {
		return nil, bad("limit", "ledger.bad_limit")
	}
	cond, args := scope.PathCondition("path", 1)
	for _, c := range []struct{ column, value string }{{"zone_code", f.ZoneCode}, {"status", f.Status}, {"kind", f.Kind}, {"project_id", f.ProjectID}} {
		if c.value != "" {
			args = append(args, c.value)
			cond += " AND " + c.column + " = $" + strconv.Itoa(len(args))
		}
	}
	args = append(args, f.Limit)
	return db.QueryAll(ctx, s.DB.Prepared(), scanEntry, `SELECT `+entryColumns+` FROM ledger_entries WHERE `+cond+`
		ORDER BY created_at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
}

// fund sums a zone's balances: allocated = committed (paid out included) + available.
func (s *Service) fund(ctx context.Context, code string) (Fund, error) {
	f := Fund{ZoneCode: code}
	rows, err := s.DB.Query(ctx, `SELECT kind, coalesce(sum(balance_fen), 0) FROM ledger_balances WHERE zone_code = $1 GROUP BY kind`, code)
	if err != nil {
		return f, fmt.Errorf("read the fund of %s: %w", code, err)
	}
	defer rows.Close()
	var committed int64
	for rows.Next() {
		var kind string
		var sum int64
		if err := rows.Scan(&kind, &sum); err != nil {
			return f, err
		}
		switch kind {
		case Available:
			f.AvailableFen = sum
		case Committed:
			committed = sum
		case Spent:
			f.DisbursedFen = sum
		}
	}
	f.CommittedFen = committed + f.DisbursedFen
	f.AllocatedFen = f.CommittedFen + f.AvailableFen
	return f, rows.Err()
}

// Fund reads a zone's seed fund (ledger.read over the zone).
func (s *Service) Fund(ctx context.Context, code string) (Fund, error) {
	if _, _, _, err := s.reachZone(ctx, code, access.LedgerRead); err != nil {
		return Fund{}, err
	}
	return s.fund(ctx, code)
}

// PublicFund is a zone's seed fund for anyone: its figures and its posted entries, oldest first,
// without memos and with a payee named only when it is an organisation.
func (s *Service) PublicFund(ctx context.Context, code string) (PublicFund, error) {
	z, err := s.zone(ctx, code)
	if err != nil {
		return PublicFund{}, err
	}
	f, err := s.fund(ctx, code)
	if err != nil {
		return PublicFund{}, err
	}
	list, err := db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (PublicEntry, error) {
		var e PublicEntry
		var payeeKind string
		var reverses sql.NullString
		err := r.Scan(&e.ID, &e.Kind, &e.ProjectID, &e.AmountFen, &e.PayeeName, &payeeKind, &reverses, &e.PostedAt, &e.Hash)
		if payeeKind != PayeeOrganisation {
			e.PayeeName = ""
		}
		e.Reverses, e.PostedAt = reverses.String, e.PostedAt.UTC()
		return e, err
	}, `SELECT id, kind, project_id, amount_fen, payee_name, payee_kind, reverses, decided_at, hash FROM ledger_entries
		WHERE zone_code = $1 AND status = 'posted' ORDER BY seq`, code)
	return PublicFund{Fund: f, ZoneName: z.name, Entries: list}, err
}

// Balances reads every account's balance, in account order.
func (s *Service) Balances(ctx context.Context, q db.Querier) ([]Balance, error) {
	return db.QueryAll(ctx, q, func(r db.Scanner) (Balance, error) {
		var b Balance
		err := r.Scan(&b.Key, &b.Kind, &b.ZoneCode, &b.ProjectID, &b.BalanceFen)
		return b, err
	}, `SELECT account, kind, zone_code, project_id, balance_fen FROM ledger_balances ORDER BY account`)
}
