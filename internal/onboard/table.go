package onboard

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
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

// detect names the format of an upload from its first bytes: an xlsx workbook is a zip file.
func detect(raw []byte) Format {
	if bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
		return XLSX
	}
	return CSV
}

// readTable reads the rows of every sheet (a CSV file is one sheet named sheet) below a header
// row naming the columns. Missing required columns, broken files and text with control
// characters are problems; cell values are trimmed.
func readTable(raw []byte, sheet string, columns []column) ([]row, []RowError) {
	var sheets map[string][][]string
	var order []string
	switch detect(raw) {
	case XLSX:
		var fileErr *RowError
		sheets, order, fileErr = readXLSX(raw)
		if fileErr != nil {
			return nil, []RowError{*fileErr}
		}
	default:
		records, fileErr := readCSV(raw)
		if fileErr != nil {
			return nil, []RowError{*fileErr}
		}
		sheets, order = map[string][][]string{sheet: records}, []string{sheet}
	}
	var rows []row
	var problems []RowError
	found := false
	for _, name := range order {
		records := sheets[name]
		head := -1
		for i, rec := range records {
			if !blank(rec) {
				head = i
				break
			}
		}
		if head < 0 {
			continue
		}
		index := map[string]int{}
		for i, cell := range records[head] {
			for _, c := range columns {
				if _, seen := index[c.Code]; !seen && c.matches(cell) {
					index[c.Code] = i
				}
			}
		}
		if len(index) == 0 && len(order) > 1 {
			continue // a sheet of notes
		}
		found = true
		var missing []RowError
		for _, c := range columns {
			if _, ok := index[c.Code]; !ok && c.Required {
				missing = append(missing, RowError{Sheet: name, Row: head + 1, Column: c.Code, Key: "onboard.missing_column", Args: []any{c.header()}})
			}
		}
		if len(missing) > 0 {
			return nil, missing // the file is not this template: its rows say nothing
		}
		for i, rec := range records[head+1:] {
			if blank(rec) {
				continue
			}
			line := head + i + 2
			r := row{Sheet: name, Line: line, Cells: map[string]string{}}
			for code, at := range index {
				if at < len(rec) {
					v := strings.TrimSpace(rec[at])
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

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

const byteOrderMark = "\ufeff"

func readCSV(raw []byte) ([][]string, *RowError) {
	raw = bytes.TrimPrefix(raw, []byte(byteOrderMark))
	if !utf8.Valid(raw) {
		return nil, &RowError{Key: "onboard.not_utf8"}
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	var records [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return records, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &RowError{Row: pe.Line, Key: "onboard.csv_syntax", Args: []any{pe.Err.Error()}}
			}
			return nil, &RowError{Key: "onboard.csv_syntax", Args: []any{err.Error()}}
		}
		if len(records) > MaxRows+1 {
			return nil, &RowError{Key: "onboard.too_many_rows", Args: []any{MaxRows}}
		}
		records = append(records, rec)
	}
}

// readXLSX reads every sheet of a workbook; the unzipped size is capped (a zip bomb is refused).
func readXLSX(raw []byte) (map[string][][]string, []string, *RowError) {
	f, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: 8 * MaxFileBytes, UnzipXMLSizeLimit: 4 * MaxFileBytes})
	if err != nil {
		return nil, nil, &RowError{Key: "onboard.bad_xlsx"}
	}
	defer f.Close()
	out := map[string][][]string{}
	var order []string
	total := 0
	for _, name := range f.GetSheetList() {
		rows, err := f.Rows(name)
		if err != nil {
			return nil, nil, &RowError{Sheet: name, Key: "onboard.bad_xlsx"}
		}
		var records [][]string
		for rows.Next() {
			rec, err := rows.Columns()
			if err != nil {
				rows.Close()
				return nil, nil, &RowError{Sheet: name, Row: len(records) + 1, Key: "onboard.bad_xlsx"}
			}
			if total++; total > MaxRows+len(order)+1 {
				rows.Close()
				return nil, nil, &RowError{Key: "onboard.too_many_rows", Args: []any{MaxRows}}
			}
			records = append(records, rec)
		}
		rows.Close()
		out[name] = records
		order = append(order, name)
	}
	if len(order) == 0 {
		return nil, nil, &RowError{Key: "onboard.empty_file"}
	}
	return out, order, nil
}
