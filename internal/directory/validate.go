package directory

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of an entry's fields, in characters.
const (
	maxName        = 60
	maxAliases     = 20
	maxAlias       = 40
	maxDescription = 2000
	maxMaterials   = 30
	maxMaterial    = 200
	maxShort       = 200 // fees, processing time
	maxLegal       = 1000
	maxURL         = 500
	maxPlaces      = 50
)

// text trims s and refuses control characters (NUL included) and over-long text.
func text(field string, s *string, limit int) error {
	*s = strings.TrimSpace(*s)
	if utf8.RuneCountInString(*s) > limit {
		return bad(field, "directory.too_long", limit)
	}
	for _, r := range *s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return bad(field, "directory.bad_text")
		}
	}
	return nil
}

// words cleans a list: each trimmed, blanks and repeats dropped, each and the count bounded.
func words(field string, in []string, each, count int) ([]string, error) {
	out := []string{}
	for _, w := range in {
		if err := text(field, &w, each); err != nil {
			return nil, err
		}
		if w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if len(out) > count {
		return nil, bad(field, "directory.too_many", count)
	}
	return out, nil
}

// clean checks an entry against the rules and the published places, normalising its text.
func (in *ServiceInput) clean(s *snapshot) error {
	if err := text("name", &in.Name, maxName); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Name) < 2 {
		return bad("name", "directory.name_required")
	}
	if !slices.Contains(Categories, in.Category) {
		return bad("category", "directory.bad_category", in.Category)
	}
	var err error
	if in.Aliases, err = words("aliases", in.Aliases, maxAlias, maxAliases); err != nil {
		return err
	}
	in.Aliases = slices.DeleteFunc(in.Aliases, func(a string) bool { return a == in.Name })
	if in.Materials, err = words("materials", in.Materials, maxMaterial, maxMaterials); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		value *string
		limit int
	}{{"description", &in.Description, maxDescription}, {"fees", &in.Fees, maxShort},
		{"processing_time", &in.ProcessingTime, maxShort}, {"legal_basis", &in.LegalBasis, maxLegal},
		{"online_url", &in.OnlineURL, maxURL}, {"unit_code", &in.UnitCode, 32}} {
		if err := text(f.name, f.value, f.limit); err != nil {
			return err
		}
	}
	if in.OnlineURL != "" {
		u, err := url.Parse(in.OnlineURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("online_url", "directory.bad_url")
		}
	}
	if in.UnitCode == "" {
		return bad("unit_code", "directory.unit_required")
	}
	if in.PlaceIDs, err = words("place_ids", in.PlaceIDs, 64, maxPlaces); err != nil {
		return err
	}
	for _, id := range in.PlaceIDs {
		if _, ok := s.placeByID[id]; !ok {
			return bad("place_ids", "directory.unknown_place", id)
		}
	}
	if len(in.PlaceIDs) == 0 && !in.Online {
		// A service one can neither visit nor do online cannot be found by anyone.
		return bad("place_ids", "directory.place_or_online")
	}
	return nil
}
