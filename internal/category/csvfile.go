package category

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Columns of the catalogue file, in the order ExportCSV writes them. The file has a header row;
// columns are matched by name, so their order is free. class, code, name and standard_ref are
// required; the others default (major_code from the code, confirm_required true, radius 50 m,
// window 72 h, active true). Keywords are separated by "|".
var Columns = []string{"class", "code", "major_code", "major_name", "major_name_en", "name", "name_en",
	"standard_ref", "old_code", "old_standard_ref", "keywords", "confirm_required", "duplicate_radius_m",
	"duplicate_window_hours", "active"}

var requiredColumns = []string{"class", "code", "name", "standard_ref"}

// Defaults of a category's optional settings.
const (
	DefaultDuplicateRadiusM     = 50
	DefaultDuplicateWindowHours = 72
)

// MaxCSVBytes bounds an uploaded catalogue file (the full GB/T 47678.5 list is about 60 KB).
const MaxCSVBytes = 4 << 20

// maxRows bounds the rows of one file.
const maxRows = 5000

var bom = []byte("\xef\xbb\xbf")

// readCSV reads a whole CSV file (UTF-8, optional BOM) and calls row for every record after the
// header with its 1-based line number and a getter by column name.
func readCSV(r io.Reader, columns, required []string, row func(line int, get func(string) (string, bool))) []Problem {
	raw, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return []Problem{{Key: "csv_syntax", Args: []any{err.Error()}}}
	}
	if len(raw) > MaxCSVBytes {
		return []Problem{{Key: "file_too_large", Args: []any{MaxCSVBytes}}}
	}
	raw = bytes.TrimPrefix(raw, bom)
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return []Problem{{Key: "empty_file"}}
	}
	if err != nil {
		return []Problem{csvProblem(err)}
	}
	index := map[string]int{}
	var problems []Problem
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !contains(columns, h) {
			problems = append(problems, Problem{Line: 1, Field: h, Key: "unknown_column", Args: []any{h}})
		} else if _, dup := index[h]; dup {
			problems = append(problems, Problem{Line: 1, Field: h, Key: "duplicate_column", Args: []any{h}})
		} else {
			index[h] = i
		}
	}
	for _, c := range required {
		if _, ok := index[c]; !ok {
			problems = append(problems, Problem{Line: 1, Field: c, Key: "missing_column", Args: []any{c}})
		}
	}
	if len(problems) > 0 {
		return problems
	}
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(problems, csvProblem(err))
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			problems = append(problems, Problem{Line: line, Key: "wrong_field_count", Args: []any{len(rec), len(header)}})
			continue
		}
		if rows++; rows > maxRows {
			return append(problems, Problem{Line: line, Key: "too_many_rows", Args: []any{maxRows}})
		}
		row(line, func(col string) (string, bool) {
			i, ok := index[col]
			if !ok {
				return "", false
			}
			return strings.TrimSpace(rec[i]), true
		})
	}
	if rows == 0 {
		problems = append(problems, Problem{Key: "empty_file"})
	}
	return problems
}

func csvProblem(err error) Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Problem{Line: pe.Line, Key: "csv_syntax", Args: []any{pe.Err.Error()}}
	}
	return Problem{Key: "csv_syntax", Args: []any{err.Error()}}
}

// ParseCSV reads a catalogue file and checks every line; it returns the categories and every
// problem found (a file with problems must not be imported at all).
func ParseCSV(r io.Reader) ([]Category, []Problem) {
	cats, _, problems := parseCSV(r)
	return cats, problems
}

// parseCSV is ParseCSV that also returns the file line of each category.
func parseCSV(r io.Reader) ([]Category, []int, []Problem) {
	var out []Category
	var lines []int
	var problems []Problem
	firstLine := map[Key]int{}
	majors := map[Key]Major{}
	majorLine := map[Key]int{}
	rowProblems := readCSV(r, Columns, requiredColumns, func(line int, get func(string) (string, bool)) {
		bad := func(field, key string, args ...any) {
			problems = append(problems, Problem{Line: line, Field: field, Key: key, Args: args})
		}
		text := func(col string) string { v, _ := get(col); return v }
		c := Category{Class: Class(text("class")), Code: text("code"), MajorCode: text("major_code"),
			MajorName: text("major_name"), MajorNameEN: text("major_name_en"), Name: text("name"), NameEN: text("name_en"),
			StandardRef: text("standard_ref"), OldCode: text("old_code"), OldStandardRef: text("old_standard_ref"),
			ConfirmRequired: true, DuplicateRadiusM: DefaultDuplicateRadiusM, DuplicateWindowHours: DefaultDuplicateWindowHours,
			Active: true}
		if kw := text("keywords"); kw != "" {
			c.Keywords = strings.Split(kw, "|")
		}
		boolean := func(col string, dst *bool) {
			if v, ok := get(col); ok && v != "" {
				b, ok := parseBool(v)
				if !ok {
					bad(col, "bad_bool", v)
				}
				*dst = b
			}
		}
		integer := func(col string, dst *int) {
			if v, ok := get(col); ok && v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					bad(col, "bad_int", v)
				}
				*dst = n
			}
		}
		boolean("confirm_required", &c.ConfirmRequired)
		boolean("active", &c.Active)
		integer("duplicate_radius_m", &c.DuplicateRadiusM)
		integer("duplicate_window_hours", &c.DuplicateWindowHours)
		c.Normalize()
		for _, p := range c.Check() {
			bad(p.Field, p.Key, p.Args...)
		}
		k := Key{c.Class, c.Code}
		if first, dup := firstLine[k]; dup {
			bad("code", "duplicate", string(c.Class), c.Code, first)
			return
		}
		firstLine[k] = line
		mk := Key{c.Class, c.MajorCode}
		if m, seen := majors[mk]; seen && c.MajorName != "" && m.Name != "" && (m.Name != c.MajorName || (c.MajorNameEN != "" && m.NameEN != "" && m.NameEN != c.MajorNameEN)) {
			bad("major_name", "major_name_conflict", c.MajorCode, majorLine[mk])
		} else if !seen || m.Name == "" {
			majors[mk] = Major{Class: c.Class, Code: c.MajorCode, Name: c.MajorName, NameEN: c.MajorNameEN}
			majorLine[mk] = line
		}
		out = append(out, c)
		lines = append(lines, line)
	})
	return out, lines, byLine(append(rowProblems, problems...))
}

// WriteCSV writes categories as a catalogue file, with a BOM so that spreadsheet programs read the
// Chinese text as UTF-8.
func WriteCSV(w io.Writer, cats []Category) error {
	if _, err := w.Write(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, c := range cats {
		rec := []string{string(c.Class), c.Code, c.MajorCode, c.MajorName, c.MajorNameEN, c.Name, c.NameEN,
			c.StandardRef, c.OldCode, c.OldStandardRef, strings.Join(c.Keywords, "|"), strconv.FormatBool(c.ConfirmRequired),
			strconv.Itoa(c.DuplicateRadiusM), strconv.Itoa(c.DuplicateWindowHours), strconv.FormatBool(c.Active)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// LimitColumns are the columns of a limits file: one row per category × urgency, one column per
// stage, each cell "4h" (working hours) or "15d" (working days), or empty for "use the default".
// Class "*" and code "*" give the catalogue-wide defaults.
var LimitColumns = []string{"class", "code", "urgency", "confirm", "register", "dispatch", "sign", "handle", "verify"}

// Key identifies a category (or a major, by its 2-digit code).
type Key struct {
	Class Class
	Code  string
}

func (k Key) String() string { return string(k.Class) + "/" + k.Code }

// ParseLimitsCSV reads a limits file and checks every line.
func ParseLimitsCSV(r io.Reader) (map[Key]LimitSet, []Problem) {
	out := map[Key]LimitSet{}
	var problems []Problem
	seen := map[string]int{}
	rowProblems := readCSV(r, LimitColumns, LimitColumns[:3], func(line int, get func(string) (string, bool)) {
		bad := func(field, key string, args ...any) {
			problems = append(problems, Problem{Line: line, Field: field, Key: key, Args: args})
		}
		class, _ := get("class")
		code, _ := get("code")
		urgency, _ := get("urgency")
		k := Key{Class(class), code}
		switch {
		case k.Class == DefaultClass && k.Code == DefaultCode:
		case !k.Class.Valid():
			bad("class", "bad_class", class)
			return
		case !ValidCode(code):
			bad("code", "bad_code", code)
			return
		}
		u := Urgency(urgency)
		if !u.Valid() {
			bad("urgency", "bad_urgency", urgency)
			return
		}
		id := k.String() + "/" + urgency
		if first, dup := seen[id]; dup {
			bad("urgency", "duplicate", class+" "+urgency, code, first)
			return
		}
		seen[id] = line
		limits := Limits{}
		for _, s := range Stages {
			v, ok := get(string(s))
			if !ok || v == "" {
				continue
			}
			l, ok := ParseLimit(v)
			if !ok {
				bad(string(s), "bad_limit_cell", v)
				continue
			}
			limits[s] = l
		}
		if out[k] == nil {
			out[k] = LimitSet{}
		}
		out[k][u] = limits
	})
	return out, byLine(append(rowProblems, problems...))
}

// byLine orders problems by line, keeping the order of each line's problems.
func byLine(problems []Problem) []Problem {
	slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
	return problems
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "是":
		return true, true
	case "false", "0", "no", "n", "否":
		return false, true
	}
	return false, false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// refuse turns problems into the error a refused import returns.
func refuse(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return &ProblemsError{Key: "category.bad_csv", Problems: problems}
}
