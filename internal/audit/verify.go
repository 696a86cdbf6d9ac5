package audit

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Break describes where the chain is broken.
type Break struct {
	Seq int64 `json:"seq"`
	// Reason is one of: edited, missing, reordered, unkeyed, unknown_key, anchor_mismatch,
	// truncated (see Verify).
	Reason string `json:"reason"`
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
	// KeyVersion is the key version of the newest record (0: the chain is not keyed).
	KeyVersion int `json:"key_version"`
	// Anchor is the newest anchor, found intact in the chain; nil when none has been written yet.
	Anchor *AnchorPoint `json:"anchor,omitempty"`
}

// Verify walks the whole chain in order and reports the first record that does not fit:
//   - edited: its content no longer matches its hash (under its key version's key);
//   - unknown_key: it names a key version the key ring does not hold;
//   - missing: a sequence number is skipped, so a record was deleted;
//   - reordered: its predecessor link points elsewhere;
//   - unkeyed: an unkeyed (version 0) record follows keyed ones: it was rewritten by someone
//     without the key;
//   - anchor_mismatch: an anchored record has another hash than when it was anchored;
//   - truncated: the chain ends before the newest anchored record (its newest records were
//     deleted); the break names the anchored record.
func Verify(ctx context.Context, d *db.DB) (Report, error) {
	keys := map[int][]byte{}
	var anchors []AnchorPoint
	if c := chainOf(d); c != nil {
		var err error
		if keys, err = c.keys.snapshot(); err != nil {
			return Report{}, fmt.Errorf("audit verify: %w", err)
		}
		if anchors, err = readAnchors(c.anchors); err != nil {
			return Report{}, fmt.Errorf("audit verify: %w", err)
		}
	}
	anchored := map[int64]AnchorPoint{}
	for _, a := range anchors {
		anchored[a.Seq] = a
	}
	rows, err := d.Query(ctx, `SELECT `+columns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	var rep Report
	prevHash, prevSeq, keyedSince := genesis, int64(0), int64(0)
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return rep, fmt.Errorf("audit verify: %w", err)
		}
		rep.Records++
		rep.Break = check(e, keys, prevSeq, prevHash, keyedSince, anchored)
		if rep.Break != nil {
			return rep, nil
		}
		if e.KeyVersion > 0 && keyedSince == 0 {
			keyedSince = e.Seq
		}
		prevHash, prevSeq, rep.KeyVersion = e.Hash, e.Seq, e.KeyVersion
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	if n := len(anchors); n > 0 {
		newest := anchors[n-1]
		if newest.Seq > prevSeq {
			rep.Break = &Break{Seq: newest.Seq, Reason: "truncated", Detail: fmt.Sprintf(
				"record %d was anchored at %s but the chain ends at record %d: the newest records were deleted",
				newest.Seq, newest.At.Format("2006-01-02 15:04:05Z07:00"), prevSeq)}
			return rep, nil
		}
		rep.Anchor = &newest
	}
	rep.Head = prevHash
	return rep, nil
}

// check tells what is wrong with e, the record after (prevSeq, prevHash), or nil.
func check(e Entry, keys map[int][]byte, prevSeq int64, prevHash string, keyedSince int64, anchored map[int64]AnchorPoint) *Break {
	key, known := keys[e.KeyVersion]
	switch {
	case e.KeyVersion > 0 && !known:
		return &Break{Seq: e.Seq, Reason: "unknown_key", Detail: fmt.Sprintf(
			"it is sealed with key version %d, which the key file does not hold", e.KeyVersion)}
	case e.hash(key) != e.Hash:
		return &Break{Seq: e.Seq, Reason: "edited", Detail: "content does not match its hash"}
	case e.Seq != prevSeq+1:
		return &Break{Seq: e.Seq, Reason: "missing",
			Detail: fmt.Sprintf("records %d–%d are missing before it", prevSeq+1, e.Seq-1)}
	case e.PrevHash != prevHash:
		return &Break{Seq: e.Seq, Reason: "reordered",
			Detail: fmt.Sprintf("it does not link to record %d: that record was rewritten, or records were reordered", prevSeq)}
	case e.KeyVersion == 0 && keyedSince > 0:
		return &Break{Seq: e.Seq, Reason: "unkeyed", Detail: fmt.Sprintf(
			"it carries no key although the chain is keyed since record %d: it was rewritten without the key", keyedSince)}
	}
	if a, ok := anchored[e.Seq]; ok && a.Hash != e.Hash {
		return &Break{Seq: e.Seq, Reason: "anchor_mismatch", Detail: fmt.Sprintf(
			"it was anchored at %s with hash %s: the chain was rewritten up to it", a.At.Format("2006-01-02 15:04:05Z07:00"), a.Hash)}
	}
	return nil
}
