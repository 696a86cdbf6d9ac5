package db

import (
	"testing"
	"time"
)

// TestParseSQLiteTime: the fast reading agrees with time.Parse on what the driver writes, and
// what it cannot read goes to time.Parse, which refuses what is not a time.
func TestParseSQLiteTime(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	for _, want := range []time.Time{
		time.Date(2026, 12, 4, 16, 55, 36, 0, time.UTC),
		time.Date(2026, 2, 28, 23, 59, 59, 123456789, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 500000000, cst),
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 6, 1, 7, 30, 0, 120000, time.FixedZone("", -(3*3600+30*60))),
	} {
		text := want.Format(sqliteTimeLayout)
		got, err := ParseSQLiteTime(text)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v; want %v", text, got, err, want)
		}
		if _, ok := parseSQLiteTimeFast(text); !ok {
			t.Errorf("%q took the slow path", text)
		}
	}
	for _, bad := range []string{"", "2026-12-04", "2026-13-04 00:00:00+00:00", "2026-02-31 00:00:00+00:00",
		"2026-12-04 24:00:00+00:00", "2026-12-04 10:00:00.+00:00", "2026-12-04 10:00:00+0000", "2026-12-04T10:00:00+00:00x", "abcd-12-04 10:00:00+00:00"} {
		if got, err := ParseSQLiteTime(bad); err == nil {
			t.Errorf("%q read as %v", bad, got)
		}
	}
}
