package onboard

import (
	"context"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/org"
)

// OrgSheet is the one sheet of the org template. Each row is one entry, its kind in the first
// column: 区 district, 街道 subdistrict, 社区 community, 片区 zone, 处置单位 unit (a department of
// the district, an office or 综合执法队 of a subdistrict, or a community acting as a handler).
// parent_code is the parent: the subdistrict of a community or zone, the district, subdistrict or
// community a unit belongs to (empty for the district and subdistricts).
const OrgSheet = "组织机构"

var orgColumns = []column{
	{Code: "kind", Chinese: "类型", Required: true},
	{Code: "code", Chinese: "编码", Required: true},
	{Code: "name", Chinese: "名称", Required: true},
	{Code: "name_en", Chinese: "英文名称"},
	{Code: "parent_code", Chinese: "上级编码", Required: true},
	{Code: "lead_organisation", Chinese: "牵头组织"},
}

// orgKinds reads the kind column: code names and Chinese names.
var orgKinds = map[string]org.Kind{
	"district": org.District, "区": org.District,
	"subdistrict": org.Subdistrict, "街道": org.Subdistrict,
	"community": org.Community, "社区": org.Community,
	"zone": org.ZoneKind, "片区": org.ZoneKind,
	"unit": org.Department, "department": org.Department, "处置单位": org.Department, "部门": org.Department,
}

// orgExample is the template's example rows (an invented district).
var orgExample = [][]string{
	{"区", "350599", "示例区", "Example District", "", ""},
	{"街道", "350599001", "示例街道", "Example Subdistrict", "", ""},
	{"社区", "350599001001", "示例社区", "Example Community", "350599001", ""},
	{"片区", "350599001Z01", "示例片区", "Example Zone", "350599001", "示例街道党工委"},
	{"处置单位", "350599D01", "区城市管理局", "Urban Management Bureau", "350599", ""},
	{"处置单位", "350599001D01", "示例街道综合执法队", "Enforcement Team", "350599001", ""},
	{"处置单位", "350599001001D1", "示例社区居委会", "Community Committee", "350599001001", ""},
}

// orgFile turns the rows into an org file, remembering which row each entry came from.
func orgFile(rows []row) (org.File, map[org.Kind][]row, []RowError) {
	var f org.File
	at := map[org.Kind][]row{}
	var problems []RowError
	for _, r := range rows {
		c := r.Cells
		kind, ok := orgKinds[strings.ToLower(c["kind"])]
		if !ok {
			problems = append(problems, RowError{Sheet: r.Sheet, Row: r.Line, Column: "kind", Key: "onboard.bad_kind", Args: []any{c["kind"]}})
			continue
		}
		switch kind {
		case org.District:
			if f.District.Code != "" {
				problems = append(problems, RowError{Sheet: r.Sheet, Row: r.Line, Column: "kind", Key: "onboard.one_district"})
				continue
			}
			f.District = org.NodeInput{Code: c["code"], Name: c["name"], NameEN: c["name_en"]}
		case org.Subdistrict:
			f.Subdistricts = append(f.Subdistricts, org.NodeInput{Code: c["code"], Name: c["name"], NameEN: c["name_en"]})
		case org.Community:
			f.Communities = append(f.Communities, org.NodeInput{Code: c["code"], Name: c["name"], NameEN: c["name_en"], SubdistrictCode: c["parent_code"]})
		case org.ZoneKind:
			f.Zones = append(f.Zones, org.ZoneInput{Code: c["code"], Name: c["name"], NameEN: c["name_en"], SubdistrictCode: c["parent_code"], LeadOrganisation: c["lead_organisation"]})
		case org.Department:
			f.Departments = append(f.Departments, org.DepartmentInput{Code: c["code"], Name: c["name"], NameEN: c["name_en"], OrgCode: c["parent_code"]})
		}
		at[kind] = append(at[kind], r)
	}
	return f, at, problems
}

// orgColumnOf names the template column of a field of the org file.
func orgColumnOf(field string) string {
	switch field {
	case "subdistrict_code", "org_code":
		return "parent_code"
	}
	return field
}

func (s *Service) importOrg(ctx context.Context, raw []byte, dryRun bool, rep *Report) error {
	rows, problems := readTable(raw, OrgSheet, orgColumns)
	rep.Rows = len(rows)
	if rows == nil {
		rep.Errors = problems // the file as a whole: not a workbook, no header, too many rows
		return errRefused
	}
	f, at, more := orgFile(rows)
	problems = append(problems, more...)
	checked, err := s.Org.CheckImport(ctx, f)
	if err != nil {
		return err
	}
	for _, p := range checked {
		r := at[p.Kind][p.Index]
		problems = append(problems, RowError{Sheet: r.Sheet, Row: r.Line, Column: orgColumnOf(p.Field), Key: p.Key, Args: p.Args})
	}
	rep.Errors = append(rep.Errors, problems...)
	if len(problems) > 0 {
		return nil
	}
	if dryRun {
		rep.Org, err = s.Org.PlanImport(ctx, f)
		return err
	}
	rep.Org, err = s.Org.Apply(ctx, f, s.Now().UTC())
	return err
}
