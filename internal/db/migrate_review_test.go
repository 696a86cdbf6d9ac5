package db

import (
	"context"
	"testing"
	"time"
)

// Migration 00009 gives cases shelved before it the review date of their latest shelve event.
func TestReviewDatesBackfilled(t *testing.T) {
	ctx := context.Background()
	d, p := migratedTo(t, 8)
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for _, status := range []string{"shelved", "handling"} {
		id := NewID()
		if _, err := d.Write.Exec(`INSERT INTO cases (id, number, status, channel, kind, urgency, lat, lng, description,
			grid_code, community_code, subdistrict_code, path, follow_token_hash, stage, stage_started_at, reported_at, updated_at)
			VALUES ($1, $1, $2, 'patrol', 'report', 'normal', 24.9, 118.6, '违章搭建', 'g', 'c', 's', '/', $1, 'none', $3, $3, $3)`,
			id, status, at); err != nil {
			t.Fatal(err)
		}
		for seq, review := range []string{"2026-12-01T00:00:00Z", "2026-12-15T02:30:00Z"} {
			if _, err := d.Write.Exec(`INSERT INTO case_events (id, case_id, seq, action, status, at, data)
				VALUES ($1, $2, $3, 'shelve', 'shelved', $4, $5)`, NewID(), id, seq+1, at, `{"review_date":"`+review+`"}`); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var got time.Time
	if err := d.Read.QueryRow(`SELECT review_at FROM cases WHERE status = 'shelved'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 15, 2, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("review_at %s, want the latest shelve's %s", got, want)
	}
	var due int
	d.Read.QueryRow(`SELECT count(*) FROM cases WHERE review_at <= $1`, time.Date(2026, 12, 15, 3, 0, 0, 0, time.UTC)).Scan(&due)
	if due != 1 {
		t.Fatalf("%d cases due for review (an open case must have no date)", due)
	}
	d.Read.QueryRow(`SELECT count(*) FROM cases WHERE review_at <= $1`, time.Date(2026, 12, 15, 2, 0, 0, 0, time.UTC)).Scan(&due)
	if due != 0 {
		t.Fatal("a backfilled date compares wrongly with the sweep's times")
	}
}
