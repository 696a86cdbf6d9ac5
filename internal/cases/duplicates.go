package cases

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/redact"
	"github.com/yiwang-gov/yiwang/internal/textsearch"
)

// nearby finds open cases that may be the same problem: same category within the category's
// radius and time window, ranked by distance and text similarity.
func (s *Service) nearby(ctx context.Context, c Case, now time.Time) ([]Nearby, error) {
	radius, window := 50.0, 72*time.Hour
	if c.CategoryCode != "" {
		cat, err := s.Catalogue.Category(ctx, c.CategoryClass, c.CategoryCode)
		if err == nil && cat.DuplicateRadiusM > 0 {
			radius = float64(cat.DuplicateRadiusM)
		}
		if err == nil && cat.DuplicateWindow > 0 {
			window = cat.DuplicateWindow
		}
	}
	dLat := radius / 111320
	dLng := radius / (111320 * math.Cos(c.Lat*math.Pi/180))
	// Every condition but the partial index's own is answered from cases_dup_open's columns, so
	// only real candidates are read from the table (a new report has no id yet to exclude).
	rows, err := s.DB.Query(ctx, `SELECT id, number, status, lat, lng, description FROM cases
		WHERE category_code = $1 AND reported_at >= $2 AND lat BETWEEN $3 AND $4 AND lng BETWEEN $5 AND $6
		AND status NOT IN ('closed','voided','merged') LIMIT 51`,
		c.CategoryCode, now.Add(-window), c.Lat-dLat, c.Lat+dLat, c.Lng-dLng, c.Lng+dLng)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	defer rows.Close()
	var out []Nearby
	var mine []string
	// Whoever reads no one else's cases (a resident, an Open311 client) sees other people's
	// text as the public does: contact details blacked out.
	scope, _ := access.Need(ctx, access.CaseRead)
	public := len(scope.Paths) == 0 && len(scope.Departments) == 0
	for rows.Next() {
		var n Nearby
		var lat, lng float64
		var status string
		if err := rows.Scan(&n.ID, &n.Number, &status, &lat, &lng, &n.Text); err != nil {
			return nil, err
		}
		if n.ID == c.ID {
			continue
		}
		if mine == nil {
			mine = textsearch.Tokens(c.Description)
		}
		n.Status = Status(status)
		dist := distanceM(c.Lat, c.Lng, lat, lng)
		if dist > radius {
			continue
		}
		sim := similarity(mine, textsearch.Tokens(n.Text))
		if c.CategoryCode == "" && sim < 0.3 {
			continue // without a category only similar text counts
		}
		n.DistanceM = int(math.Round(dist))
		n.Score = math.Round((0.6*(1-dist/radius)+0.4*sim)*100) / 100
		if public {
			n.Text = redact.Public(n.Text) // before the cut, which could leave half a phone number
		}
		if r := []rune(n.Text); len(r) > 60 {
			n.Text = string(r[:60]) + "…"
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Nearby) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Number, b.Number)
	})
	if len(out) > 5 {
		out = out[:5]
	}
	return out, rows.Err()
}

// distanceM is the great-circle distance in metres (orb/geo's haversine on the WGS 84 radius).
func distanceM(lat1, lng1, lat2, lng2 float64) float64 {
	return geo.DistanceHaversine(orb.Point{lng1, lat1}, orb.Point{lng2, lat2})
}

// similarity is the Jaccard index of two token sets.
func similarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	set := map[string]int{}
	for _, t := range a {
		set[t] |= 1
	}
	for _, t := range b {
		set[t] |= 2
	}
	both := 0
	for _, v := range set {
		if v == 3 {
			both++
		}
	}
	return float64(both) / float64(len(set))
}
