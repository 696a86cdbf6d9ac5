package org

import (
	"context"
	"fmt"
)

// Place is a unit of the territory or a department, with the path scope is decided on.
type Place struct {
	Code, Name, NameEN, Path string
}

// placeQueries read each kind of place: org nodes by kind, zones and grids from their tables.
var placeQueries = map[string]string{
	"district":    `SELECT code, name, name_en, path FROM org_nodes WHERE kind = 'district' ORDER BY code`,
	"subdistrict": `SELECT code, name, name_en, path FROM org_nodes WHERE kind = 'subdistrict' ORDER BY code`,
	"community":   `SELECT code, name, name_en, path FROM org_nodes WHERE kind = 'community' ORDER BY code`,
	"department":  `SELECT code, name, name_en, path FROM org_nodes WHERE kind = 'department' ORDER BY code`,
	"zone":        `SELECT code, name, name_en, path FROM zones ORDER BY code`,
	"grid":        `SELECT code, name, '', path FROM grids ORDER BY code`,
}

// Places lists every place of a kind (district, subdistrict, community, department, zone or
// grid), without scope: for domain packages that decide scope on the paths themselves (the
// indicators list one row per unit the caller reaches).
func (s *Service) Places(ctx context.Context, kind string) ([]Place, error) {
	q, ok := placeQueries[kind]
	if !ok {
		return nil, fmt.Errorf("places: unknown kind %q", kind)
	}
	rows, err := s.DB.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list %s places: %w", kind, err)
	}
	defer rows.Close()
	var out []Place
	for rows.Next() {
		var p Place
		if err := rows.Scan(&p.Code, &p.Name, &p.NameEN, &p.Path); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
