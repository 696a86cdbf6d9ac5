package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/textsearch"
)

// On SQLite a case's row in the keyword index (FTS5) is keyed by its report time: milliseconds
// since 1970 × 10⁶ plus the case's own row number modulo 10⁶, which keeps keys unique. FTS5
// walks a word's matches in key order, so "newest matches first" reads matches from the newest
// and stops after one page, however common the word; it never gathers and sorts them all.
// (Migration 00008 keys the rows written before the same way.)
const searchKeySpread = 1_000_000

func searchKey(reportedAt time.Time, rowid int64) int64 {
	// Rounded to the millisecond as SQLite's date functions round (migration 00008 uses them).
	return reportedAt.Round(time.Millisecond).UnixMilli()*searchKeySpread + rowid%searchKeySpread
}

// index stores the case text for keyword search (bigram tokens, the same on both engines).
// caseRowid is the case's SQLite row number (unused on PostgreSQL, which keeps the report time
// beside the tokens, indexed for walking newest first: migration 00010).
func (s *Service) index(ctx context.Context, tx *sql.Tx, caseID string, caseRowid int64, reportedAt time.Time, text string) error {
	doc := textsearch.Document(text)
	if s.DB.Engine == db.Postgres {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_search (case_id, tokens, reported_at) VALUES ($1, to_tsvector('simple', $2), $3)`,
			caseID, doc, reportedAt.UTC()); err != nil {
			return fmt.Errorf("index case: %w", err)
		}
		return nil
	}
	// Two cases reported in the same millisecond whose row numbers agree modulo 10⁶ would share a
	// key; the next free key then serves (it sorts the same to the millisecond).
	key := searchKey(reportedAt, caseRowid)
	for tries := 0; ; tries++ {
		_, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_search (rowid, case_id, tokens) VALUES ($1, $2, $3)`, key, caseID, doc)
		if err == nil {
			return nil
		}
		if tries > 8 || !strings.Contains(err.Error(), "constraint") {
			return fmt.Errorf("index case: %w", err)
		}
		key++
	}
}
