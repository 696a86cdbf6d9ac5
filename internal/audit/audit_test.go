package audit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

func seed(t *testing.T, d *db.DB, n int) {
	t.Helper()
	at := time.Date(2026, 11, 27, 1, 2, 3, 456789123, time.UTC)
	for i := 1; i <= n; i++ {
		e := Entry{At: at.Add(time.Duration(i) * time.Second), ActorID: "u1", ActorName: "alice", Role: "sec_admin",
			OrgCode: "350503", OrgPath: "/350503/", Action: "user.create", ObjectType: "user",
			ObjectID: fmt.Sprint("u", i+1), After: `{"username":"bob"}`, IP: "127.0.0.1"}
		if i == n {
			e.OrgPath, e.OrgCode = "/350503/350503002/", "350503002"
		}
		if err := Record(context.Background(), d, e); err != nil {
			t.Fatal(err)
		}
	}
}

// unlock drops the append-only triggers, as an attacker with database access would.
func unlock(t *testing.T, d *db.DB) {
	if d.Engine == db.SQLite {
		dbtest.MustExec(t, d, `DROP TRIGGER audit_log_no_update`)
		dbtest.MustExec(t, d, `DROP TRIGGER audit_log_no_delete`)
	} else {
		dbtest.MustExec(t, d, `DROP TRIGGER audit_log_no_change ON audit_log`)
	}
}

func TestChainVerifiesAndTamperingIsNamed(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seed(t, d, 5)
		rep, err := Verify(ctx, d)
		if err != nil || rep.Break != nil || rep.Records != 5 {
			t.Fatalf("clean chain: %+v %v", rep, err)
		}
		// The database itself refuses edits and deletes of recent records.
		if _, err := d.Write.Exec(`UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 3`); err == nil {
			t.Fatal("UPDATE of audit_log was allowed")
		}
		if _, err := d.Write.Exec(`DELETE FROM audit_log WHERE seq = 3`); err == nil {
			t.Fatal("DELETE from audit_log was allowed")
		}
		unlock(t, d)

		dbtest.MustExec(t, d, `UPDATE audit_log SET after_summary = '{"username":"mallory"}' WHERE seq = 3`)
		rep, _ = Verify(ctx, d)
		if rep.Break == nil || rep.Break.Seq != 3 || rep.Break.Reason != "edited" {
			t.Fatalf("edited record not named: %+v", rep.Break)
		}
	})
}

func TestDeletedAndReorderedRecordsAreNamed(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seed(t, d, 5)
		unlock(t, d)
		dbtest.MustExec(t, d, `DELETE FROM audit_log WHERE seq = 2`)
		rep, _ := Verify(ctx, d)
		if rep.Break == nil || rep.Break.Seq != 3 || rep.Break.Reason != "missing" {
			t.Fatalf("deleted record not found: %+v", rep.Break)
		}
	})
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seed(t, d, 5)
		unlock(t, d)
		// Swap records 2 and 4 and give each a self-consistent hash for its new place: only the
		// links between records can reveal this.
		rows, _ := d.Read.Query(`SELECT ` + columns + ` FROM audit_log WHERE seq IN (2,4) ORDER BY seq`)
		var es []Entry
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
		rows.Close()
		es[0].Seq, es[1].Seq = 4, 2
		for _, e := range es {
			e.Hash = e.hash(nil)
			dbtest.MustExec(t, d, `UPDATE audit_log SET at=$1, object_id=$2, prev_hash=$3, hash=$4 WHERE seq=$5`,
				e.At, e.ObjectID, e.PrevHash, e.Hash, e.Seq)
		}
		rep, _ := Verify(ctx, d)
		if rep.Break == nil || rep.Break.Seq != 2 || rep.Break.Reason != "reordered" {
			t.Fatalf("reordering not found: %+v", rep.Break)
		}
	})
}

func TestSearchIsScoped(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		seed(t, d, 4)
		auditor := func(path string) context.Context {
			return access.WithPrincipal(context.Background(), &access.Principal{UserID: "a",
				Grants: []access.Grant{{Role: access.AuditAdmin, OrgCode: "x", OrgPath: path}}})
		}
		all, err := Search(auditor("/350503/"), d, Filter{})
		if err != nil || len(all) != 4 || all[0].Seq != 4 {
			t.Fatalf("district auditor: %d %v", len(all), err)
		}
		sub, err := Search(auditor("/350503/350503002/"), d, Filter{})
		if err != nil || len(sub) != 1 || sub[0].OrgCode != "350503002" {
			t.Fatalf("subdistrict auditor saw %d records: %v", len(sub), err)
		}
		paged, _ := Search(auditor("/350503/"), d, Filter{BeforeSeq: 3, Action: "user.", Limit: 1})
		if len(paged) != 1 || paged[0].Seq != 2 {
			t.Fatalf("cursor paging: %+v", paged)
		}
		leader := access.WithPrincipal(context.Background(), &access.Principal{UserID: "l",
			Grants: []access.Grant{{Role: access.Leader, OrgPath: "/350503/"}}})
		if _, err := Search(leader, d, Filter{}); err == nil {
			t.Fatal("a leader read the audit log")
		}
	})
}
