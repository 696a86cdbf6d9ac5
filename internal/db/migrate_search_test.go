package db

import (
	"context"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
)

// Migration 00008 keys the keyword index rows written before it by report time exactly as
// internal/cases keys new ones: milliseconds since 1970 (rounded) × 10⁶ plus the case's row
// number modulo 10⁶.
func TestSearchIndexRekeyedByReportTime(t *testing.T) {
	ctx := context.Background()
	d, p := migratedTo(t, 7)
	reported := []time.Time{
		time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 27, 1, 2, 3, 456_789_000, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 999_000_000, time.UTC),
	}
	for _, at := range reported {
		id := NewID()
		if _, err := d.Write.Exec(`INSERT INTO cases (id, number, status, channel, kind, urgency, lat, lng, description,
			grid_code, community_code, subdistrict_code, path, follow_token_hash, stage, stage_started_at, reported_at, updated_at)
			VALUES ($1, $2, 'closed', 'patrol', 'report', 'normal', 24.9, 118.6, '路灯不亮', 'g', 'c', 's', '/', $1, 'none', $3, $3, $3)`,
			id, id, at); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Write.Exec(`INSERT INTO case_search (case_id, tokens) VALUES ($1, '路灯 灯不 不亮')`, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := d.Read.Query(`SELECT s.rowid, c.rowid, c.reported_at FROM case_search s JOIN cases c ON c.id = s.case_id
		WHERE case_search MATCH '路灯' ORDER BY s.rowid DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int
	var prev time.Time
	for rows.Next() {
		var key, rowid int64
		var at time.Time
		if err := rows.Scan(&key, &rowid, &at); err != nil {
			t.Fatal(err)
		}
		if want := at.Round(time.Millisecond).UnixMilli()*1_000_000 + rowid%1_000_000; key != want {
			t.Fatalf("case reported %s keyed %d, want %d", at, key, want)
		}
		if n > 0 && at.After(prev) {
			t.Fatal("keys are not in report-time order")
		}
		prev, n = at, n+1
	}
	if n != len(reported) {
		t.Fatalf("%d rows after the migration, want %d", n, len(reported))
	}
}

// migratedTo opens a fresh SQLite database migrated up to version, with the provider that
// migrates it further.
func migratedTo(t *testing.T, version int64) (*DB, *goose.Provider) {
	t.Helper()
	d, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	p, err := d.provider()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return d, p
}
