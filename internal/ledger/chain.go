package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Genesis is the previous hash of the first posted entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// chainHash is a posted entry's hash: SHA-256 over the previous entry's hash and everything the
// entry says — who made and approved it, when, what moved where. Changing any posted entry
// (which the database refuses anyway) would break every hash after it, and the published heads.
func chainHash(e Entry) string {
	var b strings.Builder
	seq := int64(0)
	if e.Seq != nil {
		seq = *e.Seq
	}
	decided := ""
	if e.DecidedAt != nil {
		decided = e.DecidedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, field := range []string{e.PrevHash, strconv.FormatInt(seq, 10), e.ID, string(e.Kind), e.ZoneCode, e.ProjectID,
		strconv.FormatInt(e.AmountFen, 10), e.Reverses, e.PayeeKind, e.PayeeName, e.Memo, e.MakerID, e.CheckerID,
		e.CreatedAt.UTC().Format(time.RFC3339Nano), decided} {
		b.WriteString(strconv.Quote(field))
		b.WriteByte('\n')
	}
	for _, p := range e.Postings {
		fmt.Fprintf(&b, "%q %d\n", p.Key, p.AmountFen)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Verify walks the chain of posted entries in order and recomputes each hash: it returns how
// many entries it checked, or an error naming the first that does not fit.
func (s *Service) Verify(ctx context.Context) (int, error) {
	list, err := db.QueryAll(ctx, s.DB.Prepared(), scanEntry, `SELECT `+entryColumns+` FROM ledger_entries WHERE status = 'posted' ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("verify the ledger chain: %w", err)
	}
	prev := Genesis
	for i, e := range list {
		if e.Seq == nil || *e.Seq != int64(i+1) || e.PrevHash != prev {
			return i, fmt.Errorf("verify the ledger chain: entry %s breaks the sequence at %d", e.ID, i+1)
		}
		if e.Postings, err = s.postings(ctx, s.DB.Prepared(), e.ID); err != nil {
			return i, err
		}
		if chainHash(e) != e.Hash {
			return i, fmt.Errorf("verify the ledger chain: entry %s (seq %d) does not match its hash", e.ID, i+1)
		}
		prev = e.Hash
	}
	var head string
	if err := s.DB.QueryRow(ctx, `SELECT head FROM ledger_chain WHERE id = 1`).Scan(&head); err != nil {
		return len(list), err
	}
	if head != prev {
		return len(list), fmt.Errorf("verify the ledger chain: the head is not the last entry's hash")
	}
	return len(list), nil
}

// Close publishes the balances of every account and the chain head (a job, daily by default).
// It holds the chain's lock while it reads, so the close sees one posting's worth of state.
func (s *Service) Close(ctx context.Context, now time.Time) (Close, error) {
	c := Close{ID: db.NewID(), ClosedAt: now.UTC().Truncate(timePrecision)}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.DB.TxQueryRow(ctx, tx, `UPDATE ledger_chain SET seq = seq WHERE id = 1 RETURNING seq, head`).Scan(&c.Seq, &c.Head); err != nil {
			return err
		}
		var err error
		if c.Balances, err = s.Balances(ctx, tx); err != nil {
			return err
		}
		raw, err := json.Marshal(c.Balances)
		if err != nil {
			return err
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO ledger_closes (id, closed_at, seq, head, balances) VALUES ($1, $2, $3, $4, $5)`,
			c.ID, c.ClosedAt, c.Seq, c.Head, string(raw)); err != nil {
			return err
		}
		a := audit.For(access.Actor{ID: "system", Name: "ledger.close", Role: "system"}, c.ClosedAt, "ledger.close", "ledger_close", c.ID)
		a.After = audit.Summary(map[string]any{"seq": c.Seq, "head": c.Head, "accounts": len(c.Balances)})
		_, err = audit.Append(ctx, s.DB, tx, a)
		return err
	})
	if err != nil {
		return Close{}, fmt.Errorf("close the ledger: %w", err)
	}
	return c, nil
}

// Closes lists the latest closes, newest first (ledger.read over the whole district: a close
// holds every zone's balances).
func (s *Service) Closes(ctx context.Context, limit int) ([]Close, error) {
	if _, err := access.NeedDistrict(ctx, access.LedgerRead, "ledger.closes_district"); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 30
	}
	if limit < 1 || limit > 366 {
		return nil, bad("limit", "ledger.bad_limit")
	}
	return db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (Close, error) {
		var c Close
		var raw string
		if err := r.Scan(&c.ID, &c.ClosedAt, &c.Seq, &c.Head, &raw); err != nil {
			return c, err
		}
		c.ClosedAt = c.ClosedAt.UTC()
		return c, json.Unmarshal([]byte(raw), &c.Balances)
	}, `SELECT id, closed_at, seq, head, balances FROM ledger_closes ORDER BY closed_at DESC, id DESC LIMIT $1`, limit)
}
