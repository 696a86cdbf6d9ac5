package audit

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Break describes where the chain is broken.
type Break struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"` // "edited", "missing", "reordered"
	Detail string `json:"detail"`
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit record %d: %s (%s)", b.Seq, b.Reason, b.Detail)
}

// Report is the outcome of a verification.
type Report struct {
	Records int64  `json:"records"`
	Head    string `json:"head"`
	Break   *Break `json:"break,omitempty"`
}

// Verify walks the whole chain in order and reports the first record that does not fit:
// edited (its content no longer matches its hash), missing (a sequence number is skipped, so a
// record was deleted) or reordered (its predecessor link points elsewhere).
func Verify(ctx context.Context, d *db.DB) (Report, error) {
	rows, err := d.Query(ctx, `SELECT `+columns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	var rep Report
	prevHash, prevSeq := genesis, int64(0)
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return rep, fmt.Errorf("audit verify: %w", err)
		}
		rep.Records++
		switch {
		case e.hash() != e.Hash:
			rep.Break = &Break{Seq: e.Seq, Reason: "edited", Detail: "content does not match its hash"}
		case e.Seq != prevSeq+1:
			rep.Break = &Break{Seq: e.Seq, Reason: "missing",
				Detail: fmt.Sprintf("records %d–%d are missing before it", prevSeq+1, e.Seq-1)}
		case e.PrevHash != prevHash:
			rep.Break = &Break{Seq: e.Seq, Reason: "reordered",
				Detail: fmt.Sprintf("it does not link to record %d: that record was rewritten, or records were reordered", prevSeq)}
		}
		if rep.Break != nil {
			return rep, nil
		}
		prevHash, prevSeq = e.Hash, e.Seq
	}
	rep.Head = prevHash
	return rep, rows.Err()
}
