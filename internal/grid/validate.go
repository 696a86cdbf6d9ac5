package grid

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Known is what the organisation tree already holds. A nil map skips the
// checks that need it (for checking geometry alone).
type Known struct {
	Communities map[string]string // community code -> subdistrict code
	Zones       map[string]string // zone code -> subdistrict code
}

// Validate checks a set of grids against the rules of a unit-grid layer
// (GB/T 30428.1: a 15-digit code of community code + sequence number;
// 无缝拼接, grids join without gaps or overlaps). Problem.Feature is the
// index in grids, which for Parse's output is the feature index; problems
// come sorted by it, community-wide ones last. Grids with a nil Geometry
// (Parse already reported why) are checked for codes only.
//
// Errors: code format, duplicates, unknown or mismatched community, unknown
// zone or a zone of another subdistrict, bad kind, bad rings (too few or too
// many positions, open, no area), self-crossing or self-overlapping
// boundaries, overlaps between any two grids. Warnings: gaps inside a
// community and communities in several pieces.
func Validate(grids []Grid, known Known) []Problem {
	var problems []Problem
	seen := make(map[string]int, len(grids))
	for i, g := range grids {
		problems = checkAttributes(i, g, known, seen, problems)
	}
	usable := make([]bool, len(grids))
	for i, g := range grids {
		if g.Geometry == nil {
			continue
		}
		shape := checkPolygon(g.Geometry)
		if len(shape) == 0 {
			shape = checkShape(g.Geometry)
		}
		for _, p := range shape {
			p.Feature, p.Code = i, g.Code
			problems = append(problems, p)
		}
		usable[i] = len(shape) == 0
	}
	var tree rtree.RTreeG[int]
	shapes := make([]*shape, len(grids))
	for i, g := range grids {
		if usable[i] {
			shapes[i] = newShape(g.Geometry)
			tree.Insert(shapes[i].bound.Min, shapes[i].bound.Max, i)
		}
	}
	problems, overlapping := checkOverlaps(grids, shapes, &tree, problems)
	problems = checkTilings(grids, usable, overlapping, &tree, problems)
	sortProblems(problems)
	return problems
}

// checkShape checks a polygon that passed checkPolygon: its boundary must not
// cross itself, and each ring must enclose at least MinRingAreaM2 without
// running back over itself. A ring that crosses itself is named for that (a
// bow-tie's signed area is 0); a ring with no area is named for that, not
// for the edges that, lying on one line, overlap.
func checkShape(poly orb.Polygon) []Problem {
	kind, bad, p, found := selfIntersection(poly)
	if found && kind == ProblemSelfIntersection {
		return []Problem{errorAt(0, "", kind, bad, round6(p[0]), round6(p[1]))}
	}
	var problems []Problem
	for ri, ring := range poly {
		if area := geo.Area(ring); !(area >= MinRingAreaM2) {
			problems = append(problems, errorAt(0, "", ProblemZeroArea, RingRef(ri), math.Round(area*100)/100, MinRingAreaM2))
		}
	}
	if found && len(problems) == 0 {
		problems = append(problems, errorAt(0, "", kind, bad, round6(p[0]), round6(p[1])))
	}
	return problems
}

func checkAttributes(i int, g Grid, known Known, seen map[string]int, problems []Problem) []Problem {
	switch {
	case g.Code == "":
		problems = append(problems, errorAt(i, "", ProblemMissingCode))
	case !wellFormedCode(g.Code):
		problems = append(problems, errorAt(i, g.Code, ProblemBadCode, g.Code))
	case g.CommunityCode != g.Code[:12]:
		problems = append(problems, errorAt(i, g.Code, ProblemCommunityMismatch, g.CommunityCode, g.Code[:12]))
	}
	if first, dup := seen[g.Code]; dup && g.Code != "" {
		problems = append(problems, errorAt(i, g.Code, ProblemDuplicateCode, FeatureRef(first)))
	} else {
		seen[g.Code] = i
	}
	if g.Kind != KindBasic && g.Kind != KindDedicated {
		problems = append(problems, errorAt(i, g.Code, ProblemBadKind, string(g.Kind)))
	}
	subdistrict := ""
	if len(g.CommunityCode) >= 9 {
		subdistrict = g.CommunityCode[:9]
	}
	if known.Communities != nil && g.CommunityCode != "" {
		if s, ok := known.Communities[g.CommunityCode]; ok {
			subdistrict = s
		} else {
			problems = append(problems, errorAt(i, g.Code, ProblemUnknownCommunity, g.CommunityCode))
		}
	}
	if known.Zones != nil && g.ZoneCode != "" {
		zoneSubdistrict, ok := known.Zones[g.ZoneCode]
		switch {
		case !ok:
			problems = append(problems, errorAt(i, g.Code, ProblemUnknownZone, g.ZoneCode))
		case zoneSubdistrict != subdistrict:
			problems = append(problems, errorAt(i, g.Code, ProblemZoneOtherSubdistrict, g.ZoneCode, zoneSubdistrict, subdistrict))
		}
	}
	return problems
}

// wellFormedCode: 15 characters, digits or capital letters.
func wellFormedCode(code string) bool {
	if len(code) != 15 {
		return false
	}
	for _, c := range []byte(code) {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// checkOverlaps compares each grid with the earlier grids whose bounding
// boxes touch it, and reports each overlapping pair once, on the later grid.
// It also returns the communities of the grids that overlap.
func checkOverlaps(grids []Grid, shapes []*shape, tree *rtree.RTreeG[int], problems []Problem) ([]Problem, map[string]bool) {
	overlapping := make(map[string]bool)
	var candidates []int
	for j, g := range grids {
		if shapes[j] == nil {
			continue
		}
		b := shapes[j].bound
		candidates = candidates[:0]
		tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int) bool {
			if i < j {
				candidates = append(candidates, i)
			}
			return true
		})
		sort.Ints(candidates)
		for _, i := range candidates {
			if p, ok := overlap(shapes[i], shapes[j]); ok {
				problems = append(problems, errorAt(j, g.Code, ProblemOverlap,
					FeatureRef(i), grids[i].Code, round6(p[0]), round6(p[1])))
				overlapping[grids[i].CommunityCode] = true
				overlapping[g.CommunityCode] = true
			}
		}
	}
	return problems, overlapping
}

// checkTilings looks at each community's grids as a whole: holes in their
// union that no other grid fills (an enclave of another community is not a
// gap), and pieces that do not touch along an edge. Communities with
// overlapping grids are skipped: overlapping grids are no tiling, and the
// overlap is already an error.
func checkTilings(grids []Grid, usable []bool, overlapping map[string]bool, tree *rtree.RTreeG[int], problems []Problem) []Problem {
	members := make(map[string][]int)
	var communities []string
	for i, g := range grids {
		if !usable[i] || g.CommunityCode == "" {
			continue
		}
		if members[g.CommunityCode] == nil {
			communities = append(communities, g.CommunityCode)
		}
		members[g.CommunityCode] = append(members[g.CommunityCode], i)
	}
	sort.Strings(communities)
	for _, community := range communities {
		if overlapping[community] {
			continue
		}
		polys := make([]orb.Polygon, len(members[community]))
		for k, i := range members[community] {
			polys[k] = grids[i].Geometry
		}
		t := analyseTiling(polys)
		for _, hole := range t.holes {
			p, ok := interiorPoint([]orb.Ring{hole})
			if !ok || covered(grids, tree, p) {
				continue
			}
			area := math.Round(geo.Area(hole))
			problems = append(problems, warningAt(-1, "", ProblemGap, community, area, round6(p[0]), round6(p[1])))
		}
		if t.pieces > 1 {
			problems = append(problems, warningAt(-1, "", ProblemNotContiguous, community, t.pieces))
		}
	}
	return problems
}

func covered(grids []Grid, tree *rtree.RTreeG[int], p orb.Point) bool {
	found := false
	tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		found = planar.PolygonContains(grids[i].Geometry, p)
		return !found
	})
	return found
}
