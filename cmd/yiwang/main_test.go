package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
)

// demoDir prepares a data directory holding the demo district, as `yiwang serve --demo` would.
func demoDir(t *testing.T) string {
	dir := t.TempDir()
	cfg := app.Defaults()
	cfg.DataDir, cfg.PasswordCost, cfg.DemoPassword = dir, "test", "Demo-Passw0rd!"
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.LoadDemoIfEmpty(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs a command function and returns what it printed.
func run(t *testing.T, fn func(context.Context, []string) error, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	stdout = &out
	defer func() { stdout = os.Stdout }()
	err := fn(context.Background(), args)
	return out.String(), err
}

func TestUsersListJSONShape(t *testing.T) {
	dir := demoDir(t)
	out, err := run(t, usersCmd, "list", "--json", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(list) < 60 {
		t.Fatalf("%d accounts", len(list))
	}
	var roles []struct {
		Role    string `json:"role"`
		OrgCode string `json:"org_code"`
	}
	var found bool
	for _, u := range list {
		var name string
		json.Unmarshal(u["username"], &name)
		if name == "donghai.shift_lead" {
			found = true
			json.Unmarshal(u["roles"], &roles)
		}
	}
	if !found || len(roles) != 1 || roles[0].Role != "shift_lead" || roles[0].OrgCode != "350503001" {
		t.Fatalf("donghai.shift_lead: %v %+v", found, roles)
	}
}

func TestUsersCommands(t *testing.T) {
	dir := demoDir(t)
	out, err := run(t, usersCmd, "create", "li.si", "--name", "李四", "--role", "grid_worker", "--org", "350503001002", "--data", dir)
	if err != nil || !strings.Contains(out, "created li.si") || !strings.Contains(out, "initial password") {
		t.Fatalf("create: %v %s", err, out)
	}
	if _, err := run(t, usersCmd, "grant", "li.si", "--role", "leader", "--org", "350503001", "--data", dir); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, usersCmd, "revoke", "li.si", "--role", "leader", "--org", "350503001", "--data", dir); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, usersCmd, "disable", "li.si", "--data", dir); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, usersCmd, "set-password", "li.si", "--password", "Fresh-Passw0rd", "--data", dir); err != nil {
		t.Fatal(err)
	}
	out, _ = run(t, usersCmd, "list", "--data", dir)
	if !strings.Contains(out, "li.si") || !strings.Contains(out, "disabled") {
		t.Fatalf("list after changes:\n%s", out)
	}
	if _, err := run(t, usersCmd, "create", "bad", "--name", "x", "--role", "king", "--org", "350503", "--data", dir); err == nil {
		t.Fatal("unknown role accepted")
	}
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	dir := demoDir(t)
	out, err := run(t, auditCmd, "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("clean chain: %v %s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "yiwang.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 5`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out, err = run(t, auditCmd, "verify", "--data", dir)
	var code exitCode
	if !errors.As(err, &code) || code != 1 || !strings.Contains(out, "record 5") {
		t.Fatalf("tampered chain: %v %s", err, out)
	}
}

func TestImportExportAndBackup(t *testing.T) {
	dir := demoDir(t)
	// A rotated audit key: the restored chain verifies only with the key file from the backup.
	if _, err := run(t, auditCmd, "rotate-key", "--data", dir); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1"},"geometry":{"type":"Point","coordinates":[1,2]}}]}`), 0o600)
	if _, err := run(t, importCmd, "grids", bad, "--data", dir); err == nil {
		t.Fatal("bad grid file accepted")
	}
	out, err := run(t, exportCmd, "grids", "--data", dir)
	if err != nil || !strings.HasPrefix(out, `{"type":"FeatureCollection"`) {
		t.Fatalf("export: %v %.100s", err, out)
	}
	file := filepath.Join(t.TempDir(), "grids.geojson")
	os.WriteFile(file, []byte(out), 0o600)
	if out, err := run(t, importCmd, "grids", file, "--data", dir); err != nil || !strings.Contains(out, "180 updated") {
		t.Fatalf("re-import: %v %s", err, out)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, err := run(t, backupCmd, backup, "--data", dir); err != nil || !strings.Contains(out, backup+".secret.key") {
		t.Fatalf("backup: %v %s", err, out)
	}
	// The backup is a complete database: restored into a new data directory it serves the same
	// accounts and its audit chain verifies.
	restored := t.TempDir()
	copyFile(t, backup, filepath.Join(restored, "yiwang.db"))
	copyFile(t, backup+".secret.key", filepath.Join(restored, "secret.key"))
	copyFile(t, backup+".audit.keys", filepath.Join(restored, "audit.keys"))
	if out, err := run(t, auditCmd, "verify", "--data", restored); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("restored chain: %v %s", err, out)
	}
	if out, _ := run(t, usersCmd, "list", "--data", restored); !strings.Contains(out, "donghai.shift_lead") {
		t.Fatal("restored database lacks accounts")
	}
	if _, err := run(t, backupCmd, backup, "--data", dir); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCalendarImport(t *testing.T) {
	dir := demoDir(t)
	file := filepath.Join(t.TempDir(), "2027.json")
	os.WriteFile(file, []byte(`{"year":2027,"holidays":[{"date":"2027-01-01","name":"元旦"}],"workdays":[]}`), 0o600)
	if out, err := run(t, calendarCmd, "import", file, "--data", dir); err != nil || !strings.Contains(out, "2027") {
		t.Fatalf("import: %v %s", err, out)
	}
	os.WriteFile(file, []byte(`{"year":2027,"holidays":[{"date":"2026-13-01"}]}`), 0o600)
	if _, err := run(t, calendarCmd, "import", file, "--data", dir); err == nil {
		t.Fatal("bad calendar accepted")
	}
}
