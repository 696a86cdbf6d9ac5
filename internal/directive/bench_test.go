package directive

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// BenchmarkCoverage measures the issuer's coverage of a directive to 20 000 grids (8
// subdistricts × 50 communities × 50 grids), half of them acknowledged and 3 in 10 done. The
// goal is < 50 ms a call. The rows are written directly through the store (no territory).
//
//	go test ./internal/directive -run '^$' -bench Coverage  (YIWANG_TEST_PG=… for PostgreSQL too)
func BenchmarkCoverage(b *testing.B) {
	for _, engine := range dbtest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			d := dbtest.Open(b, engine)
			clock := &testClock{now: cst(12, 7, 9, 0)}
			s := newService(b, d, clock)
			ctx := context.Background()
			var grids []Grid
			for sub := 1; sub <= 8; sub++ {
				for com := 1; com <= 50; com++ {
					for g := 1; g <= 50; g++ {
						grids = append(grids, grid(fmt.Sprintf("350503%03d%03d%03d", sub, com, g), ""))
					}
				}
			}
			dir := Directive{ID: db.NewID(), MsgType: MsgTypeAlert, Status: Active, Title: "台风防御", Instruction: "排查",
				Category: CategorySafety, Urgency: UrgencyExpected, Severity: SeveritySevere, Certainty: CertaintyLikely,
				AckDue: clock.Now().Add(-time.Hour), EscalationHours: 2, EscalateAt: clock.Now(), ActionRequired: true,
				AreaDesc: "丰泽区", IssuerCode: "350503", IssuerName: "丰泽区", IssuedBy: "district.leader",
				IssuedAt: clock.Now().Add(-2 * time.Hour), Targeted: len(grids), path: district, issuedByID: "district.leader"}
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				if err := s.insertDirective(ctx, tx, dir); err != nil {
					return err
				}
				if err := s.insertTargets(ctx, tx, dir.ID, grids); err != nil {
					return err
				}
				// Half acknowledged (odd grid numbers), 3 in 10 done (those ending in 1, 5 or 9).
				if _, err := d.TxExec(ctx, tx, `UPDATE directive_targets SET acknowledged_at = $2, acknowledged_by = 'w'
					WHERE directive_id = $1 AND substr(grid_code, 15, 1) IN ('1','3','5','7','9')`, dir.ID, clock.Now()); err != nil {
					return err
				}
				_, err := d.TxExec(ctx, tx, `UPDATE directive_targets SET done_at = $2
					WHERE directive_id = $1 AND substr(grid_code, 15, 1) IN ('1','5','9')`, dir.ID, clock.Now())
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			if engine == db.Postgres {
				if _, err := d.Exec(ctx, `ANALYZE directive_targets`); err != nil {
					b.Fatal(err)
				}
			}
			c, err := s.Coverage(districtLeader, dir.ID)
			if err != nil || c.Targeted != 20000 || c.Acknowledged != 10000 || c.Overdue != 10000 ||
				len(c.BySubdistrict) != 8 || len(c.ByCommunity) != 400 {
				b.Fatalf("coverage: %d targeted, %d acknowledged, %d overdue, %d subdistricts, %d communities, %v",
					c.Targeted, c.Acknowledged, c.Overdue, len(c.BySubdistrict), len(c.ByCommunity), err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Coverage(districtLeader, dir.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
