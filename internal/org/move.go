package org

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// pathColumns are the copies of an org path kept beside rows so scope is a prefix test on them.
// A move rewrites each in the same transaction. The audit log's org_path is not among them: the
// log is append-only and says where an action was taken at the time.
var pathColumns = []struct{ table, column string }{
	{"org_nodes", "path"},
	{"grids", "path"},
	{"role_grants", "org_path"},
	{"cases", "path"},
	{"whistles", "path"},
	{"directives", "path"},
	{"directive_targets", "path"},
	{"patrol_plans", "path"},
	{"patrols", "path"},
	{"eval_picks", "picked_path"},
}

// subdistrictColumns are the tables recording a community's subdistrict beside its code: a
// moved community's rows follow it, so its history reads under the new subdistrict.
var subdistrictColumns = []string{"cases", "whistles", "directive_targets"}

// Move puts a community under another subdistrict, or a department under another district or
// subdistrict node, with everything below it: grids, grants, cases, whistles, directives'
// targets, patrol plans and patrols follow it (their paths are rewritten), so the community's
// whole history is shown under its new subdistrict. Its grids leave the old subdistrict's zones
// (a zone lies inside one subdistrict); grid workers held at the old subdistrict stop being on
// duty for its grids. The caller must reach both the node and the new parent.
func (s *Service) Move(ctx context.Context, code, parentCode string, now time.Time) (Moved, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return Moved{}, err
	}
	var out Moved
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.liveNode(ctx, tx, scope, code)
		if err != nil {
			return err
		}
		if n.Kind != Community && n.Kind != Department {
			return apperr.New(apperr.Invalid, "orgedit.cannot_move")
		}
		parent, err := s.liveNode(ctx, tx, scope, parentCode)
		if err != nil {
			return err
		}
		if !allowedParent(n.Kind, parent.Kind) {
			return apperr.New(apperr.Invalid, "orgedit.bad_parent", parentCode)
		}
		if parent.Code == n.ParentCode {
			return apperr.New(apperr.Invalid, "orgedit.same_parent", parentCode)
		}
		out = Moved{Code: code, FromParent: n.ParentCode, ToParent: parent.Code}
		if err := s.moveRows(ctx, tx, n, parent, now, &out); err != nil {
			return fmt.Errorf("move org node %s to %s: %w", code, parentCode, err)
		}
		if err := db.BumpVersion(ctx, tx, "grids_version"); err != nil {
			return err
		}
		newPath := PathOf(parent.Path, code)
		return s.record(ctx, tx, scope, now, change{code: code, path: newPath, objectType: string(n.Kind), action: HistoryMove,
			before: map[string]any{"parent_code": n.ParentCode},
			after: map[string]any{"parent_code": parent.Code, "grids": out.Grids, "grants": out.Grants, "cases": out.Cases,
				"zones_cleared": out.ZonesCleared, "workers_ended": out.WorkersEnded}})
	})
	return out, err
}

// moveRows rewrites the paths below n to lie below parent and counts what moved.
func (s *Service) moveRows(ctx context.Context, tx *sql.Tx, n, parent editNode, now time.Time, out *Moved) error {
	oldPath, newPath := n.Path, PathOf(parent.Path, n.Code)
	if _, err := s.DB.TxExec(ctx, tx, `UPDATE org_nodes SET parent_code = $1, updated_at = $2 WHERE code = $3`,
		parent.Code, now, n.Code); err != nil {
		return err
	}
	for _, pc := range pathColumns {
		// Paths are codes and slashes (ASCII), so byte lengths are character lengths on both engines.
		res, err := s.DB.TxExec(ctx, tx, fmt.Sprintf(`UPDATE %[1]s SET %[2]s = CAST($1 AS TEXT) || substr(%[2]s, $2)
			WHERE substr(%[2]s, 1, $3) = $4`, pc.table, pc.column), newPath, len(oldPath)+1, len(oldPath), oldPath)
		if err != nil {
			return fmt.Errorf("rewrite %s.%s: %w", pc.table, pc.column, err)
		}
		count, _ := res.RowsAffected()
		switch pc.table {
		case "grids":
			out.Grids = int(count)
		case "role_grants":
			out.Grants = int(count)
		case "cases":
			out.Cases = int(count)
		}
	}
	if n.Kind != Community {
		return nil
	}
	for _, table := range subdistrictColumns {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE `+table+` SET subdistrict_code = $1 WHERE community_code = $2`,
			parent.Code, n.Code); err != nil {
			return fmt.Errorf("move %s of community %s: %w", table, n.Code, err)
		}
	}
	res, err := s.DB.TxExec(ctx, tx, `UPDATE grids SET zone_code = NULL WHERE community_code = $1 AND zone_code IS NOT NULL`, n.Code)
	if err != nil {
		return fmt.Errorf("take grids of %s out of their zones: %w", n.Code, err)
	}
	cleared, _ := res.RowsAffected()
	out.ZonesCleared = int(cleared)
	ended, err := s.endUnreachedWorkers(ctx, tx, n.Code)
	out.WorkersEnded = ended
	return err
}

// endUnreachedWorkers removes the grid assignments of a community's grids whose worker holds no
// grid_worker grant reaching the grid any more (one held at the old subdistrict).
func (s *Service) endUnreachedWorkers(ctx context.Context, tx *sql.Tx, communityCode string) (int, error) {
	res, err := s.DB.TxExec(ctx, tx, `DELETE FROM grid_workers
		WHERE grid_code IN (SELECT code FROM grids WHERE community_code = $1)
		AND NOT EXISTS (SELECT 1 FROM role_grants rg JOIN grids g ON g.code = grid_workers.grid_code
			WHERE rg.user_id = grid_workers.user_id AND rg.role = 'grid_worker'
			AND substr(g.path, 1, length(rg.org_path)) = rg.org_path)`, communityCode)
	if err != nil {
		return 0, fmt.Errorf("end grid assignments of %s: %w", communityCode, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
