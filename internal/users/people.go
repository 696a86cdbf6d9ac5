package users

import (
	"context"
	"fmt"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// People finds the users that hold roles, for notifications (notify.People): the one place
// outside the account pages that reads the grant table.
type People struct{}

// Holding lists the users holding one of roles at the node of path or at a node above it (the
// people on duty for a place: its community, subdistrict and district).
func (People) Holding(ctx context.Context, q db.Querier, roles []access.Role, path string) ([]string, error) {
	args := []any{path}
	ph := make([]string, len(roles))
	for i, r := range roles {
		args = append(args, string(r))
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	return userIDs(ctx, q, `SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE substr($1, 1, length(g.org_path)) = g.org_path AND g.role IN (`+strings.Join(ph, ",")+`) AND NOT u.disabled
		ORDER BY g.user_id`, args...)
}

// Staff lists the staff of handling units (department_staff granted at the units' org codes).
func (People) Staff(ctx context.Context, q db.Querier, units []string) ([]string, error) {
	args := []any{string(access.DepartmentStaff)}
	ph := make([]string, len(units))
	for i, u := range units {
		args = append(args, u)
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	return userIDs(ctx, q, `SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.role = $1 AND g.org_code IN (`+strings.Join(ph, ",")+`) AND NOT u.disabled ORDER BY g.user_id`, args...)
}

func userIDs(ctx context.Context, q db.Querier, query string, args ...any) ([]string, error) {
	ids, err := db.Strings(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find the people to tell: %w", err)
	}
	return ids, nil
}

// Names maps each user id to the display name the tables show (the indicators' person rows): a
// leader reads 张三, not an account name.
func (People) Names(ctx context.Context, q db.Querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, display_name FROM users`)
	if err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
