package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// keyed gives d a keyed chain whose key ring and anchor log live in a temporary directory, as
// app.Build does with the data directory.
func keyed(t *testing.T, d *db.DB) Options {
	t.Helper()
	dir := t.TempDir()
	opts := Options{Secret: []byte(strings.Repeat("k", 32)), KeysFile: filepath.Join(dir, "audit.keys"),
		AnchorsFile: filepath.Join(dir, "audit.anchors")}
	if err := Setup(d, opts); err != nil {
		t.Fatal(err)
	}
	return opts
}

// plainHash is how an attacker without the key recomputes a record's hash: SHA-256 over the
// length-prefixed fields, as the chain was computed before it was keyed.
func plainHash(e Entry) string {
	h := sha256.New()
	for _, f := range []string{fmt.Sprint(e.Seq), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.ActorName, e.Role,
		e.OrgCode, e.OrgPath, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After, e.IP, string(e.Result), e.PrevHash} {
		fmt.Fprintf(h, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rewrite edits record from's after_summary and recomputes every later hash with plain SHA-256,
// the attack an unkeyed chain cannot detect.
func rewrite(t *testing.T, d *db.DB, from int64, setVersion string) {
	t.Helper()
	rows, err := d.Read.Query(`SELECT seq, at, actor_id, actor_name, role, org_code, org_path, action, object_type,
		object_id, before_summary, after_summary, ip, result, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var es []Entry
	for rows.Next() {
		var e Entry
		var result string
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Role, &e.OrgCode, &e.OrgPath, &e.Action,
			&e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.IP, &result, &e.PrevHash, &e.Hash); err != nil {
			t.Fatal(err)
		}
		e.Result = Result(result)
		es = append(es, e)
	}
	rows.Close()
	prev := genesis
	for _, e := range es {
		if e.Seq >= from {
			if e.Seq == from {
				e.After = `{"username":"mallory"}`
			}
			e.PrevHash = prev
			e.Hash = plainHash(e)
			dbtest.MustExec(t, d, `UPDATE audit_log SET after_summary=$1, prev_hash=$2, hash=$3 WHERE seq=$4`,
				e.After, e.PrevHash, e.Hash, e.Seq)
			if setVersion != "" {
				dbtest.MustExec(t, d, `UPDATE audit_log SET key_version=`+setVersion+` WHERE seq=$1`, e.Seq)
			}
		}
		prev = e.Hash
	}
}

func TestRewriteWithPlainSHA256IsCaught(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		keyed(t, d)
		seed(t, d, 5)
		if rep, err := Verify(ctx, d); err != nil || rep.Break != nil || rep.Records != 5 {
			t.Fatalf("clean keyed chain: %+v %v", rep, err)
		}
		unlock(t, d)
		rewrite(t, d, 3, "")
		rep, err := Verify(ctx, d)
		if err != nil || rep.Break == nil || rep.Break.Seq != 3 || rep.Break.Reason != "edited" {
			t.Fatalf("rewritten record with recomputed hashes not named: %+v %v", rep.Break, err)
		}
	})
}

func TestRewriteAsUnkeyedIsCaught(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		keyed(t, d)
		seed(t, d, 5)
		unlock(t, d)
		// Passing the rewritten records off as written before the chain was keyed.
		rewrite(t, d, 3, "0")
		rep, err := Verify(ctx, d)
		if err != nil || rep.Break == nil || rep.Break.Seq != 3 || rep.Break.Reason != "unkeyed" {
			t.Fatalf("unkeyed record after keyed ones not named: %+v %v", rep.Break, err)
		}
	})
}

func TestRewriteOfWholeChainIsCaughtByAnchor(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		keyed(t, d)
		seed(t, d, 4)
		if err := Anchor(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		unlock(t, d)
		rewrite(t, d, 1, "0") // every record unkeyed: only the anchor outside the database can tell
		rep, err := Verify(ctx, d)
		if err != nil || rep.Break == nil || rep.Break.Seq != 4 || rep.Break.Reason != "anchor_mismatch" {
			t.Fatalf("rewritten chain not caught by its anchor: %+v %v", rep.Break, err)
		}
	})
}

func TestDeletingNewestRowsIsCaughtByAnchor(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		opts := keyed(t, d)
		seed(t, d, 3)
		if err := Anchor(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		seed(t, d, 2)
		if err := Anchor(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := Anchor(ctx, d, time.Now()); err != nil { // nothing new: no second line for record 5
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(opts.AnchorsFile)
		if lines := strings.Split(strings.TrimSpace(string(raw)), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "5 ") {
			t.Fatalf("anchor log:\n%s", raw)
		}
		rep, err := Verify(ctx, d)
		if err != nil || rep.Break != nil || rep.Anchor == nil || rep.Anchor.Seq != 5 {
			t.Fatalf("clean anchored chain: %+v %v", rep, err)
		}
		unlock(t, d)
		dbtest.MustExec(t, d, `DELETE FROM audit_log WHERE seq >= 4`)
		rep, err = Verify(ctx, d)
		if err != nil || rep.Break == nil || rep.Break.Seq != 5 || rep.Break.Reason != "truncated" {
			t.Fatalf("truncation below the anchor not named: %+v %v", rep.Break, err)
		}
	})
}

func TestRotationKeepsOldRowsVerifiable(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		opts := keyed(t, d)
		seed(t, d, 2)
		// Another process (yiwang audit rotate-key) adds a key version; this one picks it up.
		version, err := RotateKey(opts)
		if err != nil || version != 2 {
			t.Fatalf("rotate: %d %v", version, err)
		}
		seed(t, d, 2)
		var versions []int
		rows, err := d.Read.Query(`SELECT key_version FROM audit_log ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v int
			rows.Scan(&v)
			versions = append(versions, v)
		}
		rows.Close()
		if fmt.Sprint(versions) != "[1 1 2 2]" {
			t.Fatalf("key versions of the records: %v", versions)
		}
		rep, err := Verify(ctx, d)
		if err != nil || rep.Break != nil || rep.Records != 4 || rep.KeyVersion != 2 {
			t.Fatalf("chain across a rotation: %+v %v", rep, err)
		}
		// The key file pins the keys: a later change of the secret changes nothing …
		other := opts
		other.Secret = []byte(strings.Repeat("x", 32))
		if err := Setup(d, other); err != nil {
			t.Fatal(err)
		}
		if rep, _ := Verify(ctx, d); rep.Break != nil {
			t.Fatalf("a new secret broke the chain: %+v", rep.Break)
		}
		// … but without the key file the old records cannot be vouched for.
		os.Remove(opts.KeysFile)
		if err := Setup(d, other); err != nil {
			t.Fatal(err)
		}
		rep, _ = Verify(ctx, d)
		if rep.Break == nil || rep.Break.Seq != 1 || rep.Break.Reason != "edited" {
			t.Fatalf("records verified with the wrong key: %+v", rep.Break)
		}
	})
}

func TestUnknownKeyVersionIsNamed(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		opts := keyed(t, d)
		seed(t, d, 1)
		if _, err := RotateKey(opts); err != nil {
			t.Fatal(err)
		}
		seed(t, d, 1)
		os.Remove(opts.KeysFile) // the rotated key is lost
		if err := Setup(d, opts); err != nil {
			t.Fatal(err)
		}
		rep, _ := Verify(ctx, d)
		if rep.Break == nil || rep.Break.Seq != 2 || rep.Break.Reason != "unknown_key" {
			t.Fatalf("record of a lost key version: %+v", rep.Break)
		}
	})
}

func TestUnkeyedHistoryBeforeKeysStillVerifies(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		seed(t, d, 2) // written before the chain was keyed (no key ring)
		keyed(t, d)
		seed(t, d, 2)
		rep, err := Verify(context.Background(), d)
		if err != nil || rep.Break != nil || rep.Records != 4 || rep.KeyVersion != 1 {
			t.Fatalf("legacy prefix then keyed records: %+v %v", rep, err)
		}
	})
}
