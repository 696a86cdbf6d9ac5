package eval

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// The sums of whole months, kept in memory per level and month under the month's version token
// (eval_month_versions): addAll gives a month a new token in the same transaction that changes
// its sums, on whichever node applies the batch. A query reads the tokens of its months first
// and then the sums of only those months whose token it does not hold — in practice the month
// still receiving cases — so a year's rankings read one month's rows, not twelve months' sums
// grouped by the database. Reading the tokens before the sums keeps this safe: sums newer than
// their token are read again next time, and sums older than their token are never kept.

// monthCacheSize bounds how many (level, month) entries a node keeps: 9 levels × 36 months of a
// trend, about 300 KB each at the grid level.
const monthCacheSize = 400

type monthKey struct {
	level Level
	month string
}

type monthEntry struct {
	version string
	sums    map[string]Counts
}

type monthCache struct {
	mu      sync.Mutex
	entries map[monthKey]monthEntry
}

func (c *monthCache) get(k monthKey, version string) (map[string]Counts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.version != version {
		return nil, false
	}
	return e.sums, true
}

func (c *monthCache) put(k monthKey, version string, sums map[string]Counts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[monthKey]monthEntry{}
	}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= monthCacheSize {
		for old := range c.entries { // any one: the cache only saves reads
			delete(c.entries, old)
			break
		}
	}
	c.entries[k] = monthEntry{version: version, sums: sums}
}

// monthSums adds the sums of level's whole months first..last (YYYY-MM) to out.
func (s *Service) monthSums(ctx context.Context, q db.Querier, level Level, first, last string, out map[string]Counts) error {
	versions := map[string]string{}
	rows, err := q.QueryContext(ctx, `SELECT month, version FROM eval_month_versions WHERE level = $1 AND month >= $2 AND month <= $3`,
		string(level), first, last)
	if err != nil {
		return fmt.Errorf("read indicators: %w", err)
	}
	for rows.Next() {
		var month, version string
		if err := rows.Scan(&month, &version); err != nil {
			rows.Close()
			return fmt.Errorf("read indicators: %w", err)
		}
		versions[month] = version
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read indicators: %w", err)
	}
	for month, version := range versions {
		k := monthKey{level, month}
		sums, ok := s.months.get(k, version)
		if !ok {
			if sums, err = s.readMonth(ctx, q, level, month); err != nil {
				return err
			}
			s.months.put(k, version, sums)
		}
		for unit, c := range sums {
			acc := out[unit]
			acc.Add(c)
			out[unit] = acc
		}
	}
	return nil
}

// monthColumns are eval_monthly's counts, in CountCodes order.
var monthColumns = "unit, " + strings.Join(CountCodes(), ", ")

// readMonth reads one month's sums of every unit of level.
func (s *Service) readMonth(ctx context.Context, q db.Querier, level Level, month string) (map[string]Counts, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+monthColumns+` FROM eval_monthly WHERE level = $1 AND month = $2`, string(level), month)
	if err != nil {
		return nil, fmt.Errorf("read indicators: %w", err)
	}
	defer rows.Close()
	out := map[string]Counts{}
	var c Counts
	var unit string
	dest := make([]any, 1+len(c))
	dest[0] = &unit
	for i := range c {
		dest[i+1] = &c[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read indicators: %w", err)
		}
		out[unit] = c
	}
	return out, rows.Err()
}

// touchMonths gives each (level, month) a batch changed a new version token.
func (s *Service) touchMonths(ctx context.Context, tx *sql.Tx, keys []bucket) error {
	for _, b := range keys {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO eval_month_versions (level, month, version) VALUES ($1, $2, $3)
			ON CONFLICT (level, month) DO UPDATE SET version = excluded.version`, string(b.level), b.day, db.NewID()); err != nil {
			return fmt.Errorf("eval %s %s version: %w", b.level, b.day, err)
		}
	}
	return nil
}
