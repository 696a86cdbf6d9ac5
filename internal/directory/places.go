package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Places are edited directly by the editors of their unit (audited): an office's hours or phone
// must be right the day they change, and they carry no advice a second pair of eyes must check.

// Places lists the places of the caller's units (unit: one unit only).
func (d *Directory) Places(ctx context.Context, unitCode string) ([]Place, error) {
	scope, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	c, err := d.clock(ctx)
	if err != nil {
		return nil, err
	}
	out := []Place{}
	for _, p := range s.places {
		if scope.Covers(p.path) && (unitCode == "" || p.UnitCode == unitCode) {
			out = append(out, c.dress(*p))
		}
	}
	return out, nil
}

var placeCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$`)
var phoneText = regexp.MustCompile(`^[0-9+\-() ,、/]{0,60}$`)

// clean checks a place and says where in the district it is.
func (d *Directory) cleanPlace(ctx context.Context, s *snapshot, in *PlaceInput) error {
	in.Code = strings.TrimSpace(in.Code)
	if !placeCode.MatchString(in.Code) {
		return bad("code", "directory.bad_place_code")
	}
	if err := text("name", &in.Name, maxName); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Name) < 2 {
		return bad("name", "directory.name_required")
	}
	if !slices.Contains(PlaceKinds, in.Kind) {
		return bad("kind", "directory.bad_place_kind", in.Kind)
	}
	if err := text("address", &in.Address, 200); err != nil {
		return err
	}
	if err := text("phone", &in.Phone, 60); err != nil {
		return err
	}
	if !phoneText.MatchString(in.Phone) {
		return bad("phone", "directory.bad_phone")
	}
	if math.IsNaN(in.Lat) || math.IsNaN(in.Lng) || in.Lat < -90 || in.Lat > 90 || in.Lng < -180 || in.Lng > 180 {
		return bad("lat", "directory.place_outside")
	}
	if _, inside, err := d.Locator.Locate(ctx, in.Lat, in.Lng); err != nil {
		return err
	} else if !inside {
		return bad("lat", "directory.place_outside")
	}
	if err := in.Hours.Validate(); err != nil {
		return err
	}
	var err error
	if in.Serves, err = words("serves", in.Serves, 32, 50); err != nil {
		return err
	}
	for _, code := range in.Serves {
		if _, ok := s.units[code]; !ok {
			return bad("serves", "directory.unknown_unit", code)
		}
	}
	return nil
}

// SavePlace creates a place (id "") or replaces one.
func (d *Directory) SavePlace(ctx context.Context, id string, in PlaceInput) (Place, error) {
	scope, err := editor(ctx)
	if err != nil {
		return Place{}, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return Place{}, err
	}
	if id != "" {
		old, ok := s.placeByID[id]
		if !ok || !scope.Covers(old.path) {
			return Place{}, apperr.New(apperr.NotFound, "directory.place_not_found")
		}
	}
	if err := d.cleanPlace(ctx, s, &in); err != nil {
		return Place{}, err
	}
	for _, p := range s.places {
		if p.Code == in.Code && p.ID != id {
			return Place{}, bad("code", "directory.place_code_taken", in.Code)
		}
	}
	u, grant, err := unitInReach(s, scope, in.UnitCode)
	if err != nil {
		return Place{}, err
	}
	h, _ := json.Marshal(in.Hours)
	now := d.now()
	action := "directory.place_update"
	if id == "" {
		id, action = db.NewID(), "directory.place_create"
	}
	err = d.write(ctx, func(tx *sql.Tx) (audit.Entry, error) {
		var err error
		if action == "directory.place_create" {
			_, err = d.DB.TxExec(ctx, tx, `INSERT INTO service_places (id, code, name, kind, unit_code, path, address, lat, lng, phone,
				hours, serves, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13)`,
				id, in.Code, in.Name, in.Kind, u.code, u.path, in.Address, in.Lat, in.Lng, in.Phone, string(h), jsonList(in.Serves), now)
		} else {
			_, err = d.DB.TxExec(ctx, tx, `UPDATE service_places SET code = $1, name = $2, kind = $3, unit_code = $4, path = $5,
				address = $6, lat = $7, lng = $8, phone = $9, hours = $10, serves = $11, updated_at = $12 WHERE id = $13`,
				in.Code, in.Name, in.Kind, u.code, u.path, in.Address, in.Lat, in.Lng, in.Phone, string(h), jsonList(in.Serves), now, id)
		}
		if err != nil {
			return audit.Entry{}, err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, action, "service_place", id)
		e.OrgPath, e.After = u.path, audit.Summary(map[string]any{"code": in.Code, "name": in.Name, "hours": in.Hours, "phone": in.Phone})
		return e, nil
	})
	if err != nil {
		return Place{}, err
	}
	s, err = d.current(ctx)
	if err != nil {
		return Place{}, err
	}
	c, err := d.clock(ctx)
	if err != nil {
		return Place{}, err
	}
	return c.dress(*s.placeByID[id]), nil
}
