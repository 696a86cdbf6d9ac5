package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Service reads and changes the org tree.
type Service struct {
	DB *db.DB
}

const nodeColumns = `code, kind, name, name_en, COALESCE(parent_code, ''), path, slug, updated_at`

func scanNode(row interface{ Scan(...any) error }) (Node, error) {
	var n Node
	var kind string
	err := row.Scan(&n.Code, &kind, &n.Name, &n.NameEN, &n.ParentCode, &n.Path, &n.Slug, &n.UpdatedAt)
	n.Kind = Kind(kind)
	return n, err
}

// NodeByCode finds any node, without scope: for internal use by other domain packages that
// check scope themselves (granting a role at a node, placing a grid under a community).
func (s *Service) NodeByCode(ctx context.Context, code string) (Node, error) {
	row := s.DB.QueryRow(ctx, `SELECT `+nodeColumns+` FROM org_nodes WHERE code = $1`, code)
	n, err := scanNode(row)
	if errors.Is(err, sql.ErrNoRows) {
		return n, apperr.New(apperr.NotFound, "org.node_not_found", code)
	}
	if err != nil {
		return n, fmt.Errorf("find org node %s: %w", code, err)
	}
	return n, nil
}

// DistrictNode returns the root of the tree (ok false on an empty database).
func (s *Service) DistrictNode(ctx context.Context) (Node, bool, error) {
	row := s.DB.QueryRow(ctx, `SELECT `+nodeColumns+` FROM org_nodes WHERE kind = 'district' ORDER BY code LIMIT 1`)
	n, err := scanNode(row)
	if errors.Is(err, sql.ErrNoRows) {
		return n, false, nil
	}
	return n, err == nil, err
}

// Tree returns the part of the org tree the caller reaches, with the ancestors of that part
// marked as context. Departments are listed by Departments, not here.
func (s *Service) Tree(ctx context.Context) (*TreeNode, error) {
	scope, err := access.Need(ctx, access.TerritoryRead)
	if err != nil {
		return nil, err
	}
	cond, args := scope.PathCondition("n.path", 1)
	ancestors := ancestorCodes(scope.Paths)
	ancestorCond := "1 = 0"
	if len(ancestors) > 0 {
		var ph []string
		for _, code := range ancestors {
			args = append(args, code)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		ancestorCond = "n.code IN (" + strings.Join(ph, ",") + ")"
	}
	q := `SELECT n.code, n.kind, n.name, n.name_en, COALESCE(n.parent_code, ''), n.path, n.slug, n.updated_at,
		(SELECT count(*) FROM grids g WHERE substr(g.path, 1, length(n.path)) = n.path)
		FROM org_nodes n WHERE n.kind <> 'department' AND (` + cond + ` OR ` + ancestorCond + `)
		ORDER BY length(n.path), n.code`
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("org tree: %w", err)
	}
	defer rows.Close()
	byCode := map[string]*TreeNode{}
	var root *TreeNode
	for rows.Next() {
		var n Node
		var kind string
		var grids int
		if err := rows.Scan(&n.Code, &kind, &n.Name, &n.NameEN, &n.ParentCode, &n.Path, &n.Slug, &n.UpdatedAt, &grids); err != nil {
			return nil, fmt.Errorf("org tree: %w", err)
		}
		t := &TreeNode{Code: n.Code, Kind: Kind(kind), Name: n.Name, NameEN: n.NameEN, GridCount: grids,
			Context: !scope.Covers(n.Path)}
		if t.Context {
			t.GridCount = 0
		}
		byCode[n.Code] = t
		if parent, ok := byCode[n.ParentCode]; ok {
			parent.Children = append(parent.Children, t)
		} else if root == nil {
			root = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if root == nil {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	zones, err := s.Zones(ctx)
	if err != nil {
		return nil, err
	}
	for _, z := range zones {
		if t, ok := byCode[z.SubdistrictCode]; ok {
			t.Zones = append(t.Zones, z)
		}
	}
	return root, nil
}

// Zones lists the zones the caller reaches.
func (s *Service) Zones(ctx context.Context) ([]Zone, error) {
	scope, err := access.Need(ctx, access.TerritoryRead)
	if err != nil {
		return nil, err
	}
	cond, args := scope.PathCondition("z.path", 1)
	// A zone is also visible to whoever reaches any of its grids (a community's grid worker).
	gridCond, _ := scope.PathCondition("gz.path", 1)
	cond = "(" + cond + " OR EXISTS (SELECT 1 FROM grids gz WHERE gz.zone_code = z.code AND " + gridCond + "))"
	rows, err := s.DB.Query(ctx, `SELECT z.code, z.name, z.name_en, z.subdistrict_code,
		z.lead_organisation, z.path, (SELECT count(*) FROM grids g WHERE g.zone_code = z.code)
		FROM zones z WHERE `+cond+` ORDER BY z.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("list zones: %w", err)
	}
	defer rows.Close()
	var out []Zone
	for rows.Next() {
		var z Zone
		if err := rows.Scan(&z.Code, &z.Name, &z.NameEN, &z.SubdistrictCode, &z.LeadOrganisation, &z.Path, &z.GridCount); err != nil {
			return nil, fmt.Errorf("list zones: %w", err)
		}
		out = append(out, z)
	}
	return out, rows.Err()
}

// Departments lists the departments the caller may see.
func (s *Service) Departments(ctx context.Context) ([]DepartmentInfo, error) {
	scope, err := access.Need(ctx, access.DepartmentRead)
	if err != nil {
		return nil, err
	}
	cond, args := scope.PathCondition("d.path", 1)
	rows, err := s.DB.Query(ctx, `SELECT d.code, d.name, d.name_en, p.kind, p.code
		FROM org_nodes d JOIN org_nodes p ON p.code = d.parent_code
		WHERE d.kind = 'department' AND `+cond+` ORDER BY d.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	defer rows.Close()
	var out []DepartmentInfo
	for rows.Next() {
		var d DepartmentInfo
		var level string
		if err := rows.Scan(&d.Code, &d.Name, &d.NameEN, &level, &d.OrgCode); err != nil {
			return nil, fmt.Errorf("list departments: %w", err)
		}
		d.Level = Kind(level)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Communities maps each community code to its subdistrict code (for grid validation).
func (s *Service) Communities(ctx context.Context) (map[string]string, error) {
	return s.codeMap(ctx, `SELECT code, parent_code FROM org_nodes WHERE kind = 'community'`)
}

// ZoneSubdistricts maps each zone code to its subdistrict code (for grid validation).
func (s *Service) ZoneSubdistricts(ctx context.Context) (map[string]string, error) {
	return s.codeMap(ctx, `SELECT code, subdistrict_code FROM zones`)
}

func (s *Service) codeMap(ctx context.Context, q string) (map[string]string, error) {
	rows, err := s.DB.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// ancestorCodes returns the codes of the nodes above each path ("/a/b/c/" → a, b).
func ancestorCodes(paths []string) []string {
	seen := map[string]bool{}
	for _, p := range paths {
		parts := strings.Split(strings.Trim(p, "/"), "/")
		for _, code := range parts[:max(len(parts)-1, 0)] {
			if code != "" {
				seen[code] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
