package org

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Grids to zones, grid workers to grids. A grid's zone is grids.zone_code (a zone of the grid's
// subdistrict). Who may act in a grid is still decided by the grid_worker grant (package access,
// held at the community or the subdistrict); grid_workers says which of those workers is on
// duty for which grid (一格一员), so it is chosen among them only.

// maxGridWorkers bounds the workers of one grid.
const maxGridWorkers = 20

// candidatesQuery lists the enabled accounts holding a grid_worker grant that reaches path $1.
const candidatesQuery = `SELECT DISTINCT u.id, u.username, u.display_name FROM role_grants rg JOIN users u ON u.id = rg.user_id
	WHERE rg.role = 'grid_worker' AND u.disabled = false AND substr($1, 1, length(rg.org_path)) = rg.org_path
	ORDER BY u.username`

func scanWorker(row db.Scanner) (GridWorker, error) {
	var w GridWorker
	err := row.Scan(&w.UserID, &w.Username, &w.DisplayName)
	return w, err
}

// CommunityGrids lists a community's grids with their zones and grid workers, the zones of its
// subdistrict and the grid workers who may be put on its grids.
func (s *Service) CommunityGrids(ctx context.Context, communityCode string) (CommunityGrids, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return CommunityGrids{}, err
	}
	out := CommunityGrids{CommunityCode: communityCode, Grids: []AdminGrid{}, Zones: []Zone{}, Candidates: []GridWorker{}}
	var community editNode
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		community, err = s.findNode(ctx, tx, scope, communityCode)
		return err
	})
	if err != nil {
		return out, err
	}
	if community.Kind != Community {
		return out, apperr.New(apperr.Invalid, "orgedit.not_community", communityCode)
	}
	grids, err := db.QueryAll(ctx, s.DB.Read, func(row db.Scanner) (AdminGrid, error) {
		g := AdminGrid{Workers: []GridWorker{}}
		err := row.Scan(&g.Code, &g.Name, &g.CommunityCode, &g.ZoneCode)
		return g, err
	}, `SELECT code, name, community_code, COALESCE(zone_code, '') FROM grids WHERE community_code = $1 ORDER BY code`, communityCode)
	if err != nil {
		return out, fmt.Errorf("grids of %s: %w", communityCode, err)
	}
	type assignment struct{ grid, user, username, name string }
	assigned, err := db.QueryAll(ctx, s.DB.Read, func(row db.Scanner) (assignment, error) {
		var a assignment
		err := row.Scan(&a.grid, &a.user, &a.username, &a.name)
		return a, err
	}, `SELECT w.grid_code, u.id, u.username, u.display_name FROM grid_workers w JOIN users u ON u.id = w.user_id
		JOIN grids g ON g.code = w.grid_code WHERE g.community_code = $1 ORDER BY u.username`, communityCode)
	if err != nil {
		return out, fmt.Errorf("grid workers of %s: %w", communityCode, err)
	}
	for i := range grids {
		for _, a := range assigned {
			if a.grid == grids[i].Code {
				grids[i].Workers = append(grids[i].Workers, GridWorker{UserID: a.user, Username: a.username, DisplayName: a.name})
			}
		}
	}
	out.Grids = grids
	zones, err := db.QueryAll(ctx, s.DB.Read, func(row db.Scanner) (Zone, error) {
		var z Zone
		err := row.Scan(&z.Code, &z.Name, &z.NameEN, &z.SubdistrictCode, &z.LeadOrganisation)
		return z, err
	}, `SELECT code, name, name_en, subdistrict_code, lead_organisation FROM zones WHERE subdistrict_code = $1 ORDER BY code`,
		community.ParentCode)
	if err != nil {
		return out, fmt.Errorf("zones of %s: %w", community.ParentCode, err)
	}
	out.Zones = zones
	// A worker held at the community or its subdistrict reaches every grid of the community.
	candidates, err := db.QueryAll(ctx, s.DB.Read, scanWorker, candidatesQuery, community.Path)
	if err != nil {
		return out, fmt.Errorf("grid workers for %s: %w", communityCode, err)
	}
	out.Candidates = append(out.Candidates, candidates...)
	return out, nil
}

// ChangeGrid puts a grid in a zone of its subdistrict (or takes it out with ""), and/or replaces
// its grid workers, each of whom must hold a grid_worker grant reaching the grid.
func (s *Service) ChangeGrid(ctx context.Context, code string, c GridChange, now time.Time) (AdminGrid, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return AdminGrid{}, err
	}
	if c.ZoneCode == nil && c.WorkerIDs == nil {
		return AdminGrid{}, apperr.New(apperr.Invalid, "orgedit.grid_nothing")
	}
	if c.WorkerIDs != nil && len(*c.WorkerIDs) > maxGridWorkers {
		return AdminGrid{}, apperr.New(apperr.Invalid, "orgedit.too_many_workers", maxGridWorkers)
	}
	if !otherCode.MatchString(code) {
		return AdminGrid{}, apperr.New(apperr.NotFound, "orgedit.grid_not_found", code)
	}
	var out AdminGrid
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var path, subdistrict string
		g := AdminGrid{Workers: []GridWorker{}}
		err := s.DB.TxQueryRow(ctx, tx, `SELECT g.code, g.name, g.community_code, COALESCE(g.zone_code, ''), g.path, c.parent_code
			FROM grids g JOIN org_nodes c ON c.code = g.community_code WHERE g.code = $1`, code).
			Scan(&g.Code, &g.Name, &g.CommunityCode, &g.ZoneCode, &path, &subdistrict)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !scope.Covers(path)) {
			return apperr.New(apperr.NotFound, "orgedit.grid_not_found", code)
		}
		if err != nil {
			return fmt.Errorf("find grid %s: %w", code, err)
		}
		if c.ZoneCode != nil && *c.ZoneCode != g.ZoneCode {
			if err := s.setZone(ctx, tx, scope, now, &g, path, subdistrict, *c.ZoneCode); err != nil {
				return err
			}
		}
		if c.WorkerIDs != nil {
			if err := s.setWorkers(ctx, tx, scope, now, &g, path, *c.WorkerIDs); err != nil {
				return err
			}
		} else if g.Workers, err = s.gridWorkers(ctx, tx, code); err != nil {
			return err
		}
		out = g
		return nil
	})
	return out, err
}

func (s *Service) setZone(ctx context.Context, tx *sql.Tx, scope access.Scope, now time.Time, g *AdminGrid, path, subdistrict, zone string) error {
	var arg any
	if zone != "" {
		if !otherCode.MatchString(zone) {
			return apperr.New(apperr.Invalid, "orgedit.zone_elsewhere", zone)
		}
		var zoneSubdistrict string
		err := s.DB.TxQueryRow(ctx, tx, `SELECT subdistrict_code FROM zones WHERE code = $1`, zone).Scan(&zoneSubdistrict)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && zoneSubdistrict != subdistrict) {
			return apperr.New(apperr.Invalid, "orgedit.zone_elsewhere", zone)
		}
		if err != nil {
			return fmt.Errorf("find zone %s: %w", zone, err)
		}
		arg = zone
	}
	if _, err := s.DB.TxExec(ctx, tx, `UPDATE grids SET zone_code = $1, updated_at = $2 WHERE code = $3`, arg, now, g.Code); err != nil {
		return fmt.Errorf("put grid %s in zone %q: %w", g.Code, zone, err)
	}
	// The zone's name is shown with located grids, cached with the grid index.
	if err := db.BumpVersion(ctx, tx, "grids_version"); err != nil {
		return err
	}
	before := g.ZoneCode
	g.ZoneCode = zone
	return s.record(ctx, tx, scope, now, change{code: g.Code, path: path, objectType: "grid", action: HistoryZone,
		before: map[string]any{"zone_code": before}, after: map[string]any{"zone_code": zone}})
}

func (s *Service) gridWorkers(ctx context.Context, tx *sql.Tx, code string) ([]GridWorker, error) {
	rows, err := s.DB.TxQuery(ctx, tx, `SELECT u.id, u.username, u.display_name FROM grid_workers w JOIN users u ON u.id = w.user_id
		WHERE w.grid_code = $1 ORDER BY u.username`, code)
	if err != nil {
		return nil, fmt.Errorf("grid workers of %s: %w", code, err)
	}
	defer rows.Close()
	out := []GridWorker{}
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func (s *Service) setWorkers(ctx context.Context, tx *sql.Tx, scope access.Scope, now time.Time, g *AdminGrid, path string, ids []string) error {
	before, err := s.gridWorkers(ctx, tx, g.Code)
	if err != nil {
		return err
	}
	rows, err := s.DB.TxQuery(ctx, tx, candidatesQuery, path)
	if err != nil {
		return fmt.Errorf("grid workers for %s: %w", g.Code, err)
	}
	candidates := map[string]GridWorker{}
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			rows.Close()
			return err
		}
		candidates[w.UserID] = w
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	after := []GridWorker{}
	for _, id := range ids {
		w, ok := candidates[id]
		if !ok {
			return apperr.New(apperr.Invalid, "orgedit.not_grid_worker", id, g.Code)
		}
		after = append(after, w)
	}
	slices.SortFunc(after, func(a, b GridWorker) int { return cmp.Compare(a.Username, b.Username) })
	if sameWorkers(before, after) {
		g.Workers = before
		return nil
	}
	if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM grid_workers WHERE grid_code = $1`, g.Code); err != nil {
		return fmt.Errorf("replace grid workers of %s: %w", g.Code, err)
	}
	actor := access.ActorOf(ctx, scope.Primary())
	for _, w := range after {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO grid_workers (grid_code, user_id, assigned_by, assigned_at) VALUES ($1,$2,$3,$4)`,
			g.Code, w.UserID, actor.ID, now); err != nil {
			return fmt.Errorf("assign %s to grid %s: %w", w.UserID, g.Code, err)
		}
	}
	g.Workers = after
	return s.record(ctx, tx, scope, now, change{code: g.Code, path: path, objectType: "grid", action: HistoryWorkers,
		before: map[string]any{"workers": usernames(before)}, after: map[string]any{"workers": usernames(after)}})
}

func sameWorkers(a, b []GridWorker) bool {
	return slices.EqualFunc(a, b, func(x, y GridWorker) bool { return x.UserID == y.UserID })
}

func usernames(ws []GridWorker) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Username
	}
	return out
}
