package grid

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// Progress is told how far an import has come (stage "parse", "validate", "write").
type Progress func(stage string, done, total int)

// ImportReport says what an import did, or why it did nothing.
type ImportReport struct {
	Features int       `json:"features"`
	Created  int       `json:"created"`
	Updated  int       `json:"updated"`
	Problems []Problem `json:"-"`
}

// Import reads a GeoJSON FeatureCollection of grids, checks every feature (geometry, codes,
// parents, overlaps with each other and with stored grids, gaps inside communities), and writes
// all of them in one transaction — or none, when any error was found. Warnings (gaps) do not
// stop an import; they are returned in the report.
func (s *Service) Import(ctx context.Context, r io.Reader, progress Progress) (ImportReport, error) {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return ImportReport{}, err
	}
	grids, problems := Parse(r)
	rep := ImportReport{Features: len(grids)}
	progress("parse", len(grids), len(grids))
	// Features that could not be read still go through validation, so one answer names every
	// problem of the file, not only the first kind found.
	if len(grids) == 0 && !HasErrors(problems) {
		return rep, apperr.New(apperr.Invalid, "grid.empty_file")
	}
	communities, err := s.Org.Communities(ctx)
	if err != nil {
		return rep, err
	}
	zones, err := s.Org.ZoneSubdistricts(ctx)
	if err != nil {
		return rep, err
	}
	// Stored grids that the file does not replace take part in the overlap and gap checks.
	stored, err := s.loadAll(ctx)
	if err != nil {
		return rep, err
	}
	inFile := make(map[string]bool, len(grids))
	for _, g := range grids {
		inFile[g.Code] = true
	}
	// Stored grids go first: Validate reports an overlapping pair on the later grid, which must
	// be the file's feature.
	var all []Grid
	for _, g := range stored {
		if !inFile[g.Code] {
			all = append(all, g)
		}
	}
	offset := len(all)
	all = append(all, grids...)
	for _, p := range Validate(all, Known{Communities: communities, Zones: zones}) {
		if p.Feature >= 0 {
			if p.Feature < offset {
				continue
			}
			p.Feature -= offset
			if ref, ok := overlapRef(p); ok {
				if int(ref) < offset {
					p.Kind, p.Args = ProblemOverlapStored, p.Args[1:]
				} else {
					p.Args[0] = ref - FeatureRef(offset)
				}
			}
		}
		if !duplicateOf(problems, p) {
			problems = append(problems, p)
		}
	}
	progress("validate", len(grids), len(grids))
	paths := map[string]string{}
	for i, g := range grids {
		if _, ok := paths[g.CommunityCode]; ok || communities[g.CommunityCode] == "" {
			continue
		}
		node, err := s.Org.NodeByCode(ctx, g.CommunityCode)
		if err != nil {
			return rep, err
		}
		if !scope.Covers(node.Path) {
			problems = append(problems, errorAt(i, g.Code, ProblemUnknownCommunity, g.CommunityCode))
			continue
		}
		paths[g.CommunityCode] = node.Path
	}
	// Parse's problems came first: every problem in feature order, file-wide ones last.
	sortProblems(problems)
	rep.Problems = problems
	if HasErrors(problems) {
		return rep, apperr.New(apperr.Invalid, "grid.bad_file", countErrors(problems))
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i, g := range grids {
			var zone any
			if g.ZoneCode != "" {
				zone = g.ZoneCode
			}
			b := g.Geometry.Bound()
			res, err := s.DB.TxExec(ctx, tx, `UPDATE grids SET name=$2, kind=$3, community_code=$4, zone_code=$5, path=$6,
				households=$7, area_m2=$8, geometry=$9, min_lng=$10, min_lat=$11, max_lng=$12, max_lat=$13, updated_at=$14
				WHERE code = $1`, g.Code, g.Name, string(g.Kind), g.CommunityCode, zone, org.PathOf(paths[g.CommunityCode], g.Code),
				g.Households, g.AreaM2, encodeGeometry(g.Geometry), b.Min[0], b.Min[1], b.Max[0], b.Max[1], now)
			if err != nil {
				return fmt.Errorf("import grid %s: %w", g.Code, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				rep.Updated++
			} else {
				if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO grids (code, name, kind, community_code, zone_code, path,
					households, area_m2, geometry, min_lng, min_lat, max_lng, max_lat, created_at, updated_at)
					VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14)`, g.Code, g.Name, string(g.Kind), g.CommunityCode,
					zone, org.PathOf(paths[g.CommunityCode], g.Code), g.Households, g.AreaM2, encodeGeometry(g.Geometry),
					b.Min[0], b.Min[1], b.Max[0], b.Max[1], now); err != nil {
					return fmt.Errorf("import grid %s: %w", g.Code, err)
				}
				rep.Created++
			}
			if (i+1)%500 == 0 || i+1 == len(grids) {
				progress("write", i+1, len(grids))
			}
		}
		if err := db.BumpVersion(ctx, tx, "grids_version"); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "grid.import", "grids", fmt.Sprintf("%d features", len(grids)))
		e.After = fmt.Sprintf(`{"created":%d,"updated":%d,"warnings":%d}`, rep.Created, rep.Updated, len(problems))
		if p := scope.Primary().OrgPath; p != "" {
			e.OrgPath = p
		}
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return ImportReport{Features: len(grids), Problems: problems}, err
	}
	if err := s.LoadIndex(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

func countErrors(problems []Problem) int {
	n := 0
	for _, p := range problems {
		if p.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Details turns problems into per-feature API details in lang.
func Details(problems []Problem, lang string) []apperr.Detail {
	out := make([]apperr.Detail, len(problems))
	for i, p := range problems {
		out[i] = apperr.Detail{Field: p.Code, Line: p.Feature + 1, Message: p.Message(lang)}
	}
	return out
}

// duplicateOf reports whether Parse already found the same problem.
func duplicateOf(problems []Problem, p Problem) bool {
	for _, q := range problems {
		if q.Feature == p.Feature && q.Kind == p.Kind {
			return true
		}
	}
	return false
}

// overlapRef returns the other feature an overlap problem names.
func overlapRef(p Problem) (FeatureRef, bool) {
	if p.Kind != ProblemOverlap || len(p.Args) == 0 {
		return 0, false
	}
	ref, ok := p.Args[0].(FeatureRef)
	return ref, ok
}
