package demo

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/directory/hours"
	"github.com/yiwang-gov/yiwang/internal/grid"
)

// servicesFile is data/services.json, the seed of the service directory (一网速查).
type servicesFile struct {
	Places []struct {
		Code     string      `json:"code"`
		Name     string      `json:"name"`
		Kind     string      `json:"kind"`
		UnitCode string      `json:"unit_code"`
		Address  string      `json:"address"`
		Lat      float64     `json:"lat"`
		Lng      float64     `json:"lng"`
		Phone    string      `json:"phone"`
		Hours    hours.Hours `json:"hours"`
		Serves   []string    `json:"serves"`
	} `json:"places"`
	Services []struct {
		Name            string   `json:"name"`
		Aliases         []string `json:"aliases"`
		Category        string   `json:"category"`
		Description     string   `json:"description"`
		Materials       []string `json:"materials"`
		Fees            string   `json:"fees"`
		ProcessingTime  string   `json:"processing_time"`
		LegalBasis      string   `json:"legal_basis"`
		Online          bool     `json:"online"`
		OnlineURL       string   `json:"online_url"`
		UnitCode        string   `json:"unit_code"`
		Places          []string `json:"places"`
		ReviewedDaysAgo int      `json:"reviewed_days_ago"`
	} `json:"services"`
	Synonyms [][]string `json:"synonyms"`
}

func loadServices(t *testing.T) servicesFile {
	t.Helper()
	raw, err := Files.ReadFile("data/services.json")
	if err != nil {
		t.Fatal(err)
	}
	var f servicesFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("services.json: %v", err)
	}
	return f
}

// The directory's categories and place kinds (package directory, 一网速查).
var (
	serviceCategories = []string{"social_insurance", "medical_insurance", "household", "civil_affairs", "disability",
		"family_planning", "elderly", "employment", "education", "health", "culture_sports", "convenience"}
	placeKinds = []string{"office", "centre", "station", "life_circle", "clinic"}
	demoPhone  = regexp.MustCompile(`^0595-2\d{7}$`)
)

func TestServicesReferTheDistrict(t *testing.T) {
	d, f := loadDistrict(t), loadServices(t)
	if len(f.Services) < 300 {
		t.Errorf("%d services, want at least 300", len(f.Services))
	}
	units := map[string]string{d.District.Code: "district"} // code → kind
	for _, s := range d.Subdistricts {
		units[s.Code] = "subdistrict"
	}
	for _, c := range d.Communities {
		units[c.Code] = "community"
	}
	for _, dep := range d.Departments {
		units[dep.Code] = "department"
	}
	grids, problems := grid.Parse(bytes.NewReader(GridsGeoJSON()))
	if len(problems) > 0 {
		t.Fatalf("grids: %v", problems[0].Message("en"))
	}
	index := grid.NewIndex(grids)

	places := map[string]bool{}
	used := map[string]bool{}
	kinds := map[string]int{}
	rules := map[hours.Rule]int{}
	for _, p := range f.Places {
		if places[p.Code] {
			t.Errorf("place %s twice", p.Code)
		}
		places[p.Code] = true
		kinds[p.Kind]++
		rules[p.Hours.Rule]++
		if !slices.Contains(placeKinds, p.Kind) {
			t.Errorf("place %s: kind %q", p.Code, p.Kind)
		}
		if p.Name == "" || p.Address == "" || !demoPhone.MatchString(p.Phone) {
			t.Errorf("place %s: name %q, address %q, phone %q", p.Code, p.Name, p.Address, p.Phone)
		}
		if err := p.Hours.Validate(); err != nil {
			t.Errorf("place %s: hours: %v", p.Code, err)
		}
		unitKind, ok := units[p.UnitCode]
		if !ok {
			t.Errorf("place %s: unit %s is not in district.json", p.Code, p.UnitCode)
		}
		if len(p.Serves) == 0 {
			t.Errorf("place %s serves no one", p.Code)
		}
		for _, code := range p.Serves {
			if k := units[code]; k != "district" && k != "subdistrict" && k != "community" {
				t.Errorf("place %s serves %s, not a district, subdistrict or community", p.Code, code)
			}
		}
		// Inside the district's grids, and in the community or subdistrict it belongs to.
		at, ok := index.Locate(p.Lng, p.Lat)
		switch {
		case !ok:
			t.Errorf("place %s at (%v, %v) lies in no grid", p.Code, p.Lat, p.Lng)
		case unitKind == "community" && at.CommunityCode != p.UnitCode:
			t.Errorf("place %s of community %s lies in %s", p.Code, p.UnitCode, at.CommunityCode)
		case unitKind == "subdistrict" && at.CommunityCode[:9] != p.UnitCode:
			t.Errorf("place %s of subdistrict %s lies in %s", p.Code, p.UnitCode, at.CommunityCode)
		}
	}
	for _, kind := range placeKinds {
		if kinds[kind] == 0 {
			t.Errorf("no place of kind %s", kind)
		}
	}
	for _, rule := range hours.Rules {
		if rules[rule] == 0 {
			t.Errorf("no place open by rule %s", rule)
		}
	}

	names := map[string]bool{} // unit + "/" + name
	categories := map[string]int{}
	var stale, priced, offline int
	for _, s := range f.Services {
		key := s.UnitCode + "/" + s.Name
		if names[key] {
			t.Errorf("service %q twice in unit %s", s.Name, s.UnitCode)
		}
		names[key] = true
		if _, ok := units[s.UnitCode]; !ok {
			t.Errorf("service %s: unit %s is not in district.json", key, s.UnitCode)
		}
		categories[s.Category]++
		if !slices.Contains(serviceCategories, s.Category) {
			t.Errorf("service %s: category %q", key, s.Category)
		}
		for _, code := range s.Places {
			if !places[code] {
				t.Errorf("service %s: no place %s", key, code)
			}
			used[code] = true
		}
		if n := utf8.RuneCountInString(s.Name); n < 2 || n > 60 || s.Description == "" || s.Fees == "" || s.ProcessingTime == "" {
			t.Errorf("service %s: name, description, fees or processing time missing or too long", key)
		}
		if slices.Contains(s.Aliases, s.Name) || s.Aliases == nil || s.Materials == nil {
			t.Errorf("service %s: aliases %q, materials %q", key, s.Aliases, s.Materials)
		}
		if s.Online {
			if u, err := url.Parse(s.OnlineURL); err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("service %s: online at %q", key, s.OnlineURL)
			}
		} else if s.OnlineURL != "" || len(s.Places) == 0 {
			t.Errorf("service %s: offline with URL %q and %d places", key, s.OnlineURL, len(s.Places))
		}
		if s.ReviewedDaysAgo < 0 {
			t.Errorf("service %s: reviewed %d days ago", key, s.ReviewedDaysAgo)
		}
		if s.ReviewedDaysAgo >= 400 {
			stale++
		}
		if s.Fees != "免费" {
			priced++
		}
		if !s.Online {
			offline++
		}
	}
	for _, c := range serviceCategories {
		if categories[c] == 0 {
			t.Errorf("no service of category %s", c)
		}
	}
	if stale == 0 || priced == 0 || offline == 0 {
		t.Errorf("%d stale, %d priced, %d offline services; want some of each", stale, priced, offline)
	}
	for code := range places {
		if !used[code] {
			t.Errorf("place %s gives no service", code)
		}
	}
	for _, g := range f.Synonyms {
		if len(g) < 2 || slices.Contains(g, "") {
			t.Errorf("synonym group %q", g)
		}
	}
}
