package onboard

import (
	"strings"
	"unicode"

	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// Limits of an uploaded template. 50 000 users with a few grants each are about 4 MB of CSV.
const (
	MaxFileBytes = 32 << 20
	MaxRows      = 200_000
)

// Format of an uploaded file.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// RowError is one problem of an uploaded file, at a sheet, row (1-based, as the spreadsheet
// shows it; 0 for the whole file) and column (the column's code name).
type RowError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
	// Key and Args are the message before translation.
	Key  string `json:"key"`
	Args []any  `json:"-"`
}

// row is one data row of a table: its cells by column code and its row number.
type row struct {
	Sheet string
	Line  int
	Cells map[string]string
}

// column is one column of a template: its code name (the JSON name of the field) and its
// Chinese header; the template's header reads "中文 code" and either half is recognised.
type column struct {
	Code     string
	Chinese  string
	Required bool
}

// header is how a column is written in the header row of a template.
func (c column) header() string { return c.Chinese + " " + c.Code }

// matches reports whether a header cell names the column: its code, its Chinese name, or both.
func (c column) matches(cell string) bool {
	cell = strings.TrimSpace(strings.ToLower(cell))
	if cell == c.Code || cell == c.Chinese || cell == strings.ToLower(c.header()) {
		return true
	}
	for _, f := range strings.FieldsFunc(cell, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("()（）/|*", r)
	}) {
		if f == c.Code || f == c.Chinese {
			return true
		}
	}
	return false
}

// readTable reads the rows of every sheet (a CSV file is one sheet named sheet) below a header
// row naming the columns. Missing required columns, broken files and text with control
// characters are problems; cell values are trimmed.
func readTable(raw []byte, sheet string, columns []column) ([]row, []RowError) {
	sheets, fileErr := tabular.Read(raw, tabular.Limits{MaxRows: MaxRows, MaxUnzip: 8 * MaxFileBytes})
	if fileErr != nil {
		return nil, []RowError{{Sheet: fileErr.Sheet, Row: fileErr.Line, Key: "onboard." + fileErr.Key, Args: fileErr.Args}}
	}
	if len(sheets) == 1 && sheets[0].Name == "" {
		sheets[0].Name = sheet // a CSV file is the template's one sheet
	}
	var rows []row
	var problems []RowError
	found := false
	for _, sh := range sheets {
		name, records := sh.Name, sh.Records
		head := -1
		for i, rec := range records {
			if !tabular.Blank(rec.Cells) {
				head = i
				break
			}
		}
		if head < 0 {
			continue
		}
		index := map[string]int{}
		for i, cell := range records[head].Cells {
			for _, c := range columns {
				if _, seen := index[c.Code]; !seen && c.matches(cell) {
					index[c.Code] = i
				}
			}
		}
		if len(index) == 0 && len(sheets) > 1 {
			continue // a sheet of notes
		}
		found = true
		var missing []RowError
		for _, c := range columns {
			if _, ok := index[c.Code]; !ok && c.Required {
				missing = append(missing, RowError{Sheet: name, Row: records[head].Line, Column: c.Code, Key: "onboard.missing_column", Args: []any{c.header()}})
			}
		}
		if len(missing) > 0 {
			return nil, missing // the file is not this template: its rows say nothing
		}
		for _, rec := range records[head+1:] {
			if tabular.Blank(rec.Cells) {
				continue
			}
			line := rec.Line
			r := row{Sheet: name, Line: line, Cells: map[string]string{}}
			for code, at := range index {
				if at < len(rec.Cells) {
					v := strings.TrimSpace(rec.Cells[at])
					if !cleanText(v) {
						problems = append(problems, RowError{Sheet: name, Row: line, Column: code, Key: "onboard.bad_text"})
						v = ""
					}
					r.Cells[code] = v
				}
			}
			rows = append(rows, r)
			if len(rows) > MaxRows {
				return nil, []RowError{{Key: "onboard.too_many_rows", Args: []any{MaxRows}}}
			}
		}
	}
	if !found || (len(rows) == 0 && len(problems) == 0) {
		return nil, []RowError{{Key: "onboard.empty_file"}}
	}
	return rows, problems
}

// cleanText refuses control characters other than tab and line breaks (NUL bytes among them).
func cleanText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// byteOrderMark starts the CSV templates, so that Excel opens their Chinese right.
const byteOrderMark = "\ufeff"
