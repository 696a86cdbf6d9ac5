// Package dbtest gives tests a fresh, migrated database on every engine yiwang supports, so one
// store test suite runs against SQLite always and against PostgreSQL when YIWANG_TEST_PG names a
// server (CI sets it, and fails rather than skips when it is missing).
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// PostgresURL returns the admin URL of the test PostgreSQL server, or "" when none is configured.
// Under CI=true a missing server is a test failure, never a skip.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("YIWANG_TEST_PG")
	if u == "" && os.Getenv("CI") == "true" {
		t.Fatal("CI=true but YIWANG_TEST_PG is not set: the store suite must run against PostgreSQL in CI")
	}
	return u
}

// Engines lists the engines this test run covers.
func Engines(t testing.TB) []db.Engine {
	engines := []db.Engine{db.SQLite}
	if PostgresURL(t) != "" {
		engines = append(engines, db.Postgres)
	}
	return engines
}

// Open returns a fresh migrated database of the given engine, removed when the test ends.
func Open(t testing.TB, engine db.Engine) *db.DB {
	t.Helper()
	ctx := context.Background()
	var opts db.Options
	switch engine {
	case db.SQLite:
		opts.DataDir = t.TempDir()
	case db.Postgres:
		opts.URL = freshPostgres(t)
	}
	d, err := db.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	if opts.URL != "" {
		urls.Store(d, opts.URL)
	}
	return d
}

// urls remembers where each PostgreSQL test database lives, for OpenAgain.
var urls sync.Map

// OpenAgain opens a second handle on the PostgreSQL database d (from Open), as another yiwang
// node sharing it would.
func OpenAgain(t testing.TB, d *db.DB) *db.DB {
	t.Helper()
	u, ok := urls.Load(d)
	if !ok {
		t.Fatal("OpenAgain: not a PostgreSQL database from dbtest.Open")
	}
	other, err := db.Open(context.Background(), db.Options{URL: u.(string)})
	if err != nil {
		t.Fatalf("open again: %v", err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// ForEachEngine runs fn as a subtest per engine, each with its own fresh database.
func ForEachEngine(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	for _, engine := range Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}

// PostgresDatabase creates an empty database on the test server, dropped after the test, and
// returns its URL: for yiwang processes started by a test, which migrate it themselves.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	return freshPostgres(t)
}

// freshPostgres creates a new database on the test server and drops it after the test.
func freshPostgres(t testing.TB) string {
	t.Helper()
	admin := PostgresURL(t)
	name := "yiwang_test_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	defer conn.Close()
	if _, err := conn.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer c.Close()
		c.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse YIWANG_TEST_PG: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// MustExec runs a statement or fails the test.
func MustExec(t testing.TB, d *db.DB, query string, args ...any) {
	t.Helper()
	if _, err := d.Write.Exec(query, args...); err != nil {
		t.Fatalf("exec %s: %v", fmt.Sprint(query), err)
	}
}
