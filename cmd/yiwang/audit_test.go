package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/audit"
)

// withApp opens the data directory as yiwang serve would and runs fn on it.
func withApp(t *testing.T, dir string, fn func(a *app.App)) {
	t.Helper()
	cfg := app.Defaults()
	cfg.DataDir, cfg.PasswordCost = dir, "test"
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fn(a)
}

// The key file and the anchor log live beside the database; rotating the key keeps old records
// verifiable, and deleting the newest records below an anchor is named.
func TestAuditRotateKeyAndAnchoredTruncation(t *testing.T) {
	dir := demoDir(t)
	out, err := run(t, auditCmd, "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "intact") || !strings.Contains(out, "key version: 1") || !strings.Contains(out, "no anchor yet") {
		t.Fatalf("fresh chain: %v %s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(dir, "audit.keys")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	out, err = run(t, auditCmd, "rotate-key", "--data", dir)
	if err != nil || !strings.Contains(out, "key version 2") {
		t.Fatalf("rotate-key: %v %s", err, out)
	}
	var head int64
	withApp(t, dir, func(a *app.App) {
		// The next record is sealed with version 2; then the head is anchored.
		e := audit.Entry{At: time.Now(), ActorID: "cli:test", OrgPath: "/", Action: "test.after_rotation"}
		if err := audit.Record(context.Background(), a.DB, e); err != nil {
			t.Fatal(err)
		}
		if err := audit.Anchor(context.Background(), a.DB, time.Now()); err != nil {
			t.Fatal(err)
		}
		a.DB.QueryRow(context.Background(), `SELECT max(seq) FROM audit_log`).Scan(&head)
	})
	out, err = run(t, auditCmd, "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "key version: 2") || !strings.Contains(out, "anchor intact") {
		t.Fatalf("after rotation and anchoring: %v %s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "yiwang.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE seq >= ` + itoa(head-1)} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out, err = run(t, auditCmd, "verify", "--data", dir)
	var code exitCode
	if !errors.As(err, &code) || code != 1 || !strings.Contains(out, "truncated") || !strings.Contains(out, "record "+itoa(head)) {
		t.Fatalf("truncated chain: %v %s", err, out)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
