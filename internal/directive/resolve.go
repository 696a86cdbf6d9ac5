package directive

import (
	"slices"
	"strconv"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Map is the territory a directive's targets are resolved on.
type Map struct {
	Places map[string]map[string]Place // kind → code → place
	Grids  []Grid
}

// Resolved is a target resolved to grids, when the directive is issued (and kept: later changes
// to the map do not move a directive's targets).
type Resolved struct {
	Grids []Grid   // each once, in code order
	Names []string // the names of what was targeted, in request order (the CAP areaDesc)
}

// targetLists are the target's lists in the order they are checked and named.
func (t Target) lists() []struct {
	field, kind string
	codes       []string
} {
	return []struct {
		field, kind string
		codes       []string
	}{
		{"target.districts", "district", t.Districts}, {"target.subdistricts", "subdistrict", t.Subdistricts},
		{"target.zones", "zone", t.Zones}, {"target.communities", "community", t.Communities},
		{"target.grids", "grid", t.Grids},
	}
}

// Resolve turns a target into the grids it names: whole districts, subdistricts and communities
// by path, zones by their grids' zone, grids by code; the union, each grid once. Every code must
// exist (else Invalid naming the field and the code) and lie in the issuer's reach, as must
// every grid it brings (else Forbidden, naming them). An empty result is Invalid.
func Resolve(t Target, m Map, reach func(path string) bool) (Resolved, error) {
	if t.empty() {
		return Resolved{}, apperr.New(apperr.Invalid, "directive.no_target")
	}
	var prefixes []string
	zones := map[string]bool{}
	codes := map[string]bool{}
	var names []string
	for _, l := range t.lists() {
		if len(l.codes) > MaxCodes {
			return Resolved{}, apperr.New(apperr.Invalid, "directive.too_many_codes", l.field, MaxCodes)
		}
		for _, code := range l.codes {
			if l.kind == "grid" {
				codes[code] = true
				continue
			}
			p, ok := m.Places[l.kind][code]
			if !ok {
				return Resolved{}, apperr.New(apperr.Invalid, "directive.unknown_target", l.field, code)
			}
			if !reach(p.Path) {
				return Resolved{}, apperr.New(apperr.Forbidden, "directive.target_out_of_reach", l.field, code)
			}
			if l.kind == "zone" {
				zones[code] = true
			} else {
				prefixes = append(prefixes, p.Path)
			}
			names = append(names, p.Name)
		}
	}
	byCode := map[string]Grid{}
	for _, g := range m.Grids {
		in := codes[g.Code] || zones[g.ZoneCode] && g.ZoneCode != ""
		for _, p := range prefixes {
			in = in || strings.HasPrefix(g.Path, p)
		}
		if in {
			byCode[g.Code] = g
		}
	}
	for _, code := range t.Grids {
		g, ok := byCode[code]
		if !ok {
			return Resolved{}, apperr.New(apperr.Invalid, "directive.unknown_target", "target.grids", code)
		}
		names = append(names, g.Name)
	}
	out := Resolved{Names: unique(names)}
	for _, g := range byCode {
		// A zone is one subdistrict's, but check each grid all the same: reach is about grids.
		if !reach(g.Path) {
			return Resolved{}, apperr.New(apperr.Forbidden, "directive.target_out_of_reach", "target", g.Code)
		}
		out.Grids = append(out.Grids, g)
	}
	if len(out.Grids) == 0 {
		return Resolved{}, apperr.New(apperr.Invalid, "directive.no_target")
	}
	slices.SortFunc(out.Grids, func(a, b Grid) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// areaDesc is the CAP <areaDesc> of the resolved names: joined, and cut to a readable length.
func areaDesc(names []string) string {
	const max = 40
	if len(names) > max {
		rest := len(names) - max
		return strings.Join(names[:max], "、") + "…（+" + strconv.Itoa(rest) + "）"
	}
	return strings.Join(names, "、")
}

// unique keeps the first of each name, in order.
func unique(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
