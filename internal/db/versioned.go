package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Several nodes may share one PostgreSQL, and each keeps some data in memory (the grid locate
// index, the work calendar, the routing rules). Whoever changes such data also writes a new
// version under a key of the settings table, in the same transaction (BumpVersion); each node
// asks for that version at most every few seconds and rebuilds its copy when it changed
// (Versioned).

// BumpVersion gives the settings key a new version inside tx: every node's Versioned copy of the
// data behind key is rebuilt at its next check.
func BumpVersion(ctx context.Context, tx *sql.Tx, key string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, NewID()); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// VersionSource says where a Versioned value comes from and how often to check it.
type VersionSource[T any] struct {
	DB  *DB
	Key string // the settings key changed with the data (BumpVersion)
	// Every is how often Get asks for the version; 0 means 10 s.
	Every time.Duration
	Now   func() time.Time // nil means time.Now
	// Load builds the value from the database.
	Load func(context.Context) (T, error)
}

// Versioned is a value built from the database, kept in memory and rebuilt when its settings key
// changes. The zero value is empty and ready; every call names the source.
type Versioned[T any] struct {
	current   atomic.Pointer[versionedValue[T]]
	reloading sync.Mutex // one rebuild at a time
}

type versionedValue[T any] struct {
	value     T
	version   string
	checkedAt time.Time
}

// Get returns the value, asking for the version when the last check is older than src.Every (or
// the clock went back) and rebuilding the value when the version changed.
func (c *Versioned[T]) Get(ctx context.Context, src VersionSource[T]) (T, error) {
	now := src.now()
	cur := c.current.Load()
	if cur != nil && now.Sub(cur.checkedAt) < src.every() && now.Sub(cur.checkedAt) >= 0 {
		return cur.value, nil
	}
	v, err := src.version(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	if cur != nil && v == cur.version {
		c.current.Store(&versionedValue[T]{value: cur.value, version: v, checkedAt: now})
		return cur.value, nil
	}
	return c.rebuild(ctx, src, false)
}

// Reload rebuilds the value now (after a change this node made, or at start).
func (c *Versioned[T]) Reload(ctx context.Context, src VersionSource[T]) (T, error) {
	return c.rebuild(ctx, src, true)
}

// Forget drops the value: the next Get rebuilds it.
func (c *Versioned[T]) Forget() {
	c.current.Store(nil)
}

func (c *Versioned[T]) rebuild(ctx context.Context, src VersionSource[T], always bool) (T, error) {
	c.reloading.Lock()
	defer c.reloading.Unlock()
	var zero T
	// The version is read before the data: a change committed in between only makes the next
	// check rebuild again.
	v, err := src.version(ctx)
	if err != nil {
		return zero, err
	}
	if cur := c.current.Load(); !always && cur != nil && cur.version == v {
		// Another caller rebuilt it while this one waited for the lock.
		c.current.Store(&versionedValue[T]{value: cur.value, version: v, checkedAt: src.now()})
		return cur.value, nil
	}
	value, err := src.Load(ctx)
	if err != nil {
		return zero, err
	}
	c.current.Store(&versionedValue[T]{value: value, version: v, checkedAt: src.now()})
	return value, nil
}

func (src VersionSource[T]) version(ctx context.Context) (string, error) {
	var v string
	err := src.DB.Read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, src.Key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil // nothing changed since the database was made
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", src.Key, err)
	}
	return v, nil
}

func (src VersionSource[T]) every() time.Duration {
	if src.Every == 0 {
		return 10 * time.Second
	}
	return src.Every
}

func (src VersionSource[T]) now() time.Time {
	if src.Now == nil {
		return time.Now()
	}
	return src.Now()
}
