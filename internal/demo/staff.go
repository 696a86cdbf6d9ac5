package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/users"
)

// StaffStats says what Staff added.
type StaffStats struct {
	GridWorkers, CommunityStaff, Assigned int
}

// Staff staffs the demo district as a real one is: a grid worker on every grid (一格一员: the
// demo's named grid worker of a community takes its first grid, a new account each other grid)
// and community staff in every community that has none. Accounts are created through the bulk
// path the onboarding import uses, with the demo password; assignments through the org tree's
// grid editing, so both are audited as an administrator's would be. Running it again adds
// nothing. `make run` loads it; the test fixture stays with the named demo accounts.
func Staff(ctx context.Context, o *org.Service, g *grid.Service, u *users.Service, password string, now time.Time) (StaffStats, error) {
	ctx = access.WithPrincipal(ctx, access.SystemPrincipal("demo-loader"))
	var st StaffStats
	grids, err := g.List(ctx, grid.Filter{})
	if err != nil {
		return st, fmt.Errorf("demo staff: %w", err)
	}
	// The accounts already there: grid workers and community staff by the community they serve.
	workers, err := holders(ctx, u, access.GridWorker)
	if err != nil {
		return st, err
	}
	staff, err := holders(ctx, u, access.CommunityStaff)
	if err != nil {
		return st, err
	}
	var add []users.BulkUser
	worker := map[string]string{} // grid code → username of its worker
	communities := map[string]string{}
	var order []string
	for _, gr := range grids {
		if _, seen := communities[gr.CommunityCode]; !seen {
			communities[gr.CommunityCode] = gr.CommunityName
			order = append(order, gr.CommunityCode)
		}
		if named := workers[gr.CommunityCode]; len(named) > 0 {
			worker[gr.Code] = named[0]
			workers[gr.CommunityCode] = named[1:]
			continue
		}
		name := "wg" + gr.Code
		worker[gr.Code] = name
		add = append(add, users.BulkUser{Username: name, DisplayName: gr.Name + "网格员", Password: password,
			Roles: []users.RoleAt{{Role: access.GridWorker, OrgCode: gr.CommunityCode}}})
		st.GridWorkers++
	}
	for _, code := range order {
		if len(staff[code]) > 0 {
			continue
		}
		add = append(add, users.BulkUser{Username: "sq" + code, DisplayName: communities[code] + "工作人员", Password: password,
			Roles: []users.RoleAt{{Role: access.CommunityStaff, OrgCode: code}}})
		st.CommunityStaff++
	}
	if len(add) > 0 {
		if res, err := u.CreateMany(ctx, add, false); err != nil {
			return st, fmt.Errorf("demo staff: %w (%+v)", err, res.Problems)
		}
	}
	ids, err := idsOf(ctx, u, access.GridWorker)
	if err != nil {
		return st, err
	}
	current := map[string]org.CommunityGrids{}
	for _, gr := range grids {
		id := ids[worker[gr.Code]]
		if id == "" {
			continue
		}
		cur, ok := current[gr.CommunityCode]
		if !ok {
			if cur, err = o.CommunityGrids(ctx, gr.CommunityCode); err != nil {
				return st, fmt.Errorf("demo staff: %w", err)
			}
			current[gr.CommunityCode] = cur
		}
		if hasWorker(cur, gr.Code) {
			continue
		}
		if _, err := o.ChangeGrid(ctx, gr.Code, org.GridChange{WorkerIDs: &[]string{id}}, now); err != nil {
			return st, fmt.Errorf("demo staff: grid %s: %w", gr.Code, err)
		}
		st.Assigned++
	}
	return st, nil
}

// holders lists the usernames holding role, by the code of the node they hold it at.
func holders(ctx context.Context, u *users.Service, role access.Role) (map[string][]string, error) {
	out := map[string][]string{}
	err := eachHolder(ctx, u, role, func(us users.User, g access.Grant) { out[g.OrgCode] = append(out[g.OrgCode], us.Username) })
	return out, err
}

// idsOf maps the usernames holding role to their account IDs.
func idsOf(ctx context.Context, u *users.Service, role access.Role) (map[string]string, error) {
	out := map[string]string{}
	err := eachHolder(ctx, u, role, func(us users.User, _ access.Grant) { out[us.Username] = us.ID })
	return out, err
}

func eachHolder(ctx context.Context, u *users.Service, role access.Role, fn func(users.User, access.Grant)) error {
	after := ""
	for {
		page, err := u.List(ctx, users.Filter{Role: role, Limit: 500, After: after})
		if err != nil {
			return fmt.Errorf("demo staff: %w", err)
		}
		for _, us := range page {
			for _, g := range us.Roles {
				if g.Role == role {
					fn(us, g)
				}
			}
		}
		if len(page) < 500 {
			return nil
		}
		after = page[len(page)-1].Username
	}
}

func hasWorker(c org.CommunityGrids, code string) bool {
	for _, g := range c.Grids {
		if g.Code == code {
			return len(g.Workers) > 0
		}
	}
	return false
}
