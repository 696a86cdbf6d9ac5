package demo_test

import (
	"context"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// TestStaff: after demo.Staff every grid has its grid worker (一格一员) and every community its
// staff; the new accounts sign in with the demo password without a forced change; a second run
// adds nothing.
func TestStaff(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s := apptest.Start(t, engine)
			ctx := context.Background()
			st, err := s.App.LoadDemoStaff(ctx, apptest.DemoPassword)
			if err != nil {
				t.Fatal(err)
			}
			var grids, unstaffed, communities, noStaff int
			d := s.App.DB
			d.QueryRow(ctx, `SELECT count(*) FROM grids`).Scan(&grids)
			d.QueryRow(ctx, `SELECT count(*) FROM grids g WHERE NOT EXISTS (SELECT 1 FROM grid_workers w WHERE w.grid_code = g.code)`).Scan(&unstaffed)
			d.QueryRow(ctx, `SELECT count(*) FROM org_nodes WHERE kind = 'community'`).Scan(&communities)
			d.QueryRow(ctx, `SELECT count(*) FROM org_nodes c WHERE c.kind = 'community' AND NOT EXISTS
				(SELECT 1 FROM role_grants r WHERE r.org_code = c.code AND r.role = 'community_staff')`).Scan(&noStaff)
			if grids == 0 || unstaffed != 0 || communities == 0 || noStaff != 0 {
				t.Fatalf("%d grids, %d without a worker; %d communities, %d without staff (%+v)", grids, unstaffed, communities, noStaff, st)
			}
			if st.Assigned != grids || st.GridWorkers >= grids || st.GridWorkers == 0 {
				t.Errorf("stats %+v for %d grids: the named demo grid workers take a grid each, the rest are new", st, grids)
			}
			// The named grid worker of 东梅社区 holds its first grid.
			var first string
			d.QueryRow(ctx, `SELECT w.grid_code FROM grid_workers w JOIN users u ON u.id = w.user_id WHERE u.username = 'donghai.grid_worker'`).Scan(&first)
			if first != "350503001001001" {
				t.Errorf("donghai.grid_worker on %q", first)
			}
			c := s.Anonymous(t)
			var res struct {
				MustChangePassword bool `json:"must_change_password"`
			}
			if status := c.Do("POST", "/api/v1/auth/login", map[string]string{"username": "wg350503002001002", "password": apptest.DemoPassword}, &res); status != 200 || res.MustChangePassword {
				t.Errorf("a new grid worker signs in: %d, must change %v", status, res.MustChangePassword)
			}
			again, err := s.App.LoadDemoStaff(ctx, apptest.DemoPassword)
			if err != nil || again.GridWorkers+again.CommunityStaff+again.Assigned != 0 {
				t.Errorf("second run: %+v %v", again, err)
			}
		})
	}
}
