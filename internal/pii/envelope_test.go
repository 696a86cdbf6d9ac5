package pii

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// testColumns are two scratch tables standing for two tables of personal data.
var testColumns = []Column{
	{Purpose: Users, Table: "pii_test_users", Key: "id", Value: "value"},
	{Purpose: Cases, Table: "pii_test_cases", Key: "id", Value: "value"},
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func scratch(t *testing.T, d *db.DB) {
	t.Helper()
	for _, c := range testColumns {
		if _, err := d.Exec(context.Background(), `CREATE TABLE `+c.Table+` (id TEXT PRIMARY KEY, value TEXT NOT NULL DEFAULT '')`); err != nil {
			t.Fatal(err)
		}
	}
}

func openVault(t *testing.T, d *db.DB, dir string, opts Options) *Vault {
	t.Helper()
	ring, err := LoadKeyring("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Columns == nil {
		opts.Columns = testColumns
	}
	v, err := OpenVault(context.Background(), d, ring, opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func put(t *testing.T, d *db.DB, table, id, value string) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO `+table+` (id, value) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET value = excluded.value`, id, value); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, d *db.DB, table, id string) string {
	t.Helper()
	var s string
	if err := d.QueryRow(context.Background(), `SELECT value FROM `+table+` WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// legacySeal seals the way yiwang did before envelope keys: AES-GCM under a key derived from the
// secret.key file, bare base64.
func legacySeal(t *testing.T, secret []byte, plain string) string {
	aead, err := newAEAD(derive(secret, "yiwang pii encryption"))
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), nil))
}

func legacyHash(secret []byte, value string) string {
	v := &Vault{hashKey: derive(secret, "yiwang pii lookup")}
	return v.Hash(value)
}

func forEngines(t *testing.T, fn func(t *testing.T, engine db.Engine, d *db.DB)) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			d := dbtest.Open(t, engine)
			scratch(t, d)
			fn(t, engine, d)
		})
	}
}

func TestEnvelopeSealOpenAndTampering(t *testing.T) {
	forEngines(t, func(t *testing.T, _ db.Engine, d *db.DB) {
		v := openVault(t, d, t.TempDir(), Options{})
		s := v.For(Users).Seal("13812341234")
		if !strings.HasPrefix(s, "pii1:users.1:") || KeyOf(s) != "users.1" {
			t.Fatalf("sealed value does not name its key: %q", s)
		}
		if got, err := v.Open(s); err != nil || got != "13812341234" {
			t.Fatalf("open: %q %v", got, err)
		}
		if v.For(Users).Seal("13812341234") == s {
			t.Error("nonce reused")
		}
		if got, _ := v.Open(v.Seal("x")); got != "x" || KeyOf(v.Seal("x")) != "general.1" {
			t.Error("Seal without a purpose")
		}
		body := s[len("pii1:users.1:"):]
		raw, _ := base64.RawStdEncoding.DecodeString(body)
		raw[len(raw)-1] ^= 1
		for name, bad := range map[string]string{
			"flipped bit":   "pii1:users.1:" + base64.RawStdEncoding.EncodeToString(raw),
			"other key ref": "pii1:cases.1:" + body,
			"unknown key":   "pii1:users.9:" + body,
			"no body":       "pii1:users.1",
			"garbage":       "pii1:users.1:***",
			"legacy noise":  base64.RawStdEncoding.EncodeToString(raw),
		} {
			if got, err := v.Open(bad); err == nil {
				t.Errorf("%s: opened to %q", name, got)
			}
		}
	})
}

// The database alone — every byte of it that concerns keys — opens nothing: no data key is
// stored unwrapped, and a keyring without the KEK cannot build a vault.
func TestDatabaseAloneCannotOpen(t *testing.T) {
	forEngines(t, func(t *testing.T, _ db.Engine, d *db.DB) {
		v := openVault(t, d, t.TempDir(), Options{})
		sealed := v.For(Users).Seal("13812341234")
		key, err := v.unwrapOne(context.Background(), Users, 1)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.Query(context.Background(), `SELECT purpose, kek_id, wrapped, state FROM pii_data_keys`)
		if err != nil {
			t.Fatal(err)
		}
		var dump bytes.Buffer
		for rows.Next() {
			var a, b, c, e string
			if err := rows.Scan(&a, &b, &c, &e); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&dump, a, b, c, e)
			// A wrapped key (or any 32-byte window of it) is no key.
			raw, _ := base64.RawStdEncoding.DecodeString(c)
			for i := 0; i+32 <= len(raw); i++ {
				if aead, _ := newAEAD(raw[i : i+32]); aead != nil {
					n := aead.NonceSize()
					body, _ := base64.RawStdEncoding.DecodeString(strings.SplitN(sealed, ":", 3)[2])
					if _, err := aead.Open(nil, body[:n], body[n:], []byte("pii1:users.1:")); err == nil {
						t.Fatal("a wrapped key opened a value")
					}
				}
			}
		}
		rows.Close()
		for _, form := range []string{hex.EncodeToString(key), base64.RawStdEncoding.EncodeToString(key), base64.StdEncoding.EncodeToString(key), string(key)} {
			if strings.Contains(dump.String(), form) {
				t.Fatal("the data key is stored in the clear")
			}
		}
		if _, err := OpenVault(context.Background(), d, mustRing(t, t.TempDir()), Options{Columns: testColumns}); err == nil {
			t.Fatal("a vault was built without the KEK")
		}
	})
}

func mustRing(t *testing.T, dir string) *Keyring {
	t.Helper()
	r, err := LoadKeyring("", dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRotateKEKThenOldValuesOpenWithTheNewKEKAlone(t *testing.T) {
	forEngines(t, func(t *testing.T, _ db.Engine, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		v := openVault(t, d, dir, Options{})
		sealed, hash := v.For(Users).Seal("13812341234"), v.Hash("13812341234")
		oldKEK := v.ring.Current()
		res, err := v.RotateKEK(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Added || res.KEK == oldKEK || res.Rewrapped != len(Purposes)+2 || len(res.Unused) != 1 || res.Unused[0] != oldKEK {
			t.Fatalf("rotate-kek: %+v", res)
		}
		// A second run has nothing left on the old KEK, so it makes another one.
		// Here: drop the old KEK from the file, as the operator may now.
		raw, _ := os.ReadFile(filepath.Join(dir, "secret.key"))
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		only := lines[len(lines)-1]
		newOnly, err := LoadKeyring(only, "")
		if err != nil {
			t.Fatal(err)
		}
		w, err := OpenVault(ctx, d, newOnly, Options{Columns: testColumns})
		if err != nil {
			t.Fatalf("the new KEK alone: %v", err)
		}
		if got, err := w.Open(sealed); err != nil || got != "13812341234" {
			t.Fatalf("old value after KEK rotation: %q %v", got, err)
		}
		if w.Hash("13812341234") != hash {
			t.Error("the lookup hash changed with the KEK")
		}
		oldOnly, _ := LoadKeyring(lines[len(lines)-2], "")
		if _, err := OpenVault(ctx, d, oldOnly, Options{Columns: testColumns}); err == nil {
			t.Error("the retired KEK still unwraps the data keys")
		}
	})
}

func TestRotateDataReSealsAndRetiresAndUpgradesLegacyValues(t *testing.T) {
	forEngines(t, func(t *testing.T, _ db.Engine, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		// An older yiwang's key file and values: the upgrade must keep phones and hashes.
		secret := bytes.Repeat([]byte{7}, 32)
		os.WriteFile(filepath.Join(dir, "secret.key"), []byte(hex.EncodeToString(secret)+"\n"), 0o600)
		v := openVault(t, d, dir, Options{Batch: 2})
		if v.Hash("13812341234") != legacyHash(secret, "13812341234") {
			t.Fatal("upgrade changed the lookup hash")
		}
		want := map[string]string{}
		for i := range 5 {
			id, phone := fmt.Sprintf("u%d", i), fmt.Sprintf("1381234123%d", i)
			value := v.For(Users).Seal(phone)
			if i == 4 {
				value = legacySeal(t, secret, phone)
			}
			put(t, d, "pii_test_users", id, value)
			want[id] = phone
		}
		put(t, d, "pii_test_cases", "c1", legacySeal(t, secret, "0595-22345678"))
		put(t, d, "pii_test_cases", "c2", v.For(Users).Seal("13900000000")) // a users value copied into cases
		if got, err := v.Open(get(t, d, "pii_test_users", "u4")); err != nil || got != want["u4"] {
			t.Fatalf("legacy value: %q %v", got, err)
		}
		res, err := v.RotateData(ctx, Users)
		if err != nil {
			t.Fatal(err)
		}
		if res.Version != 2 || res.Resealed != 6 || res.Remaining != 0 || len(res.Retired) != 1 || res.Retired[0] != 1 {
			t.Fatalf("rotate-data: %+v", res)
		}
		for id, phone := range want {
			s := get(t, d, "pii_test_users", id)
			if KeyOf(s) != "users.2" {
				t.Errorf("%s still under %s", id, KeyOf(s))
			}
			if got, err := v.Open(s); err != nil || got != phone {
				t.Errorf("%s: %q %v", id, got, err)
			}
		}
		if KeyOf(get(t, d, "pii_test_cases", "c2")) != "users.2" || KeyOf(get(t, d, "pii_test_cases", "c1")) != "legacy.1" {
			t.Error("values of another table: only the rotated purpose's are re-sealed")
		}
		if KeyOf(v.For(Users).Seal("x")) != "users.2" {
			t.Error("new values are not sealed with the new key")
		}
		st := status(t, v)
		if st["users.1"].State != Retired || st["users.1"].Values != 0 || st["users.2"].Values != 6 || st["legacy.1"].State != Retiring {
			t.Errorf("status after users: %+v", st)
		}
		if _, err := v.RotateData(ctx, Cases); err != nil {
			t.Fatal(err)
		}
		st = status(t, v)
		if st["legacy.1"].State != Retired || st["legacy.1"].Values != 0 || st["cases.2"].Values != 2 || st["users.2"].Values != 5 {
			t.Errorf("status after cases: legacy key not retired: %+v", st)
		}
		if got, _ := v.Open(get(t, d, "pii_test_cases", "c1")); got != "0595-22345678" {
			t.Error("legacy case value lost")
		}
		if _, err := v.RotateData(ctx, "phones"); err == nil {
			t.Error("unknown purpose accepted")
		}
	})
}

func status(t *testing.T, v *Vault) map[string]KeyStatus {
	t.Helper()
	list, err := v.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]KeyStatus{}
	for _, s := range list {
		out[ref(s.Purpose, s.Version)] = s
	}
	return out
}

// A crash after the new key was made: the rerun continues with that key, making no third one.
func TestRotateDataResumes(t *testing.T) {
	forEngines(t, func(t *testing.T, _ db.Engine, d *db.DB) {
		ctx := context.Background()
		v := openVault(t, d, t.TempDir(), Options{Batch: 1})
		put(t, d, "pii_test_users", "u1", v.For(Users).Seal("13812341234"))
		first := RotateDataResult{Purpose: Users}
		if err := v.startRotation(ctx, &first); err != nil {
			t.Fatal(err)
		}
		res, err := v.RotateData(ctx, Users)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Resumed || res.Version != 2 || res.Resealed != 1 || len(res.Retired) != 1 {
			t.Fatalf("resume: %+v", res)
		}
	})
}

// Another node sharing the database seals with the new key once it checked the version, and opens
// a value naming a key it has not seen at once.
func TestOtherNodeSeesRotation(t *testing.T) {
	forEngines(t, func(t *testing.T, engine db.Engine, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		a := openVault(t, d, dir, Options{})
		other := d
		if engine == db.Postgres {
			other = dbtest.OpenAgain(t, d)
		}
		c := &clock{t: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)}
		b := openVault(t, other, dir, Options{Every: time.Minute, Now: c.Now})
		if _, err := a.RotateData(ctx, Users); err != nil {
			t.Fatal(err)
		}
		if got, err := b.Open(a.For(Users).Seal("13812341234")); err != nil || got != "13812341234" {
			t.Fatalf("node B opening a value under the new key: %q %v", got, err)
		}
		c.Add(2 * time.Minute)
		if KeyOf(b.For(Users).Seal("x")) != "users.2" {
			t.Error("node B still seals with the retired key after its version check")
		}
	})
}

// Writers keep sealing and changing values while the table's key is rotated: every value opens
// to what was last written, and none is lost to the rotation's re-seal.
func TestConcurrentSealDuringRotation(t *testing.T) {
	forEngines(t, func(t *testing.T, _ db.Engine, d *db.DB) {
		ctx := context.Background()
		v := openVault(t, d, t.TempDir(), Options{Batch: 3})
		const rows = 12
		for i := range rows {
			put(t, d, "pii_test_users", fmt.Sprintf("u%02d", i), v.For(Users).Seal(fmt.Sprintf("1380000%04d", i)))
		}
		var mu sync.Mutex
		last := map[string]string{}
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rows {
					id, phone := fmt.Sprintf("u%02d", (i+w*5)%rows), fmt.Sprintf("139%04d%04d", w, i)
					mu.Lock()
					if _, err := d.Exec(ctx, `UPDATE pii_test_users SET value = $1 WHERE id = $2`, v.For(Users).Seal(phone), id); err != nil {
						t.Error(err)
					}
					last[id] = phone
					mu.Unlock()
				}
			}()
		}
		res, err := v.RotateData(ctx, Users)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			id := fmt.Sprintf("u%02d", i)
			want, ok := last[id]
			if !ok {
				want = fmt.Sprintf("1380000%04d", i)
			}
			if got, err := v.Open(get(t, d, "pii_test_users", id)); err != nil || got != want {
				t.Errorf("%s: %q %v, want %q (rotation %+v)", id, got, err, want, res)
			}
		}
	})
}

// A value changed between a rotation batch's read and its write keeps the new value: the re-seal
// replaces only what it read.
func TestRotationDoesNotOverwriteAChangeMadeMeanwhile(t *testing.T) {
	forEngines(t, func(t *testing.T, _ db.Engine, d *db.DB) {
		ctx := context.Background()
		v := openVault(t, d, t.TempDir(), Options{Batch: 2})
		put(t, d, "pii_test_users", "u1", v.For(Users).Seal("13800000001"))
		put(t, d, "pii_test_users", "u2", v.For(Users).Seal("13800000002"))
		var once sync.Once
		v.afterRead = func() {
			once.Do(func() { put(t, d, "pii_test_users", "u1", v.For(Users).Seal("13999999999")) })
		}
		if _, err := v.RotateData(ctx, Users); err != nil {
			t.Fatal(err)
		}
		if got, err := v.Open(get(t, d, "pii_test_users", "u1")); err != nil || got != "13999999999" {
			t.Fatalf("the change made during the rotation was lost: %q %v", got, err)
		}
		if got, _ := v.Open(get(t, d, "pii_test_users", "u2")); got != "13800000002" {
			t.Fatal("u2")
		}
	})
}

// The real columns (Columns) exist on both engines and rotate: a case's sealed phone copied into
// an SMS delivery is re-sealed with the cases key.
func TestRotateRealColumns(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t, engine)
			ring := mustRing(t, t.TempDir())
			v, err := OpenVault(ctx, d, ring, Options{})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			phone := v.For(Cases).Seal("13812341234")
			if _, err := d.Exec(ctx, `INSERT INTO outbox_deliveries (id, event_seq, channel, recipient, template, status, next_at, created_at)
				VALUES ('d1', 1, 'sms', $1, 't', 'pending', $2, $2), ('d2', 1, 'wechat', 'openid-1', 't', 'pending', $2, $2)`, phone, now); err != nil {
				t.Fatal(err)
			}
			for _, p := range Purposes {
				if _, err := v.RotateData(ctx, p); err != nil {
					t.Fatalf("rotate %s: %v", p, err)
				}
			}
			var sms, wechat string
			d.QueryRow(ctx, `SELECT recipient FROM outbox_deliveries WHERE id = 'd1'`).Scan(&sms)
			d.QueryRow(ctx, `SELECT recipient FROM outbox_deliveries WHERE id = 'd2'`).Scan(&wechat)
			if got, err := v.Open(sms); err != nil || got != "13812341234" || KeyOf(sms) == "cases.1" {
				t.Errorf("sms recipient: %q %q %v", sms, got, err)
			}
			if wechat != "openid-1" {
				t.Errorf("a WeChat recipient was touched: %q", wechat)
			}
		})
	}
}
