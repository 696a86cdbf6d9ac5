package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// The operator's path through both rotations on the demo district: every data key rotated, the
// KEK rotated and the old one removed from the key file; the phones still open and still match
// their lookup hashes.
func TestKeysRotateEverythingThenDropTheOldKEK(t *testing.T) {
	dir := demoDir(t)
	phones := func() map[string]string {
		cfg := app.Defaults()
		cfg.DataDir = dir
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		ring, err := pii.LoadKeyring("", dir)
		if err != nil {
			t.Fatal(err)
		}
		v, err := pii.OpenVault(context.Background(), a.DB, ring, pii.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := a.DB.Query(context.Background(), `SELECT username, phone_enc, phone_hash FROM users WHERE phone_enc <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var user, enc, hash string
			if err := rows.Scan(&user, &enc, &hash); err != nil {
				t.Fatal(err)
			}
			phone, err := v.Open(enc)
			if err != nil || v.Hash(phone) != hash {
				t.Fatalf("%s: phone %q does not open or match its hash: %v", user, phone, err)
			}
			out[user] = pii.KeyOf(enc) + " " + phone
		}
		return out
	}
	before := phones()
	if len(before) == 0 {
		t.Fatal("the demo district has no phone numbers to rotate")
	}
	if out, err := run(t, keysCmd, "rotate-data", "--table", "all", "--batch", "3", "--data", dir); err != nil || !strings.Contains(out, "users: data key 2") {
		t.Fatalf("rotate-data: %v %s", err, out)
	}
	out, err := run(t, keysCmd, "rotate-kek", "--data", dir)
	if err != nil || !strings.Contains(out, "no longer used") {
		t.Fatalf("rotate-kek: %v %s", err, out)
	}
	file := filepath.Join(dir, "secret.key")
	raw, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	os.WriteFile(file, []byte(lines[len(lines)-1]+"\n"), 0o600)
	after := phones()
	for user, was := range before {
		_, phone, _ := strings.Cut(was, " ")
		if after[user] != "users.2 "+phone {
			t.Errorf("%s: %q before, %q after", user, was, after[user])
		}
	}
	out, err = run(t, keysCmd, "status", "--data", dir)
	if err != nil || !strings.Contains(out, "users    1        retired") {
		t.Fatalf("status: %v\n%s", err, out)
	}
	if _, err := run(t, keysCmd, "rotate-data", "--table", "phones", "--data", dir); err == nil {
		t.Error("unknown table accepted")
	}
}
