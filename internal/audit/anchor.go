package audit

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// AnchorPoint is a chain head written outside the database: the record's number, its hash and
// when it was anchored. A later chain must still hold that record with that hash, so deleting the
// newest records, or rewriting records with the key, shows up as soon as an anchor covers them.
type AnchorPoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
}

// Anchor appends the chain's current head to the anchor log (one "seq hash at" line), unless the
// log already ends with it. It is the periodic job "audit.anchor"; repeating it is harmless.
func Anchor(ctx context.Context, d *db.DB, now time.Time) error {
	c := chainOf(d)
	if c == nil || c.anchors == "" {
		return nil
	}
	var p AnchorPoint
	err := d.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&p.Seq, &p.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit anchor: read chain head: %w", err)
	}
	points, err := readAnchors(c.anchors)
	if err != nil {
		return err
	}
	if n := len(points); n > 0 && points[n-1].Seq == p.Seq && points[n-1].Hash == p.Hash {
		return nil
	}
	f, err := os.OpenFile(c.anchors, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit anchor: %w", err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%d %s %s\n", p.Seq, p.Hash, now.UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("audit anchor: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit anchor: %w", err)
	}
	return f.Close()
}

// readAnchors reads the anchor log in the order it was written; a missing log has no anchors.
func readAnchors(file string) ([]AnchorPoint, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit anchors: %w", err)
	}
	defer f.Close()
	var points []AnchorPoint
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		var p AnchorPoint
		if len(fields) == 3 {
			p.Seq, err = strconv.ParseInt(fields[0], 10, 64)
			if err == nil {
				p.At, err = time.Parse(time.RFC3339, fields[2])
			}
			p.Hash = fields[1]
		}
		if len(fields) != 3 || err != nil || p.Seq < 1 || len(p.Hash) != 64 {
			return nil, fmt.Errorf("audit anchors: %s line %d: want \"seq hash time\"", file, n)
		}
		points = append(points, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit anchors: %w", err)
	}
	return points, nil
}
