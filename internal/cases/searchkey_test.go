package cases

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// Keys order by report time to the millisecond whatever the row numbers, and two cases that
// would share a key both get into the index, the second on the next free key.
func TestSearchKeyOrderAndCollisions(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 123_000_000, time.UTC)
	if !(searchKey(at, 999_999) < searchKey(at.Add(time.Millisecond), 0)) {
		t.Fatal("a later millisecond must sort after any row number")
	}
	d := dbtest.Open(t, db.SQLite)
	s := &Service{DB: d}
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.index(ctx, tx, "case-a", 7, at, "井盖缺失"); err != nil {
			return err
		}
		// Row 1 000 007 in the same millisecond lands on case-a's key.
		return s.index(ctx, tx, "case-b", 1_000_007, at, "井盖破损")
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.Read.Query(`SELECT rowid, case_id FROM case_search WHERE case_search MATCH '井盖' ORDER BY rowid DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	var keys []int64
	for rows.Next() {
		var k int64
		var id string
		rows.Scan(&k, &id)
		got, keys = append(got, id), append(keys, k)
	}
	if len(got) != 2 || got[0] != "case-b" || keys[0] != searchKey(at, 7)+1 || keys[1] != searchKey(at, 7) {
		t.Fatalf("index holds %v at %v", got, keys)
	}
}
