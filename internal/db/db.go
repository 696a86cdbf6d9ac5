// Package db opens yiwang's database — embedded SQLite by default, PostgreSQL when a URL is
// configured — and applies the embedded, versioned migrations. Domain packages write their own
// SQL against the handle it returns; the same SQL text ($N placeholders) runs on both engines.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names the storage engine behind a DB.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is the database handle shared by every domain package.
// On SQLite, writes go through a single connection (SQLite allows one writer; one connection
// avoids "database is locked" errors) and reads through a pool. On PostgreSQL both are one pool.
type DB struct {
	Engine Engine
	Write  *sql.DB
	Read   *sql.DB
	// Location describes where the data lives, without credentials (for logs and /readyz).
	Location string

	stmts stmtCache
	ckpt  *checkpointer
}

// Options says which database to open.
type Options struct {
	// URL is a PostgreSQL URL (postgres://…); empty means SQLite in DataDir.
	URL     string
	DataDir string
}

// Open opens the database without migrating it.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if strings.HasPrefix(opts.URL, "postgres://") || strings.HasPrefix(opts.URL, "postgresql://") {
		return openPostgres(ctx, opts.URL)
	}
	if opts.URL != "" {
		return nil, fmt.Errorf("open database: unsupported URL scheme (want postgres://…): %q", redact(opts.URL))
	}
	return openSQLite(ctx, opts.DataDir)
}

// sqliteMmapSize is how much of the database file a SQLite connection reads through a memory map;
// sqliteCacheSize its page cache (negative: in KiB, here 16 MiB).
const (
	sqliteMmapSize  = 1 << 30
	sqliteCacheSize = -16384
)

func openSQLite(ctx context.Context, dir string) (*DB, error) {
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open database: create data dir: %w", err)
	}
	file := filepath.Join(dir, "yiwang.db")
	// busy_timeout first so that every later pragma waits instead of failing;
	// synchronous=FULL so that an acknowledged commit survives power loss, not only a crash;
	// temp_store=MEMORY keeps statement journals off disk; mmap_size lets readers, whose page
	// cache every commit invalidates, read the database file without a system call per page.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(" + strconv.Itoa(sqliteCacheSize) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_pragma=mmap_size(" + strconv.Itoa(sqliteMmapSize) + ")&_time_format=sqlite"
	// The file name is a URI: characters such as '#' and '?' in a directory name must be escaped.
	uri := "file:" + strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(file)
	// The writer checkpoints only when the log passes 64 MiB (16384 pages, not SQLite's 1000):
	// copying the log into the database, with its fsyncs, would otherwise stall a commit every few
	// batches; a checkpointer of its own does it in the background (checkpoint.go). The log file
	// is cut back to 64 MiB whenever it starts over.
	write, err := sql.Open("sqlite", uri+"?"+pragmas+"&_pragma=wal_autocheckpoint(16384)&_pragma=journal_size_limit(67108864)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", uri+"?"+pragmas+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	read.SetMaxOpenConns(8)
	// Keep every reader open: a new connection costs its pragmas and its prepared statements.
	read.SetMaxIdleConns(8)
	read.SetConnMaxLifetime(0)
	d := &DB{Engine: SQLite, Write: write, Read: read, Location: file}
	// The write connection creates the file and switches it to WAL before any reader opens it.
	if err := write.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	if d.ckpt, err = startCheckpointer(uri + "?" + pragmas); err != nil {
		d.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	pool, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redact(rawURL), err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(16)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database %s: %w", redact(rawURL), err)
	}
	return &DB{Engine: Postgres, Write: pool, Read: pool, Location: redact(rawURL)}, nil
}

// Close closes both pools. On SQLite it first folds the WAL back into the main file so that a
// copied data directory is complete.
func (d *DB) Close() error {
	d.stmts.close()
	var errs []error
	if d.ckpt != nil {
		errs = append(errs, d.ckpt.close())
	}
	if d.Engine == SQLite && d.Write != nil {
		if _, err := d.Write.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errs = append(errs, err)
		}
	}
	if d.Read != nil && d.Read != d.Write {
		errs = append(errs, d.Read.Close())
	}
	if d.Write != nil {
		errs = append(errs, d.Write.Close())
	}
	return errors.Join(errs...)
}

// Tx runs fn in a write transaction and commits it when fn returns nil.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	return d.Read.PingContext(ctx)
}

// NewID returns a new time-ordered unique identifier (UUIDv7). IDs are made by the application,
// not by sequences, so several yiwang nodes can write to one PostgreSQL without coordination.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

func migrationFS(e Engine) fs.FS {
	sub, err := fs.Sub(migrations, "migrations/"+string(e))
	if err != nil {
		panic(err) // the folders are embedded at build time
	}
	return sub
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable database URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}
