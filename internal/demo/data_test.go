package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

type zoneJSON struct {
	Code            string `json:"code"`
	SubdistrictCode string `json:"subdistrict_code"`
}

// districtFile is the part of district.json the checks need.
type districtFile struct {
	Synthetic bool `json:"synthetic"`
	District  struct {
		Code string `json:"code"`
	} `json:"district"`
	Subdistricts []struct {
		Code, Name, Slug string
	} `json:"subdistricts"`
	Communities []struct {
		Code            string `json:"code"`
		SubdistrictCode string `json:"subdistrict_code"`
	} `json:"communities"`
	Zones       []zoneJSON `json:"zones"`
	Departments []struct {
		Code string `json:"code"`
	} `json:"departments"`
	Users []struct {
		Username string `json:"username"`
		Roles    []struct {
			Role    string `json:"role"`
			OrgCode string `json:"org_code"`
		} `json:"roles"`
	} `json:"users"`
}

func loadDistrict(t *testing.T) districtFile {
	t.Helper()
	var d districtFile
	dec := json.NewDecoder(bytes.NewReader(DistrictJSON()))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("district.json: %v", err)
	}
	return d
}

func TestGridsTileTheDistrict(t *testing.T) {
	d := loadDistrict(t)
	known := grid.Known{Communities: map[string]string{}, Zones: map[string]string{}}
	for _, c := range d.Communities {
		known.Communities[c.Code] = c.SubdistrictCode
	}
	for _, z := range d.Zones {
		known.Zones[z.Code] = z.SubdistrictCode
	}
	grids, problems := grid.Parse(bytes.NewReader(GridsGeoJSON()))
	problems = append(problems, grid.Validate(grids, known)...)
	for _, p := range problems {
		t.Error(p.Message("en"))
	}
	if len(grids) < 150 || len(grids) > 200 {
		t.Errorf("%d grids, want 150–200", len(grids))
	}
	kinds := map[grid.Kind]int{}
	for _, g := range grids {
		kinds[g.Kind]++
		if g.ZoneCode != "" && known.Zones[g.ZoneCode] != known.Communities[g.CommunityCode] {
			t.Errorf("grid %s of zone %s lies outside the zone's subdistrict", g.Code, g.ZoneCode)
		}
		b := g.Geometry.Bound()
		if b.Min[0] < 118.57 || b.Max[0] > 118.66 || b.Min[1] < 24.87 || b.Max[1] > 24.95 {
			t.Errorf("grid %s at %v is outside the demo area", g.Code, b)
		}
		if g.Households <= 0 || g.Kind == grid.KindBasic && (g.Households < 300 || g.Households > 500) {
			t.Errorf("grid %s (%s) has %d households", g.Code, g.Kind, g.Households)
		}
	}
	if kinds[grid.KindDedicated] == 0 || kinds[grid.KindBasic] == 0 {
		t.Errorf("grid kinds %v, want both", kinds)
	}
}

func TestDistrictShape(t *testing.T) {
	d := loadDistrict(t)
	if !d.Synthetic || d.District.Code != "350503" {
		t.Errorf("district = %+v, synthetic %v", d.District, d.Synthetic)
	}
	wantSlugs := []string{"donghai", "chengdong", "beifeng", "huada", "donghu", "fengze", "quanxiu", "qingyuan"}
	if len(d.Subdistricts) != len(wantSlugs) {
		t.Fatalf("%d subdistricts, want %d", len(d.Subdistricts), len(wantSlugs))
	}
	users := map[string][]string{} // username -> "role@org"
	for _, u := range d.Users {
		for _, r := range u.Roles {
			users[u.Username] = append(users[u.Username], r.Role+"@"+r.OrgCode)
		}
	}
	for i, s := range d.Subdistricts {
		if s.Slug != wantSlugs[i] || s.Code != fmt.Sprintf("350503%03d", i+1) {
			t.Errorf("subdistrict %d = %+v", i, s)
		}
		communities := 0
		for _, c := range d.Communities {
			if c.SubdistrictCode == s.Code {
				communities++
				if !strings.HasPrefix(c.Code, s.Code) || len(c.Code) != 12 {
					t.Errorf("community code %s under %s", c.Code, s.Code)
				}
			}
		}
		if communities < 3 || communities > 6 {
			t.Errorf("%s has %d communities, want 3–6", s.Name, communities)
		}
		if !slices.ContainsFunc(d.Zones, func(z zoneJSON) bool { return z.SubdistrictCode == s.Code }) {
			t.Errorf("%s has no demonstration zone", s.Name)
		}
		for role, org := range map[string]string{"grid_worker": s.Code + "001", "intake_operator": s.Code,
			"shift_lead": s.Code, "dispatcher": s.Code, "leader": s.Code} {
			if got := users[s.Slug+"."+role]; !slices.Equal(got, []string{role + "@" + org}) {
				t.Errorf("user %s.%s has roles %v", s.Slug, role, got)
			}
		}
	}
	if len(d.Departments) < 15 {
		t.Errorf("%d departments", len(d.Departments))
	}
	// Each handling unit has a member of staff: the district's departments deptNN.staff, each
	// subdistrict's 综合执法队 (D01) and 城建办 (D02) <slug>.enforcement and <slug>.urban_office.
	slugs := map[string]string{}
	for _, s := range d.Subdistricts {
		slugs[s.Code] = s.Slug
	}
	district := 0
	for _, dep := range d.Departments {
		var name string
		switch unit, parent := dep.Code[len(dep.Code)-3:], dep.Code[:len(dep.Code)-3]; {
		case parent == d.District.Code:
			district++
			name = fmt.Sprintf("dept%02d.staff", district)
		case slugs[parent] != "" && unit == "D01":
			name = slugs[parent] + ".enforcement"
		case slugs[parent] != "" && unit == "D02":
			name = slugs[parent] + ".urban_office"
		default:
			t.Errorf("department %s: neither the district's nor a subdistrict's 综合执法队 or 城建办", dep.Code)
			continue
		}
		if got := users[name]; !slices.Equal(got, []string{"department_staff@" + dep.Code}) {
			t.Errorf("department %s: user %s has roles %v", dep.Code, name, got)
		}
	}
	if district != 21 || len(d.Departments) != 21+2*len(d.Subdistricts) {
		t.Errorf("%d district departments of %d units, want 21 and two per subdistrict", district, len(d.Departments))
	}
	for name, role := range map[string]string{"district.leader": "leader", "district.dispatcher": "dispatcher",
		"sysadmin": "sys_admin", "secadmin": "sec_admin", "auditadmin": "audit_admin",
		"resident1": "resident", "resident2": "resident", "resident3": "resident",
		// The seed fund's maker and checker (ledger): two finance officers at the district.
		"district.finance_officer": "finance_officer", "district.finance_checker": "finance_officer"} {
		if got := users[name]; !slices.Equal(got, []string{role + "@350503"}) {
			t.Errorf("user %s has roles %v", name, got)
		}
	}
	// The roles of the coming modules, each held once in 东海街道, at a node its role may be held at.
	for role, org := range map[string]string{"community_staff": "350503001001", "volunteer": "350503001001",
		"mediator": "350503001", "directory_editor": "350503001", "finance_officer": "350503001"} {
		if got := users["donghai."+role]; !slices.Equal(got, []string{role + "@" + org}) {
			t.Errorf("user donghai.%s has roles %v", role, got)
		}
		kind := map[int]string{9: "subdistrict", 12: "community"}[len(org)]
		if !slices.Contains(access.Role(role).NodeKinds(), kind) {
			t.Errorf("donghai.%s is held at a %s, where %s cannot be granted", role, kind, role)
		}
	}
	if strings.Contains(strings.ToLower(string(DistrictJSON())), "password") {
		t.Error("district.json mentions passwords")
	}
}

// The demo's public settings parse, and its replies are fit for the public: at most one per
// last digit of a case number, and nothing the redaction function would black out.
func TestPublicSettings(t *testing.T) {
	p := PublicSettings()
	if len(p.Replies) == 0 || len(p.Replies) > 10 || len(p.SensitiveCategories) == 0 {
		t.Fatalf("public settings: %+v", p)
	}
	for _, r := range p.Replies {
		if redact.Public(r) != r {
			t.Errorf("a demo reply carries personal data: %q", r)
		}
	}
}
