package patrol_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// BenchmarkCoverage measures a district-wide week's coverage over 1 152 grids (the demo's 180
// plus 972 more, each planned), with 3 000 patrols in the week:
//
//	go test ./internal/patrol -run '^$' -bench Coverage
func BenchmarkCoverage(b *testing.B) {
	clock := apptest.NewClock(time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC))
	srv := apptest.StartWith(b, db.SQLite, func(c *app.Config) { c.Clock = clock.Now })
	ctx := app.System(b.Context(), "bench")
	d := srv.App.DB
	now := clock.Now()
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		var community, path string
		if err := d.TxQueryRow(ctx, tx, `SELECT community_code, path FROM grids WHERE code = '350503001001001'`).Scan(&community, &path); err != nil {
			return err
		}
		parent := path[:len(path)-len("350503001001001/")]
		for i := 0; i < 972; i++ {
			code := fmt.Sprintf("%s%03d%03d", community[:9], 900+i/100, i%100)
			if _, err := d.TxExec(ctx, tx, `INSERT INTO grids (code, name, kind, community_code, zone_code, path, households, area_m2, geometry,
				min_lng, min_lat, max_lng, max_lat, created_at, updated_at)
				VALUES ($1, $1, 'basic', $2, NULL, $3, 0, 0, '{}', 118.5, 24.9, 118.6, 25.0, $4, $4)`, code, community, parent+code+"/", now); err != nil {
				return err
			}
		}
		rows, err := d.TxQuery(ctx, tx, `SELECT code, path FROM grids`)
		if err != nil {
			return err
		}
		var all [][2]string
		for rows.Next() {
			var g [2]string
			if err := rows.Scan(&g[0], &g[1]); err != nil {
				rows.Close()
				return err
			}
			all = append(all, g)
		}
		rows.Close()
		for i, g := range all {
			if _, err := d.TxExec(ctx, tx, `INSERT INTO patrol_plans (id, grid_code, path, per_week, route, checklist, created_by, created_at, updated_at)
				VALUES ($1,$2,$3,3,'[]','[]','bench',$4,$4) ON CONFLICT (grid_code) DO NOTHING`, db.NewID(), g[0], g[1], now); err != nil {
				return err
			}
			for j := 0; j < 3 && i*3+j < 3000; j++ {
				started := now.Add(-time.Duration(i%48) * time.Hour)
				if _, err := d.TxExec(ctx, tx, `INSERT INTO patrols (id, plan_id, grid_code, path, started_by, status, started_at, ended_at, answers)
					VALUES ($1,'',$2,$3,'bench','ended',$4,$5,'{}')`, db.NewID(), g[0], g[1], started, started.Add(time.Hour)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		c, err := srv.App.Patrols.Coverage(ctx, "2026-W49")
		if err != nil || len(c.Grids) != 1152 {
			b.Fatalf("%d grids, %v", len(c.Grids), err)
		}
	}
}
