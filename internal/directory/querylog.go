package directory

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// The query log: what residents searched, per day, and how often it found nothing. A search is a
// read, so it is counted in memory and written in batches (every flushEvery or flushAt queries),
// not one write per keystroke; the editors' page writes what is pending before it reads.

const (
	flushEvery = 10 * time.Second
	flushAt    = 200
	maxLogged  = 50 // characters of a query kept
)

type queryKey struct{ day, q string }

type queryCount struct {
	count, zero int
	last        time.Time
}

type queryLog struct {
	mu      sync.Mutex
	pending map[queryKey]*queryCount
	n       int
	since   time.Time
}

// beijing is the day a query is counted under.
var beijing = time.FixedZone("CST", 8*3600)

func (d *Directory) logQuery(ctx context.Context, q string, zero bool) {
	if q == "" {
		return
	}
	if utf8.RuneCountInString(q) > maxLogged {
		q = string([]rune(q)[:maxLogged])
	}
	now := d.now()
	l := &d.queries
	l.mu.Lock()
	if l.pending == nil {
		l.pending, l.since = map[queryKey]*queryCount{}, now
	}
	k := queryKey{now.In(beijing).Format(time.DateOnly), q}
	c := l.pending[k]
	if c == nil {
		c = &queryCount{}
		l.pending[k] = c
	}
	c.count++
	if zero {
		c.zero++
	}
	c.last = now
	l.n++
	due := l.n >= flushAt || now.Sub(l.since) >= flushEvery
	l.mu.Unlock()
	if due {
		// A failed write loses counts, never a resident's search.
		_ = d.FlushQueries(context.WithoutCancel(ctx))
	}
}

// FlushQueries writes the counted queries.
func (d *Directory) FlushQueries(ctx context.Context) error {
	l := &d.queries
	l.mu.Lock()
	batch := l.pending
	l.pending, l.n, l.since = nil, 0, d.now()
	l.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	keys := slices.SortedFunc(maps.Keys(batch), func(a, b queryKey) int {
		if c := strings.Compare(a.day, b.day); c != 0 {
			return c
		}
		return strings.Compare(a.q, b.q)
	})
	return d.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			c := batch[k]
			if _, err := d.DB.TxExec(ctx, tx, `INSERT INTO service_queries (day, q, count, zero_count, last_at) VALUES ($1,$2,$3,$4,$5)
				ON CONFLICT (day, q) DO UPDATE SET count = service_queries.count + excluded.count,
				zero_count = service_queries.zero_count + excluded.zero_count, last_at = excluded.last_at`,
				k.day, k.q, c.count, c.zero, c.last); err != nil {
				return fmt.Errorf("log query: %w", err)
			}
		}
		return nil
	})
}

// Queries is what residents searched in the last days days, most frequent first; zero keeps the
// queries that found nothing at least once.
func (d *Directory) Queries(ctx context.Context, days int, zero bool) ([]QueryStat, error) {
	if _, err := editor(ctx); err != nil {
		return nil, err
	}
	if days < 1 || days > 366 {
		return nil, apperr.New(apperr.Invalid, "request.bad_param", "days", "1–366")
	}
	if err := d.FlushQueries(ctx); err != nil {
		return nil, err
	}
	from := d.now().In(beijing).AddDate(0, 0, -days+1).Format(time.DateOnly)
	having := ""
	if zero {
		having = " HAVING sum(zero_count) > 0"
	}
	return db.QueryAll(ctx, d.DB.Prepared(), func(r db.Scanner) (QueryStat, error) {
		var s QueryStat
		var last any
		err := r.Scan(&s.Q, &s.Count, &s.ZeroCount, &last)
		s.LastAt = asTime(last)
		return s, err
	}, `SELECT q, sum(count), sum(zero_count), max(last_at) FROM service_queries WHERE day >= $1 GROUP BY q`+having+
		` ORDER BY sum(zero_count) DESC, sum(count) DESC, q LIMIT 200`, from)
}

// asTime reads an aggregate of a time column: PostgreSQL gives a time, SQLite the stored text.
func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case string:
		if parsed, err := db.ParseSQLiteTime(t); err == nil {
			return parsed.UTC()
		}
	case []byte:
		if parsed, err := db.ParseSQLiteTime(string(t)); err == nil {
			return parsed.UTC()
		}
	}
	return time.Time{}
}

// Synonyms are the editors' groups of words residents use alike.
func (d *Directory) Synonyms(ctx context.Context) ([][]string, error) {
	if _, err := editor(ctx); err != nil {
		return nil, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	return s.synonyms, nil
}

// SetSynonyms replaces the synonym groups. Search serves the whole district, so each editor's
// groups are everyone's; the change is audited.
func (d *Directory) SetSynonyms(ctx context.Context, groups [][]string) ([][]string, error) {
	scope, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if len(groups) > 500 {
		return nil, bad("groups", "directory.too_many", 500)
	}
	clean := [][]string{}
	for _, g := range groups {
		ws, err := words("groups", g, maxAlias, 20)
		if err != nil {
			return nil, err
		}
		if len(ws) == 1 {
			return nil, bad("groups", "directory.synonym_alone", ws[0])
		}
		if len(ws) > 1 {
			clean = append(clean, ws)
		}
	}
	now := d.now()
	err = d.write(ctx, func(tx *sql.Tx) (audit.Entry, error) {
		if _, err := d.DB.TxExec(ctx, tx, `DELETE FROM service_synonyms`); err != nil {
			return audit.Entry{}, err
		}
		for i, g := range clean {
			if _, err := d.DB.TxExec(ctx, tx, `INSERT INTO service_synonyms (seq, words) VALUES ($1, $2)`, i+1, jsonList(g)); err != nil {
				return audit.Entry{}, err
			}
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "directory.synonyms", "service_synonyms", "")
		e.After = audit.Summary(clean)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return clean, nil
}

// GetSettings reads the district's directory settings.
func (d *Directory) GetSettings(ctx context.Context) (Settings, error) {
	if _, err := editor(ctx); err != nil {
		return Settings{}, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return Settings{}, err
	}
	return Settings{StaleMonths: s.stale}, nil
}

// PutSettings sets the district's directory settings: a district-wide editor's decision.
func (d *Directory) PutSettings(ctx context.Context, in Settings) (Settings, error) {
	scope, err := access.NeedDistrict(ctx, access.DirectoryEdit, "directory.settings_district")
	if err != nil {
		return Settings{}, err
	}
	if in.StaleMonths < 1 || in.StaleMonths > 60 {
		return Settings{}, bad("stale_months", "directory.bad_stale_months", 1, 60)
	}
	now := d.now()
	err = d.write(ctx, func(tx *sql.Tx) (audit.Entry, error) {
		if _, err := d.DB.TxExec(ctx, tx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, staleKey, strconv.Itoa(in.StaleMonths)); err != nil {
			return audit.Entry{}, err
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "directory.settings", "settings", staleKey)
		e.After = audit.Summary(in)
		return e, nil
	})
	return in, err
}
