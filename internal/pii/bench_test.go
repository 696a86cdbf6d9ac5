package pii

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// BenchmarkSeal: sealing with a database-backed vault costs what one AES-GCM seal costs; the keys
// come from memory (the version check runs at most every 10 s).
//
//	go test -run '^$' -bench Seal ./internal/pii/
func BenchmarkSeal(b *testing.B) {
	d := dbtest.Open(b, db.SQLite)
	ring, err := LoadKeyring("", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	v, err := OpenVault(context.Background(), d, ring, Options{Columns: testColumns})
	if err != nil {
		b.Fatal(err)
	}
	users := v.For(Users)
	for b.Loop() {
		users.Seal("13812341234")
	}
}

// BenchmarkRotateData re-seals a table of 2 000 values per operation (batches of 500) and reports
// values re-sealed per second.
//
//	go test -run '^$' -bench RotateData -benchtime 3x ./internal/pii/
func BenchmarkRotateData(b *testing.B) {
	const values = 2000
	ctx := context.Background()
	d := dbtest.Open(b, db.SQLite)
	for _, c := range testColumns {
		if _, err := d.Exec(ctx, `CREATE TABLE `+c.Table+` (id TEXT PRIMARY KEY, value TEXT NOT NULL DEFAULT '')`); err != nil {
			b.Fatal(err)
		}
	}
	ring, err := LoadKeyring("", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	v, err := OpenVault(ctx, d, ring, Options{Columns: testColumns})
	if err != nil {
		b.Fatal(err)
	}
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		for i := range values {
			if _, err := d.TxExec(ctx, tx, `INSERT INTO pii_test_users (id, value) VALUES ($1, $2)`,
				fmt.Sprintf("u%05d", i), v.For(Users).Seal(fmt.Sprintf("138%08d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	total := 0
	for b.Loop() {
		res, err := v.RotateData(ctx, Users)
		if err != nil || res.Resealed != values {
			b.Fatalf("%+v %v", res, err)
		}
		total += res.Resealed
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "values/s")
}
