package patrol

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// DemoPlan is a plan of the demo district.
type DemoPlan struct {
	GridCode string
	PerWeek  int
	Route    []Point
	Users    []string
}

// LoadDemo writes the demo's plans in one transaction, as the operator (the demo loader), with
// the default checklist of each grid's kind and one audit record.
func (s *Service) LoadDemo(ctx context.Context, plans []DemoPlan) error {
	scope, err := access.Need(ctx, access.PatrolPlan)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	actor := access.ActorOf(ctx, scope.Primary())
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range plans {
			var kind, path string
			if err := s.DB.TxQueryRow(ctx, tx, `SELECT kind, path FROM grids WHERE code = $1`, d.GridCode).Scan(&kind, &path); err != nil {
				return fmt.Errorf("demo plan of %s: %w", d.GridCode, err)
			}
			p := Plan{ID: db.NewID(), GridCode: d.GridCode, PerWeek: d.PerWeek, Route: d.Route, Checklist: DefaultChecklist(kind),
				CreatedAt: now, UpdatedAt: now, path: path}
			for _, u := range d.Users {
				p.Assignees = append(p.Assignees, Assignee{Kind: "user", Subject: u})
			}
			if err := s.writePlan(ctx, tx, p, actor.ID, true); err != nil {
				return err
			}
		}
		e := audit.For(actor, now, "patrol.demo", PlanKind.Name, "")
		e.After = fmt.Sprintf(`{"plans":%d}`, len(plans))
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
}
