package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// File is the organisation file a district imports (the demo ships one: internal/demo/data/district.json;
// package onboard builds one from an xlsx or CSV template). An import is incremental: a file may
// leave the district out and add subdistricts, communities, zones or departments under nodes that
// exist already.
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

// DepartmentInput is one handling unit in the file: a district department, a subdistrict office
// or 综合执法队, or a community acting as a handler (org_code is then the community).
type DepartmentInput struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Level   string `json:"level"`
	OrgCode string `json:"org_code"`
}

// Zone is the kind name of zones in problems and plans (zones are not org nodes).
const ZoneKind Kind = "zone"

var (
	digits    = regexp.MustCompile(`^[0-9]+$`)
	otherCode = regexp.MustCompile(`^[0-9A-Z]{3,20}$`)
)

// Problem is one thing wrong with a file: the entry (kind and index in its list), the field, and
// a message key of the i18n catalogue with its arguments.
type Problem struct {
	Kind  Kind
	Index int
	Field string
	Key   string
	Args  []any
}

// ParseFile reads and checks an organisation file; every problem is reported, not only the first.
// A JSON file names its district.
func ParseFile(r io.Reader) (File, error) {
	var f File
	dec := json.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		return f, apperr.New(apperr.Invalid, "org.bad_file", err.Error())
	}
	problems := f.Check(nil)
	if f.District.Code == "" {
		problems = append([]Problem{{Kind: District, Field: "code", Key: "org.import.code_length", Args: []any{codeLength[District]}}}, problems...)
	}
	if err := problemsError(problems); err != nil {
		return f, err
	}
	return f, nil
}

// problemsError is nil for no problems, else an invalid-file error with one detail per problem
// (translated at the edge).
func problemsError(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	details := make([]apperr.Detail, len(problems))
	texts := make([]string, len(problems))
	for i, p := range problems {
		details[i] = apperr.Detail{Field: fmt.Sprintf("%s[%d].%s", p.Kind, p.Index, p.Field), Message: p.Key, Args: p.Args}
		texts[i] = fmt.Sprintf("%s #%d %s: %s %v", p.Kind, p.Index+1, p.Field, p.Key, p.Args)
	}
	return apperr.New(apperr.Invalid, "org.bad_file", strings.Join(texts, "; ")).WithDetails(details)
}

// Existing is what the database holds already: each code's kind and parent (a zone's subdistrict).
type Existing map[string]Existent

// Existent is one code the database holds.
type Existent struct {
	Kind   Kind
	Parent string
	Path   string
	Names  [4]string // name, name_en, slug or lead organisation, and (zones) nothing
}

// Check returns every problem of the file against what exists (nil: an empty database). Codes
// used twice in the file are problems; codes that exist are updates of their names, so long as
// they keep their kind and parent.
func (f File) Check(existing Existing) []Problem {
	var problems []Problem
	inFile := map[string]Kind{}
	bad := func(kind Kind, i int, field, key string, args ...any) {
		problems = append(problems, Problem{Kind: kind, Index: i, Field: field, Key: key, Args: args})
	}
	kindOf := func(code string) Kind {
		if k, ok := inFile[code]; ok {
			return k
		}
		return existing[code].Kind
	}
	entry := func(kind Kind, i int, code, name, parent string) {
		switch {
		case kind == ZoneKind || kind == Department:
			if !otherCode.MatchString(code) {
				bad(kind, i, "code", "org.import.other_code", code)
			}
		case len(code) != codeLength[kind] || !digits.MatchString(code):
			bad(kind, i, "code", "org.import.code_length", codeLength[kind])
		case parent != "" && parent != "-" && !strings.HasPrefix(code, parent):
			bad(kind, i, "code", "org.import.code_prefix", parent)
		}
		if _, twice := inFile[code]; twice {
			bad(kind, i, "code", "org.import.duplicate", code)
		} else if e, ok := existing[code]; ok && parent != "-" && (e.Kind != kind || e.Parent != parent) {
			bad(kind, i, "code", "org.import.exists_elsewhere", code, string(e.Kind), e.Parent)
		}
		inFile[code] = kind
		if strings.TrimSpace(name) == "" {
			bad(kind, i, "name", "org.import.name_empty")
		}
	}
	districtCode := f.District.Code
	if districtCode != "" {
		entry(District, 0, districtCode, f.District.Name, "")
	} else {
		for code, e := range existing {
			if e.Kind == District {
				districtCode = code
			}
		}
	}
	// child checks one entry under a parent that must be of one of the kinds; an unknown parent
	// is a problem and the code is checked all the same.
	child := func(kind Kind, i int, code, name, parent, field, key string, kinds ...Kind) {
		if !slices.Contains(kinds, kindOf(parent)) {
			bad(kind, i, field, key, parent)
			parent = "-" // unknown: neither prefix nor existing parent to compare
		}
		entry(kind, i, code, name, parent)
	}
	for i, n := range f.Subdistricts {
		if districtCode == "" {
			bad(Subdistrict, i, "code", "org.import.no_district")
			continue
		}
		entry(Subdistrict, i, n.Code, n.Name, districtCode)
	}
	for i, n := range f.Communities {
		child(Community, i, n.Code, n.Name, n.SubdistrictCode, "subdistrict_code", "org.import.unknown_parent", Subdistrict)
	}
	for i, z := range f.Zones {
		child(ZoneKind, i, z.Code, z.Name, z.SubdistrictCode, "subdistrict_code", "org.import.unknown_parent", Subdistrict)
	}
	for i, d := range f.Departments {
		child(Department, i, d.Code, d.Name, d.OrgCode, "org_code", "org.import.unit_parent", District, Subdistrict, Community)
	}
	return problems
}

// Count is what an import does to one kind of entry.
type Count struct {
	Add       int `json:"add"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
}

// Plan counts, per kind (district, subdistrict, community, zone, department), what an import does.
type Plan map[Kind]*Count

// Changes is the number of entries an import adds or renames.
func (p Plan) Changes() int {
	n := 0
	for _, c := range p {
		n += c.Add + c.Update
	}
	return n
}

// Import writes the file's nodes, zones and departments in one transaction (inserting new codes,
// updating names of existing ones, leaving unchanged ones alone) and records it in the audit log.
// It writes all or nothing: any problem (answered as an invalid-file error with one detail per
// problem) or a node outside the caller's scope leaves the database as it was. Importing the same
// file again changes nothing.
func (s *Service) Import(ctx context.Context, f File, now time.Time) error {
	_, err := s.Apply(ctx, f, now)
	return err
}

// Apply is Import answering what it did.
func (s *Service) Apply(ctx context.Context, f File, now time.Time) (Plan, error) {
	return s.run(ctx, f, now, true)
}

// PlanImport answers what Import would do with the file, changing nothing.
func (s *Service) PlanImport(ctx context.Context, f File) (Plan, error) {
	return s.run(ctx, f, time.Time{}, false)
}

// CheckImport answers every problem of the file against the database, changing nothing (Import
// checks again in its transaction).
func (s *Service) CheckImport(ctx context.Context, f File) ([]Problem, error) {
	if _, err := access.Need(ctx, access.TerritoryWrite); err != nil {
		return nil, err
	}
	var problems []Problem
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		existing, err := s.existing(ctx, tx)
		problems = f.Check(existing)
		return err
	})
	return problems, err
}

// errDryRun ends a dry run's transaction.
var errDryRun = errors.New("dry run")

func (s *Service) run(ctx context.Context, f File, now time.Time, write bool) (Plan, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return nil, err
	}
	plan := Plan{District: {}, Subdistrict: {}, Community: {}, ZoneKind: {}, Department: {}}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		existing, err := s.existing(ctx, tx)
		if err != nil {
			return err
		}
		if err := problemsError(f.Check(existing)); err != nil {
			return err
		}
		w := importer{s: s, tx: tx, scope: scope, existing: existing, plan: plan, now: now, write: write,
			paths: map[string]string{}}
		if err := w.all(ctx, f); err != nil {
			return err
		}
		if !write || plan.Changes() == 0 {
			return errDryRun
		}
		// Names shown with located grids are cached with the grid index: have every node reload it.
		if err := db.BumpVersion(ctx, tx, "grids_version"); err != nil {
			return err
		}
		root := strings.SplitN(strings.Trim(w.rootPath, "/"), "/", 2)[0]
		e := audit.For(access.ActorOf(ctx, scope.GrantCovering(w.rootPath)), now, "org.import", "district", root)
		e.OrgPath, e.OrgCode = PathOf("", root), root
		e.After = audit.Summary(plan)
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// existing reads every code the database holds, in the import's transaction.
func (s *Service) existing(ctx context.Context, tx *sql.Tx) (Existing, error) {
	out := Existing{}
	rows, err := s.DB.TxQuery(ctx, tx, `SELECT code, kind, COALESCE(parent_code, ''), path, name, name_en, slug FROM org_nodes`)
	if err != nil {
		return nil, fmt.Errorf("read org nodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, kind string
		var e Existent
		if err := rows.Scan(&code, &kind, &e.Parent, &e.Path, &e.Names[0], &e.Names[1], &e.Names[2]); err != nil {
			return nil, fmt.Errorf("read org nodes: %w", err)
		}
		e.Kind = Kind(kind)
		out[code] = e
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	zones, err := s.DB.TxQuery(ctx, tx, `SELECT code, subdistrict_code, path, name, name_en, lead_organisation FROM zones`)
	if err != nil {
		return nil, fmt.Errorf("read zones: %w", err)
	}
	defer zones.Close()
	for zones.Next() {
		var code string
		e := Existent{Kind: ZoneKind}
		if err := zones.Scan(&code, &e.Parent, &e.Path, &e.Names[0], &e.Names[1], &e.Names[2]); err != nil {
			return nil, fmt.Errorf("read zones: %w", err)
		}
		out[code] = e
	}
	return out, zones.Err()
}

// importer writes one checked file.
type importer struct {
	s        *Service
	tx       *sql.Tx
	scope    access.Scope
	existing Existing
	plan     Plan
	now      time.Time
	write    bool
	paths    map[string]string
	rootPath string
}

func (w *importer) pathOf(code string) string {
	if p, ok := w.paths[code]; ok {
		return p
	}
	return w.existing[code].Path
}

func (w *importer) all(ctx context.Context, f File) error {
	if f.District.Code != "" {
		if err := w.node(ctx, District, f.District.Code, "", [4]string{f.District.Name, f.District.NameEN, f.District.Slug}); err != nil {
			return err
		}
	}
	district := f.District.Code
	for code, e := range w.existing {
		if district == "" && e.Kind == District {
			district = code
		}
	}
	for _, n := range f.Subdistricts {
		if err := w.node(ctx, Subdistrict, n.Code, district, [4]string{n.Name, n.NameEN, n.Slug}); err != nil {
			return err
		}
	}
	for _, n := range f.Communities {
		if err := w.node(ctx, Community, n.Code, n.SubdistrictCode, [4]string{n.Name, n.NameEN, n.Slug}); err != nil {
			return err
		}
	}
	for _, d := range f.Departments {
		if err := w.node(ctx, Department, d.Code, d.OrgCode, [4]string{d.Name, d.NameEN, ""}); err != nil {
			return err
		}
	}
	for _, z := range f.Zones {
		if err := w.node(ctx, ZoneKind, z.Code, z.SubdistrictCode, [4]string{z.Name, z.NameEN, z.LeadOrganisation}); err != nil {
			return err
		}
	}
	return nil
}

// node counts one entry in the plan and, on a real run, writes it when it is new or renamed.
func (w *importer) node(ctx context.Context, kind Kind, code, parent string, names [4]string) error {
	path := PathOf(w.pathOf(parent), code)
	if parent == "" {
		path = PathOf("", code)
	}
	w.paths[code] = path
	if w.rootPath == "" {
		w.rootPath = path
	}
	if !w.scope.Covers(path) {
		return apperr.New(apperr.Forbidden, "auth.out_of_scope")
	}
	count := w.plan[kind]
	e, exists := w.existing[code]
	switch {
	case exists && e.Names == names:
		count.Unchanged++
		return nil
	case exists:
		count.Update++
	default:
		count.Add++
	}
	if !w.write {
		return nil
	}
	var err error
	if kind == ZoneKind {
		_, err = w.s.DB.TxExec(ctx, w.tx, `INSERT INTO zones (code, name, name_en, subdistrict_code, path, lead_organisation, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, lead_organisation = excluded.lead_organisation, updated_at = excluded.updated_at`,
			code, names[0], names[1], parent, path, names[2], w.now)
	} else {
		var parentArg any
		if parent != "" {
			parentArg = parent
		}
		_, err = w.s.DB.TxExec(ctx, w.tx, `INSERT INTO org_nodes (code, kind, name, name_en, parent_code, path, slug, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, slug = excluded.slug, updated_at = excluded.updated_at`,
			code, string(kind), names[0], names[1], parentArg, path, names[2], w.now)
	}
	if err != nil {
		return fmt.Errorf("import %s %s: %w", kind, code, err)
	}
	return nil
}
