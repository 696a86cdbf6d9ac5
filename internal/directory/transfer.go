package directory

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// Import and export: CSV, xlsx (first sheet) and JSON, one entry per row. The columns are the
// API's field names; a district's own sheet may head them in Chinese (名称, 别名 …) instead. List
// cells separate items with 、 or ; — places are named by their codes, which the export writes.

// Limits of an import file.
const (
	MaxImportBytes = 8 << 20
	maxImportRows  = 5000
	maxProblems    = 200
)

// columns are the import and export columns, with the Chinese headings also accepted.
var columns = []struct{ key, zh string }{
	{"name", "名称"}, {"aliases", "别名"}, {"category", "类别"}, {"description", "说明"}, {"materials", "所需材料"},
	{"fees", "收费"}, {"processing_time", "办理时限"}, {"legal_basis", "办理依据"}, {"online", "可网上办"},
	{"online_url", "网上办理地址"}, {"unit_code", "所属单位"}, {"places", "地点"},
}

// Problem is one thing wrong with one row of an import.
type Problem struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Args    []any  `json:"-"`
}

// ImportReport says what an import found and did.
type ImportReport struct {
	Rows    int       `json:"rows"`
	Valid   int       `json:"valid"`
	Errors  []Problem `json:"errors"`
	Changes int       `json:"changes"`
	DryRun  bool      `json:"dry_run"`
}

// importRow is an entry read from a file, with the row it came from.
type importRow struct {
	row   int
	input ServiceInput
	codes []string
}

// Import reads a file of entries; each valid row becomes a pending change (a new entry, or a
// change of the unit's entry of that name). Nothing is proposed while any row is wrong.
func (d *Directory) Import(ctx context.Context, raw []byte, dryRun bool) (ImportReport, error) {
	scope, err := editor(ctx)
	if err != nil {
		return ImportReport{}, err
	}
	if len(raw) > MaxImportBytes {
		return ImportReport{}, apperr.New(apperr.TooLarge, "directory.import.too_large", MaxImportBytes>>20)
	}
	rows, problems := parseFile(raw)
	rep := ImportReport{Rows: len(rows) + countRows(problems), DryRun: dryRun, Errors: []Problem{}}
	s, err := d.current(ctx)
	if err != nil {
		return rep, err
	}
	byCode := map[string]string{}
	for _, p := range s.places {
		byCode[p.Code] = p.ID
	}
	type planned struct {
		row int
		op  Op
		id  string
		in  ServiceInput
	}
	var plan []planned
	for _, r := range rows {
		in, ok := r.input, true
		for _, code := range r.codes {
			id, found := byCode[code]
			if !found {
				problems = append(problems, Problem{Row: r.row, Field: "places", Message: "directory.unknown_place", Args: []any{code}})
				ok = false
				continue
			}
			in.PlaceIDs = append(in.PlaceIDs, id)
		}
		if !ok {
			continue
		}
		if err := in.clean(s); err != nil {
			problems = append(problems, problemOf(r.row, err))
			continue
		}
		if _, _, err := unitInReach(s, scope, in.UnitCode); err != nil {
			problems = append(problems, problemOf(r.row, err))
			continue
		}
		p := planned{row: r.row, op: OpCreate, in: in}
		if old := s.named(in.UnitCode, in.Name); old != nil {
			p.op, p.id = OpUpdate, old.ID
		}
		plan = append(plan, p)
	}
	rep.Valid = len(plan)
	if len(problems) > maxProblems {
		problems = problems[:maxProblems]
	}
	rep.Errors = append(rep.Errors, problems...)
	if dryRun || len(problems) > 0 {
		return rep, nil
	}
	for _, p := range plan {
		if _, err := d.Propose(ctx, p.op, p.id, p.in); err != nil {
			rep.Errors = append(rep.Errors, problemOf(p.row, err))
			continue
		}
		rep.Changes++
	}
	return rep, nil
}

// countRows counts the rows behind file-level problems (none) so Rows stays the rows read.
func countRows(problems []Problem) int {
	seen := map[int]bool{}
	for _, p := range problems {
		if p.Row > 0 {
			seen[p.Row] = true
		}
	}
	return len(seen)
}

// problemOf turns a rule's error into a row's problem.
func problemOf(row int, err error) Problem {
	if e, ok := apperr.As(err); ok {
		p := Problem{Row: row, Message: e.Key, Args: e.Args}
		if len(e.Details) > 0 {
			p.Field = e.Details[0].Field
		}
		return p
	}
	return Problem{Row: row, Message: "directory.import.row_failed"}
}

// parseFile reads JSON ({"services":[…]} or a bare array) or a CSV/xlsx sheet.
func parseFile(raw []byte) ([]importRow, []Problem) {
	trimmed := bytes.TrimLeft(raw, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return parseJSON(trimmed)
	}
	sheets, rerr := tabular.Read(raw, tabular.Limits{MaxRows: maxImportRows + 1, MaxUnzip: 8 * MaxImportBytes})
	if rerr != nil {
		return nil, []Problem{{Row: rerr.Line, Message: "directory.import." + rerr.Key, Args: rerr.Args}}
	}
	var records []tabular.Record
	for _, r := range sheets[0].Records {
		if len(records) > 0 || !tabular.Blank(r.Cells) {
			records = append(records, r)
		}
	}
	if len(records) < 2 {
		return nil, []Problem{{Message: "directory.import.empty"}}
	}
	index := map[string]int{}
	for i, h := range records[0].Cells {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		for _, c := range columns {
			if strings.EqualFold(h, c.key) || h == c.zh {
				index[c.key] = i
			}
		}
	}
	for _, need := range []string{"name", "category", "unit_code"} {
		if _, ok := index[need]; !ok {
			return nil, []Problem{{Row: records[0].Line, Field: need, Message: "directory.import.missing_column", Args: []any{need}}}
		}
	}
	var rows []importRow
	var problems []Problem
	for _, r := range records[1:] {
		if tabular.Blank(r.Cells) {
			continue
		}
		get := func(key string) string {
			if j, ok := index[key]; ok && j < len(r.Cells) {
				return strings.TrimSpace(r.Cells[j])
			}
			return ""
		}
		online, err := yes(get("online"))
		if err != nil {
			problems = append(problems, Problem{Row: r.Line, Field: "online", Message: "directory.import.bad_bool", Args: []any{get("online")}})
			continue
		}
		rows = append(rows, importRow{row: r.Line, codes: split(get("places")), input: ServiceInput{
			Name: get("name"), Aliases: split(get("aliases")), Category: get("category"), Description: get("description"),
			Materials: split(get("materials")), Fees: get("fees"), ProcessingTime: get("processing_time"),
			LegalBasis: get("legal_basis"), Online: online, OnlineURL: get("online_url"), UnitCode: get("unit_code")}})
	}
	if len(rows)+len(problems) > maxImportRows {
		return nil, []Problem{{Message: "directory.import.too_many_rows", Args: []any{maxImportRows}}}
	}
	return rows, problems
}

// jsonEntry is an entry in a JSON import: the API's fields, places by code.
type jsonEntry struct {
	ServiceInput
	Places []string `json:"places"`
}

func parseJSON(raw []byte) ([]importRow, []Problem) {
	var list []json.RawMessage
	var wrapped struct {
		Services []json.RawMessage `json:"services"`
	}
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, []Problem{{Message: "directory.import.bad_json", Args: []any{err.Error()}}}
		}
	} else {
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return nil, []Problem{{Message: "directory.import.bad_json", Args: []any{err.Error()}}}
		}
		list = wrapped.Services
	}
	if len(list) == 0 {
		return nil, []Problem{{Message: "directory.import.empty"}}
	}
	if len(list) > maxImportRows {
		return nil, []Problem{{Message: "directory.import.too_many_rows", Args: []any{maxImportRows}}}
	}
	var rows []importRow
	var problems []Problem
	for i, item := range list {
		var e jsonEntry
		if err := json.Unmarshal(item, &e); err != nil {
			problems = append(problems, Problem{Row: i + 1, Message: "directory.import.bad_json", Args: []any{err.Error()}})
			continue
		}
		rows = append(rows, importRow{row: i + 1, input: e.ServiceInput, codes: e.Places})
	}
	return rows, problems
}

// split reads a list cell: items separated by 、 ; ； or new lines.
func split(cell string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(cell, func(r rune) bool { return r == '、' || r == ';' || r == '；' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// yes reads a yes/no cell.
func yes(cell string) (bool, error) {
	switch strings.ToLower(cell) {
	case "", "0", "false", "no", "否", "不可":
		return false, nil
	case "1", "true", "yes", "是", "可":
		return true, nil
	}
	return false, strconv.ErrSyntax
}

// ExportRow is an entry as the export writes it.
type ExportRow struct {
	ServiceInput
	Places []string `json:"places"`
	ID     string   `json:"id"`
}

// Export lists the caller's units' entries for a file, places by code.
func (d *Directory) Export(ctx context.Context) ([]ExportRow, error) {
	scope, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	out := []ExportRow{}
	for _, sv := range s.services {
		if !scope.Covers(sv.path) {
			continue
		}
		r := ExportRow{ServiceInput: inputOf(sv), ID: sv.ID, Places: []string{}}
		for _, id := range sv.placeIDs {
			if p, ok := s.placeByID[id]; ok {
				r.Places = append(r.Places, p.Code)
			}
		}
		r.PlaceIDs = nil
		out = append(out, r)
	}
	return out, nil
}

// Cells is an export row as the file's columns.
func (r ExportRow) Cells() []any {
	online := "否"
	if r.Online {
		online = "是"
	}
	return []any{r.Name, strings.Join(r.Aliases, "、"), r.Category, r.Description, strings.Join(r.Materials, "、"), r.Fees,
		r.ProcessingTime, r.LegalBasis, online, r.OnlineURL, r.UnitCode, strings.Join(r.Places, "、")}
}

// Header is the export's heading row: the API's field names, which import reads back.
func Header() []any {
	out := make([]any, len(columns))
	for i, c := range columns {
		out[i] = c.key
	}
	return out
}
