package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Reading a table a person filled in (an import: the onboarding templates, the gazetteer): CSV
// in UTF-8 (a byte-order mark allowed) or an xlsx workbook, with limits on rows and on the
// unzipped size of a workbook (a decompression bomb is refused, not expanded). What is wrong with
// the file as a whole is a *ReadError whose Key each importer words in its own catalogue.

// Keys of a ReadError.
const (
	NotUTF8     = "not_utf8"      // a CSV file not in UTF-8
	CSVSyntax   = "csv_syntax"    // Args: the parser's message
	TooManyRows = "too_many_rows" // Args: the limit
	BadXLSX     = "bad_xlsx"      // not a workbook, or one larger than the limit once unzipped
	EmptyFile   = "empty_file"    // a workbook without sheets
)

// ReadError is what is wrong with a file as a whole; Line (1-based) and Sheet say where, when known.
type ReadError struct {
	Sheet string
	Line  int
	Key   string
	Args  []any
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("sheet %q line %d: %s %v", e.Sheet, e.Line, e.Key, e.Args)
}

// Record is one row read: its cells and its 1-based line (CSV) or row number (xlsx).
type Record struct {
	Line  int
	Cells []string
}

// Sheet is the records of one sheet; a CSV file is one sheet without a name.
type Sheet struct {
	Name    string
	Records []Record
}

// Limits bound what is read: rows over every sheet, and a workbook's unzipped size in bytes.
type Limits struct {
	MaxRows  int
	MaxUnzip int64
}

const byteOrderMark = "\ufeff"

// IsXLSX reports whether raw is a zip archive (an xlsx workbook) rather than text.
func IsXLSX(raw []byte) bool { return bytes.HasPrefix(raw, []byte("PK\x03\x04")) }

// Read reads raw as a workbook (every sheet, in order) or as one CSV sheet.
func Read(raw []byte, l Limits) ([]Sheet, *ReadError) {
	if IsXLSX(raw) {
		return ReadXLSX(raw, l)
	}
	s, err := ReadCSV(raw, l.MaxRows)
	if err != nil {
		return nil, err
	}
	return []Sheet{s}, nil
}

// ReadCSV reads every record with the line it starts on.
func ReadCSV(raw []byte, maxRows int) (Sheet, *ReadError) {
	raw = bytes.TrimPrefix(raw, []byte(byteOrderMark))
	if !utf8.Valid(raw) {
		return Sheet{}, &ReadError{Key: NotUTF8}
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	var s Sheet
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Sheet{}, &ReadError{Line: pe.Line, Key: CSVSyntax, Args: []any{pe.Err.Error()}}
			}
			return Sheet{}, &ReadError{Key: CSVSyntax, Args: []any{err.Error()}}
		}
		if len(s.Records) > maxRows {
			return Sheet{}, &ReadError{Key: TooManyRows, Args: []any{maxRows}}
		}
		line, _ := cr.FieldPos(0)
		s.Records = append(s.Records, Record{Line: line, Cells: rec})
	}
}

// ReadXLSX reads every sheet of a workbook, streaming its rows; the unzipped size is capped.
func ReadXLSX(raw []byte, l Limits) ([]Sheet, *ReadError) {
	f, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: l.MaxUnzip, UnzipXMLSizeLimit: l.MaxUnzip / 2})
	if err != nil {
		return nil, &ReadError{Key: BadXLSX}
	}
	defer f.Close()
	var out []Sheet
	total := 0
	for _, name := range f.GetSheetList() {
		rows, err := f.Rows(name)
		if err != nil {
			return nil, &ReadError{Sheet: name, Key: BadXLSX}
		}
		s := Sheet{Name: name}
		for n := 1; rows.Next(); n++ {
			rec, err := rows.Columns()
			if err != nil {
				rows.Close()
				return nil, &ReadError{Sheet: name, Line: n, Key: BadXLSX}
			}
			// Every sheet may have its header row beyond the limit.
			if total++; total > l.MaxRows+len(out)+1 {
				rows.Close()
				return nil, &ReadError{Key: TooManyRows, Args: []any{l.MaxRows}}
			}
			s.Records = append(s.Records, Record{Line: n, Cells: rec})
		}
		rows.Close()
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, &ReadError{Key: EmptyFile}
	}
	return out, nil
}

// Blank reports whether every cell of a row is empty or spaces.
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
