package grid

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// Service stores grids and answers "which grid holds this point" from an in-memory index that
// follows imports made by any node sharing the database.
type Service struct {
	DB  *db.DB
	Org *org.Service
	Now func() time.Time
	// RecheckEvery is how often Locate asks the database whether another node imported grids.
	RecheckEvery time.Duration

	index db.Versioned[*loadedIndex]
}

type loadedIndex struct {
	ix        *Index
	summaries map[string]Summary // what Locate answers, loaded with the index: no query per lookup
}

// Summary is a grid without its polygon, as lists show it.
type Summary struct {
	Code            string  `json:"code"`
	Name            string  `json:"name"`
	Kind            Kind    `json:"kind"`
	CommunityCode   string  `json:"community_code"`
	CommunityName   string  `json:"community_name"`
	SubdistrictCode string  `json:"subdistrict_code"`
	SubdistrictName string  `json:"subdistrict_name"`
	ZoneCode        string  `json:"zone_code,omitempty"`
	ZoneName        string  `json:"zone_name,omitempty"`
	Households      int     `json:"households"`
	AreaM2          float64 `json:"area_m2"`
}

// Location answers a locate request.
type Location struct {
	Inside bool     `json:"inside"`
	Grid   *Summary `json:"grid,omitempty"`
}

type geometryJSON struct {
	Type        string         `json:"type"`
	Coordinates [][][2]float64 `json:"coordinates"`
}

func encodeGeometry(p orb.Polygon) string {
	g := geometryJSON{Type: "Polygon"}
	for _, ring := range p {
		r := make([][2]float64, len(ring))
		for i, pt := range ring {
			r[i] = [2]float64{pt[0], pt[1]}
		}
		g.Coordinates = append(g.Coordinates, r)
	}
	b, _ := json.Marshal(g)
	return string(b)
}

func decodeGeometry(s string) (orb.Polygon, error) {
	var g geometryJSON
	if err := json.Unmarshal([]byte(s), &g); err != nil {
		return nil, err
	}
	p := make(orb.Polygon, len(g.Coordinates))
	for i, ring := range g.Coordinates {
		p[i] = make(orb.Ring, len(ring))
		for j, pt := range ring {
			p[i][j] = orb.Point{pt[0], pt[1]}
		}
	}
	return p, nil
}

// loadAll reads every stored grid with its geometry (internal: for the index and for import
// validation, which must see grids outside the importer's scope to find overlaps).
func (s *Service) loadAll(ctx context.Context) ([]Grid, error) {
	rows, err := s.DB.Query(ctx, `SELECT code, name, kind, community_code, COALESCE(zone_code, ''),
		households, area_m2, geometry FROM grids ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("load grids: %w", err)
	}
	defer rows.Close()
	var out []Grid
	for rows.Next() {
		var g Grid
		var kind, geom string
		if err := rows.Scan(&g.Code, &g.Name, &kind, &g.CommunityCode, &g.ZoneCode, &g.Households, &g.AreaM2, &geom); err != nil {
			return nil, fmt.Errorf("load grids: %w", err)
		}
		g.Kind = Kind(kind)
		if g.Geometry, err = decodeGeometry(geom); err != nil {
			return nil, fmt.Errorf("load grid %s: %w", g.Code, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// indexSource is where the locate index comes from: rebuilt when an import (of any node) bumps
// grids_version.
func (s *Service) indexSource() db.VersionSource[*loadedIndex] {
	return db.VersionSource[*loadedIndex]{DB: s.DB, Key: "grids_version", Every: s.RecheckEvery, Now: s.Now, Load: s.loadIndex}
}

// LoadIndex (re)builds the locate index from the database.
func (s *Service) LoadIndex(ctx context.Context) error {
	_, err := s.index.Reload(ctx, s.indexSource())
	return err
}

func (s *Service) loadIndex(ctx context.Context) (*loadedIndex, error) {
	grids, err := s.loadAll(ctx)
	if err != nil {
		return nil, err
	}
	list, err := db.QueryAll(ctx, s.DB.Read, scanSummary, summarySelect)
	if err != nil {
		return nil, fmt.Errorf("load grid summaries: %w", err)
	}
	summaries := make(map[string]Summary, len(list))
	for _, m := range list {
		summaries[m.Code] = m
	}
	return &loadedIndex{ix: NewIndex(grids), summaries: summaries}, nil
}

// Locate finds the grid containing a WGS84 point. Locating is public geography: every signed-in
// role may do it anywhere in the district.
func (s *Service) Locate(ctx context.Context, lat, lng float64) (Location, error) {
	if _, err := access.Need(ctx, access.TerritoryLocate); err != nil {
		return Location{}, err
	}
	if !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) {
		return Location{}, apperr.New(apperr.Invalid, "grid.bad_point")
	}
	li, err := s.index.Get(ctx, s.indexSource())
	if err != nil {
		return Location{}, err
	}
	found, ok := li.ix.Locate(lng, lat)
	if !ok {
		return Location{Inside: false}, nil
	}
	sum, ok := li.summaries[found.Code]
	if !ok {
		// A grid imported between loading the index and its summaries: ask the database.
		if sum, err = s.summary(ctx, found.Code); err != nil {
			return Location{}, err
		}
	}
	return Location{Inside: true, Grid: &sum}, nil
}

const summarySelect = `SELECT g.code, g.name, g.kind, g.community_code, c.name, s.code, s.name,
	COALESCE(g.zone_code, ''), COALESCE(z.name, ''), g.households, g.area_m2
	FROM grids g JOIN org_nodes c ON c.code = g.community_code JOIN org_nodes s ON s.code = c.parent_code
	LEFT JOIN zones z ON z.code = g.zone_code`

func scanSummary(row interface{ Scan(...any) error }) (Summary, error) {
	var m Summary
	var kind string
	err := row.Scan(&m.Code, &m.Name, &kind, &m.CommunityCode, &m.CommunityName, &m.SubdistrictCode,
		&m.SubdistrictName, &m.ZoneCode, &m.ZoneName, &m.Households, &m.AreaM2)
	m.Kind = Kind(kind)
	return m, err
}

func (s *Service) summary(ctx context.Context, code string) (Summary, error) {
	m, err := scanSummary(s.DB.QueryRow(ctx, summarySelect+` WHERE g.code = $1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.New(apperr.NotFound, "grid.not_found", code)
	}
	return m, err
}

// Filter narrows List and Features.
type Filter struct {
	SubdistrictCode string
	CommunityCode   string
	ZoneCode        string
}

func (s *Service) where(ctx context.Context, f Filter) (string, []any, error) {
	scope, err := access.Need(ctx, access.TerritoryRead)
	if err != nil {
		return "", nil, err
	}
	cond, args := scope.PathCondition("g.path", 1)
	conds := []string{cond}
	for _, c := range []struct{ col, v string }{{"s.code", f.SubdistrictCode}, {"g.community_code", f.CommunityCode}, {"g.zone_code", f.ZoneCode}} {
		if c.v != "" {
			args = append(args, c.v)
			conds = append(conds, c.col+" = $"+strconv.Itoa(len(args)))
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// List returns the grids the caller reaches, without polygons.
func (s *Service) List(ctx context.Context, f Filter) ([]Summary, error) {
	where, args, err := s.where(ctx, f)
	if err != nil {
		return nil, err
	}
	out, err := db.QueryAll(ctx, s.DB.Read, scanSummary, summarySelect+where+` ORDER BY g.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("list grids: %w", err)
	}
	return out, nil
}

// Get returns one grid the caller reaches, with its polygon as a GeoJSON Feature.
func (s *Service) Get(ctx context.Context, code string) (Feature, error) {
	where, args, err := s.where(ctx, Filter{})
	if err != nil {
		return Feature{}, err
	}
	args = append(args, code)
	list, err := s.features(ctx, where+" AND g.code = $"+strconv.Itoa(len(args)), args)
	if err != nil {
		return Feature{}, err
	}
	if len(list) == 0 {
		return Feature{}, apperr.New(apperr.NotFound, "grid.not_found", code)
	}
	return list[0], nil
}

// Feature is a grid as a GeoJSON Feature.
type Feature struct {
	Type       string          `json:"type"`
	Properties Summary         `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// FeatureCollection is the export format, readable again by Import.
type FeatureCollection struct {
	Type     string    `json:"type"`
	Features []Feature `json:"features"`
}

// Features returns the grids the caller reaches as a GeoJSON FeatureCollection.
func (s *Service) Features(ctx context.Context, f Filter) (FeatureCollection, error) {
	where, args, err := s.where(ctx, f)
	if err != nil {
		return FeatureCollection{}, err
	}
	list, err := s.features(ctx, where, args)
	return FeatureCollection{Type: "FeatureCollection", Features: list}, err
}

// PublicFeatures returns every grid with its polygon, for the public map (/public): grid
// boundaries are public geography, as where a point lies is (territory.locate).
func (s *Service) PublicFeatures(ctx context.Context) (FeatureCollection, error) {
	list, err := s.features(ctx, "", nil)
	return FeatureCollection{Type: "FeatureCollection", Features: list}, err
}

func (s *Service) features(ctx context.Context, where string, args []any) ([]Feature, error) {
	q := strings.Replace(summarySelect, "g.area_m2", "g.area_m2, g.geometry", 1)
	rows, err := s.DB.Query(ctx, q+where+` ORDER BY g.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("grid features: %w", err)
	}
	defer rows.Close()
	out := []Feature{}
	for rows.Next() {
		var m Summary
		var kind, geom string
		if err := rows.Scan(&m.Code, &m.Name, &kind, &m.CommunityCode, &m.CommunityName, &m.SubdistrictCode,
			&m.SubdistrictName, &m.ZoneCode, &m.ZoneName, &m.Households, &m.AreaM2, &geom); err != nil {
			return nil, fmt.Errorf("grid features: %w", err)
		}
		m.Kind = Kind(kind)
		out = append(out, Feature{Type: "Feature", Properties: m, Geometry: json.RawMessage(geom)})
	}
	return out, rows.Err()
}

// Export writes the grids the caller reaches as GeoJSON.
func (s *Service) Export(ctx context.Context, w io.Writer) error {
	fc, err := s.Features(ctx, Filter{})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(fc)
}
