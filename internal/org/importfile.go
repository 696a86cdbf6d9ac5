package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// File is the organisation file a district imports (the demo ships one: internal/demo/data/district.json).
type File struct {
	Synthetic    bool              `json:"synthetic"`
	Note         string            `json:"note"`
	District     NodeInput         `json:"district"`
	Subdistricts []NodeInput       `json:"subdistricts"`
	Communities  []NodeInput       `json:"communities"`
	Zones        []ZoneInput       `json:"zones"`
	Departments  []DepartmentInput `json:"departments"`
	// Users are read by the users import; org ignores them.
	Users json.RawMessage `json:"users,omitempty"`
}

// NodeInput is one territorial node in the file.
type NodeInput struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	NameEN          string `json:"name_en"`
	Slug            string `json:"slug"`
	SubdistrictCode string `json:"subdistrict_code"`
}

// ZoneInput is one zone in the file.
type ZoneInput struct {
	Code             string `json:"code"`
	Name             string `json:"name"`
	NameEN           string `json:"name_en"`
	SubdistrictCode  string `json:"subdistrict_code"`
	LeadOrganisation string `json:"lead_organisation"`
}

// DepartmentInput is one department in the file.
type DepartmentInput struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Level   string `json:"level"`
	OrgCode string `json:"org_code"`
}

var (
	digits    = regexp.MustCompile(`^[0-9]+$`)
	otherCode = regexp.MustCompile(`^[0-9A-Z]{3,20}$`)
)

// ParseFile reads and checks an organisation file; every problem is reported, not only the first.
func ParseFile(r io.Reader) (File, error) {
	var f File
	dec := json.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		return f, apperr.New(apperr.Invalid, "org.bad_file", err.Error())
	}
	if problems := f.check(); len(problems) > 0 {
		details := make([]apperr.Detail, len(problems))
		for i, p := range problems {
			details[i] = apperr.Detail{Message: p}
		}
		return f, apperr.New(apperr.Invalid, "org.bad_file", strings.Join(problems, "; ")).WithDetails(details)
	}
	return f, nil
}

func (f File) check() []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	seen := map[string]Kind{}
	checkNode := func(n NodeInput, kind Kind, parent string) {
		switch {
		case len(n.Code) != codeLength[kind] || !digits.MatchString(n.Code):
			bad("%s %q: code must be %d digits", kind, n.Code, codeLength[kind])
		case parent != "" && !strings.HasPrefix(n.Code, parent):
			bad("%s %s: code must start with its parent's code %s", kind, n.Code, parent)
		case seen[n.Code] != "":
			bad("%s %s: code used twice", kind, n.Code)
		}
		if strings.TrimSpace(n.Name) == "" {
			bad("%s %s: name is empty", kind, n.Code)
		}
		seen[n.Code] = kind
	}
	checkNode(f.District, District, "")
	for _, n := range f.Subdistricts {
		checkNode(n, Subdistrict, f.District.Code)
	}
	for _, n := range f.Communities {
		if seen[n.SubdistrictCode] != Subdistrict {
			bad("community %s: unknown subdistrict %q", n.Code, n.SubdistrictCode)
			continue
		}
		checkNode(n, Community, n.SubdistrictCode)
	}
	for _, z := range f.Zones {
		if !otherCode.MatchString(z.Code) || seen[z.Code] != "" {
			bad("zone %q: code must be 3–20 characters 0-9A-Z and unique", z.Code)
		}
		if seen[z.SubdistrictCode] != Subdistrict {
			bad("zone %s: unknown subdistrict %q", z.Code, z.SubdistrictCode)
		}
		if strings.TrimSpace(z.Name) == "" {
			bad("zone %s: name is empty", z.Code)
		}
		seen[z.Code] = "zone"
	}
	for _, d := range f.Departments {
		if !otherCode.MatchString(d.Code) || seen[d.Code] != "" {
			bad("department %q: code must be 3–20 characters 0-9A-Z and unique", d.Code)
		}
		if k := seen[d.OrgCode]; k != District && k != Subdistrict {
			bad("department %s: org_code %q must be the district or a subdistrict", d.Code, d.OrgCode)
		}
		if strings.TrimSpace(d.Name) == "" {
			bad("department %s: name is empty", d.Code)
		}
		seen[d.Code] = Department
	}
	return problems
}

// Import writes the file's nodes, zones and departments in one transaction (inserting new codes,
// updating names of existing ones) and records it in the audit log.
func (s *Service) Import(ctx context.Context, f File, now time.Time) error {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return err
	}
	districtPath := PathOf("", f.District.Code)
	if !scope.Covers(districtPath) {
		return apperr.New(apperr.Forbidden, "auth.out_of_scope")
	}
	paths := map[string]string{f.District.Code: districtPath}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		upsert := func(code string, kind Kind, name, nameEN, parent, slug string) error {
			path := PathOf(paths[parent], code)
			paths[code] = path
			var parentArg any
			if parent != "" {
				parentArg = parent
			}
			_, err := s.DB.TxExec(ctx, tx, `INSERT INTO org_nodes (code, kind, name, name_en, parent_code, path, slug, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, slug = excluded.slug, updated_at = excluded.updated_at`,
				code, string(kind), name, nameEN, parentArg, path, slug, now)
			if err != nil {
				return fmt.Errorf("import org node %s: %w", code, err)
			}
			return nil
		}
		if err := upsert(f.District.Code, District, f.District.Name, f.District.NameEN, "", f.District.Slug); err != nil {
			return err
		}
		for _, n := range f.Subdistricts {
			if err := upsert(n.Code, Subdistrict, n.Name, n.NameEN, f.District.Code, n.Slug); err != nil {
				return err
			}
		}
		for _, n := range f.Communities {
			if err := upsert(n.Code, Community, n.Name, n.NameEN, n.SubdistrictCode, n.Slug); err != nil {
				return err
			}
		}
		for _, d := range f.Departments {
			if err := upsert(d.Code, Department, d.Name, d.NameEN, d.OrgCode, ""); err != nil {
				return err
			}
		}
		for _, z := range f.Zones {
			_, err := s.DB.TxExec(ctx, tx, `INSERT INTO zones (code, name, name_en, subdistrict_code, path, lead_organisation, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$7)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, lead_organisation = excluded.lead_organisation, updated_at = excluded.updated_at`,
				z.Code, z.Name, z.NameEN, z.SubdistrictCode, PathOf(paths[z.SubdistrictCode], z.Code), z.LeadOrganisation, now)
			if err != nil {
				return fmt.Errorf("import zone %s: %w", z.Code, err)
			}
		}
		// Names shown with located grids are cached with the grid index: have every node reload it.
		if err := db.BumpVersion(ctx, tx, "grids_version"); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "org.import", "district", f.District.Code)
		e.OrgPath, e.OrgCode = districtPath, f.District.Code
		e.After = fmt.Sprintf(`{"subdistricts":%d,"communities":%d,"zones":%d,"departments":%d}`,
			len(f.Subdistricts), len(f.Communities), len(f.Zones), len(f.Departments))
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
}
