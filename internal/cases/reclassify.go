package cases

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// reclassify applies the desk's corrections of category, place and urgency to c, and runs again
// what depends on them: the grid (and so the subdistrict whose desk handles it), the suggested
// department and the running stage's deadline.
func (s *Service) reclassify(ctx context.Context, tx *sql.Tx, c *Case, in ActInput, data map[string]any) error {
	next := NewCase{Channel: c.Channel, Kind: c.Kind, CategoryClass: c.CategoryClass, CategoryCode: c.CategoryCode,
		Urgency: c.Urgency, Lat: c.Lat, Lng: c.Lng, Address: c.Address, Description: c.Description}
	changed := false
	if in.CategoryCode != "" {
		next.CategoryClass, next.CategoryCode, changed = in.CategoryClass, in.CategoryCode, true
	}
	if in.Lat != nil || in.Lng != nil {
		if in.Lat == nil || in.Lng == nil {
			return apperr.New(apperr.Invalid, "case.bad_location")
		}
		next.Lat, next.Lng, changed = *in.Lat, *in.Lng, true
	}
	if in.Address != nil {
		next.Address, changed = *in.Address, true
	}
	if in.Urgency != "" {
		next.Urgency, changed = in.Urgency, true
	}
	if !changed {
		return apperr.New(apperr.Invalid, "case.nothing_to_reclassify")
	}
	p, err := s.prepare(ctx, next)
	if err != nil {
		return err
	}
	n := p.c
	data["before"] = map[string]any{"category_code": c.CategoryCode, "grid_code": c.GridCode, "urgency": c.Urgency}
	data["after"] = map[string]any{"category_code": n.CategoryCode, "grid_code": n.GridCode, "urgency": n.Urgency}
	c.CategoryClass, c.CategoryCode, c.CategoryName, c.Urgency = n.CategoryClass, n.CategoryCode, n.CategoryName, n.Urgency
	c.Lat, c.Lng, c.Address = n.Lat, n.Lng, n.Address
	c.GridCode, c.CommunityCode, c.SubdistrictCode, c.ZoneCode, c.path = n.GridCode, n.CommunityCode, n.SubdistrictCode, n.ZoneCode, n.path
	c.GridName, c.CommunityName, c.SubdistrictName = n.GridName, n.CommunityName, n.SubdistrictName
	c.SuggestedDepartment = n.SuggestedDepartment
	// The running stage keeps its start; its limit may differ for the new category or urgency.
	if err := s.startStage(ctx, c, c.StageStartedAt); err != nil {
		return err
	}
	_, err = s.DB.TxExec(ctx, tx, `UPDATE cases SET category_class=$2, category_code=$3, urgency=$4, lat=$5, lng=$6, address=$7,
		grid_code=$8, community_code=$9, subdistrict_code=$10, zone_code=$11, path=$12, suggested_department=$13 WHERE id=$1`,
		c.ID, c.CategoryClass, c.CategoryCode, string(c.Urgency), c.Lat, c.Lng, c.Address, c.GridCode, c.CommunityCode,
		c.SubdistrictCode, c.ZoneCode, c.path, c.SuggestedDepartment)
	if err != nil {
		return fmt.Errorf("reclassify: %w", err)
	}
	return nil
}
