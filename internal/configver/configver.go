// Package configver keeps the versions of settings edited on the configuration pages (notification
// templates, the SMS and WeChat gateways): every change is kept whole with the instant it takes
// effect from, so a district can plan a change ahead, see what is in force and what is pending,
// and tell what applied at any instant. The work calendar keeps its own versions (package
// calendar), which follow the same rule for the instant (EffectiveFrom).
package configver

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Version is one saved version of a setting.
type Version struct {
	ID            string          `json:"id"`
	Area          string          `json:"area"`
	Key           string          `json:"key"`
	Data          json.RawMessage `json:"data"`
	EffectiveFrom time.Time       `json:"effective_from"`
	CreatedAt     time.Time       `json:"created_at"`
	CreatedBy     string          `json:"created_by"`
	// State is "past" (replaced by a later version in force), "current" (in force now) or
	// "pending" (takes effect later).
	State string `json:"state"`
}

// Store reads and adds versions. Every node keeps all versions in memory and reloads them when
// any node adds one (settings key configver_version).
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// RecheckEvery is how often the cache asks whether another node added a version (0: 10 s).
	RecheckEvery time.Duration

	cache db.Versioned[map[string][]Version]
}

// MaxLateness is how far in the past an effective_from may be: a form filled in a minute ago
// means "now", an hour ago would rewrite what was in force.
const MaxLateness = 5 * time.Minute

// EffectiveFrom checks a requested instant against now: zero means now, a few minutes late means
// now, earlier is refused with errKey (the instant in Beijing time as its parameter).
func EffectiveFrom(requested, now time.Time, errKey string) (time.Time, error) {
	if requested.IsZero() {
		return now, nil
	}
	requested = requested.UTC()
	if requested.Before(now.Add(-MaxLateness)) {
		return time.Time{}, apperr.New(apperr.Invalid, errKey, requested.In(beijing).Format("2006-01-02 15:04"))
	}
	if requested.Before(now) {
		return now, nil
	}
	return requested, nil
}

var beijing = time.FixedZone("CST", 8*3600)

func mapKey(area, key string) string { return area + "\x00" + key }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) source() db.VersionSource[map[string][]Version] {
	return db.VersionSource[map[string][]Version]{DB: s.DB, Key: "configver_version", Every: s.RecheckEvery, Now: s.Now, Load: s.load}
}

func (s *Store) load(ctx context.Context) (map[string][]Version, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, area, key, data, effective_from, created_at, created_by
		FROM config_versions ORDER BY area, key, effective_from, created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read setting versions: %w", err)
	}
	defer rows.Close()
	out := map[string][]Version{}
	for rows.Next() {
		var v Version
		var data string
		if err := rows.Scan(&v.ID, &v.Area, &v.Key, &data, &v.EffectiveFrom, &v.CreatedAt, &v.CreatedBy); err != nil {
			return nil, fmt.Errorf("read setting versions: %w", err)
		}
		v.Data = json.RawMessage(data)
		v.EffectiveFrom, v.CreatedAt = v.EffectiveFrom.UTC(), v.CreatedAt.UTC()
		k := mapKey(v.Area, v.Key)
		out[k] = append(out[k], v)
	}
	return out, rows.Err()
}

// At returns the version of (area, key) in force at t: the latest effective at or before t (ties:
// the one saved last); ok is false when none is.
func (s *Store) At(ctx context.Context, area, key string, t time.Time) (Version, bool, error) {
	all, err := s.cache.Get(ctx, s.source())
	if err != nil {
		return Version{}, false, err
	}
	vs := all[mapKey(area, key)]
	i := sort.Search(len(vs), func(i int) bool { return vs[i].EffectiveFrom.After(t) })
	if i == 0 {
		return Version{}, false, nil
	}
	return vs[i-1], true, nil
}

// List returns every version of area, each with its state now, ordered by key then effective
// instant.
func (s *Store) List(ctx context.Context, area string) ([]Version, error) {
	all, err := s.cache.Get(ctx, s.source())
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Version
	for _, vs := range all {
		if len(vs) == 0 || vs[0].Area != area {
			continue
		}
		current := -1
		for i, v := range vs {
			if !v.EffectiveFrom.After(now) {
				current = i
			}
		}
		for i, v := range vs {
			switch {
			case i == current:
				v.State = "current"
			case i < current:
				v.State = "past"
			default:
				v.State = "pending"
			}
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].EffectiveFrom.Before(out[j].EffectiveFrom)
	})
	return out, nil
}

// Add stores a version of (area, key) inside tx, effective from from, and tells every node's
// cache. The caller audits the change in the same transaction and calls Reload after commit.
func (s *Store) Add(ctx context.Context, tx *sql.Tx, area, key string, data []byte, from time.Time, by string) (Version, error) {
	v := Version{ID: db.NewID(), Area: area, Key: key, Data: data, EffectiveFrom: from.UTC(), CreatedAt: s.now().UTC(), CreatedBy: by}
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO config_versions (id, area, key, data, effective_from, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.ID, area, key, string(data), v.EffectiveFrom, v.CreatedAt, by); err != nil {
		return v, fmt.Errorf("store setting version: %w", err)
	}
	if err := db.BumpVersion(ctx, tx, "configver_version"); err != nil {
		return v, err
	}
	return v, nil
}

// Reload rebuilds this node's copy now (after a change committed here).
func (s *Store) Reload(ctx context.Context) error {
	_, err := s.cache.Reload(ctx, s.source())
	return err
}
