package address

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/coord"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// Kind tells a door plate from a point of interest.
type Kind string

const (
	Door Kind = "door" // 门牌地址
	POI  Kind = "poi"  // 兴趣点: a school, a market, a residential compound …
)

// Columns of an import file (CSV or the first sheet of an xlsx workbook), matched by name in the
// header row. address, lat and lng are required. kind defaults to poi when the row has a name and
// to door otherwise; coord says per row in which system lat/lng are (wgs84, the default, or gcj02
// as AMap and Tencent pickers give them).
var Columns = []string{"address", "name", "lat", "lng", "kind", "coord"}

var requiredColumns = []string{"address", "lat", "lng"}

// Limits of one import.
const (
	MaxFileBytes   = 64 << 20
	MaxRows        = 600000
	MaxAddressLen  = 200 // characters
	MaxNameLen     = 100
	MaxProblems    = 200 // problems reported (the import is refused at the first anyway)
	coordWGS84     = "wgs84"
	coordGCJ02     = "gcj02"
	problemColumns = "address,name,lat,lng"
)

// Row is one parsed line of an import file, in WGS-84.
type Row struct {
	Line     int
	Address  string
	Name     string
	Kind     Kind
	Lat, Lng float64
}

// Problem is one thing wrong with an import file; Key is under "address.problem.".
type Problem struct {
	Line  int    `json:"line,omitempty"`
	Field string `json:"field,omitempty"`
	Key   string `json:"key"`
	Args  []any  `json:"args,omitempty"`
}

// ParseFile reads a CSV (UTF-8, optional byte-order mark) or xlsx file. gcj02 says the points are
// GCJ-02 unless a row's coord column says otherwise. It returns the rows and every problem found.
func ParseFile(raw []byte, gcj02 bool) ([]Row, []Problem) {
	if len(raw) > MaxFileBytes {
		return nil, []Problem{{Key: "file_too_large", Args: []any{MaxFileBytes}}}
	}
	sheets, rerr := tabular.Read(raw, tabular.Limits{MaxRows: MaxRows, MaxUnzip: 8 * MaxFileBytes})
	if rerr != nil {
		return nil, []Problem{{Line: rerr.Line, Key: rerr.Key, Args: rerr.Args}}
	}
	// The first sheet of a workbook, from its first row that is not blank (the header).
	var records []tabular.Record
	for _, r := range sheets[0].Records {
		if len(records) > 0 || !tabular.Blank(r.Cells) {
			records = append(records, r)
		}
	}
	if len(records) == 0 {
		return nil, []Problem{{Key: "empty_file"}}
	}
	index, problems := header(records[0].Cells)
	if len(problems) > 0 {
		return nil, problems
	}
	if len(records)-1 > MaxRows {
		return nil, []Problem{{Key: "too_many_rows", Args: []any{MaxRows}}}
	}
	var rows []Row
	first := map[string]int{}
	for _, r := range records[1:] {
		line, rec := r.Line, r.Cells
		get := func(col string) string {
			if j, ok := index[col]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		if tabular.Blank(rec) {
			continue
		}
		row, rowProblems := parseRow(line, get, gcj02)
		if len(rowProblems) == 0 {
			if at, dup := first[row.Address]; dup {
				rowProblems = append(rowProblems, Problem{Line: line, Field: "address", Key: "duplicate", Args: []any{row.Address, at}})
			} else {
				first[row.Address] = line
			}
		}
		problems = append(problems, rowProblems...)
		if len(problems) >= MaxProblems {
			return nil, problems[:MaxProblems]
		}
		if len(rowProblems) == 0 {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{Key: "empty_file"})
	}
	return rows, problems
}

// header maps column names to positions.
func header(rec []string) (map[string]int, []Problem) {
	index := map[string]int{}
	var problems []Problem
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case h == "":
		case !contains(Columns, h):
			problems = append(problems, Problem{Line: 1, Field: h, Key: "unknown_column", Args: []any{h, strings.Join(Columns, ", ")}})
		default:
			if _, dup := index[h]; dup {
				problems = append(problems, Problem{Line: 1, Field: h, Key: "duplicate_column", Args: []any{h}})
			}
			index[h] = i
		}
	}
	for _, c := range requiredColumns {
		if _, ok := index[c]; !ok {
			problems = append(problems, Problem{Line: 1, Field: c, Key: "missing_column", Args: []any{c, problemColumns}})
		}
	}
	return index, problems
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseRow checks one line and converts its point to WGS-84.
func parseRow(line int, get func(string) string, gcj02 bool) (Row, []Problem) {
	var problems []Problem
	bad := func(field, key string, args ...any) {
		problems = append(problems, Problem{Line: line, Field: field, Key: key, Args: args})
	}
	r := Row{Line: line, Address: get("address"), Name: get("name"), Kind: Kind(strings.ToLower(get("kind")))}
	for _, f := range []struct {
		field, value string
		max          int
	}{{"address", r.Address, MaxAddressLen}, {"name", r.Name, MaxNameLen}} {
		switch {
		case httpx.CheckText(f.field, f.value) != nil:
			bad(f.field, "bad_text")
		case utf8.RuneCountInString(f.value) > f.max:
			bad(f.field, "too_long", f.max)
		}
	}
	if r.Address == "" {
		bad("address", "missing", "address")
	}
	switch r.Kind {
	case "":
		r.Kind = Door
		if r.Name != "" {
			r.Kind = POI
		}
	case Door, POI:
	default:
		bad("kind", "bad_kind", string(r.Kind))
	}
	number := func(field string, lo, hi float64) float64 {
		v := get(field)
		if v == "" {
			bad(field, "missing", field)
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || f < lo || f > hi {
			bad(field, "bad_number", field, v)
		}
		return f
	}
	r.Lat, r.Lng = number("lat", -90, 90), number("lng", -180, 180)
	system := strings.ToLower(get("coord"))
	switch {
	case system == coordGCJ02 || (system == "" && gcj02):
		r.Lat, r.Lng = coord.GCJ02ToWGS84(r.Lat, r.Lng)
	case system == "" || system == coordWGS84:
	default:
		bad("coord", "bad_coord", system)
	}
	return r, problems
}

func (p *Problem) Error() string {
	return fmt.Sprintf("line %d: %s %v", p.Line, p.Key, p.Args)
}

// sortProblems orders problems by line (file-wide ones first), keeping each line's order.
func sortProblems(p []Problem) {
	slices.SortStableFunc(p, func(a, b Problem) int { return a.Line - b.Line })
}
