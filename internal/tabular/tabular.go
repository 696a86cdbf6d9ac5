// Package tabular writes a table as a download — CSV or an Excel workbook — row by row, so that a
// million rows stream with flat memory. Every export of yiwang (indicators, case lists, briefings)
// goes through it: one place decides encodings, cell types and file names. It also reads the
// tables people fill in and upload (read.go): the onboarding templates and the gazetteer.
package tabular

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Format is a download format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format name; "" and "json" are not downloads (ok false).
func ParseFormat(s string) (f Format, ok bool, err error) {
	switch s {
	case "", "json":
		return "", false, nil
	case "csv":
		return CSV, true, nil
	case "xlsx":
		return XLSX, true, nil
	}
	return "", false, apperr.New(apperr.Invalid, "export.bad_format", s)
}

// Writer writes rows of cells: string, integers, float64, *float64 (nil: empty), bool, time.Time
// (district time) or nil.
type Writer interface {
	Row(cells ...any) error
	// Close finishes the file (an Excel workbook is written out here).
	Close() error
}

// zone is the district's time zone, in which times are written.
var zone = time.FixedZone("CST", 8*3600)

// Start sets the download's headers on w and returns a writer for its rows. name is the file name
// without its extension.
func Start(w http.ResponseWriter, f Format, name string) (Writer, error) {
	file := name + "." + string(f)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file}))
	w.Header().Set("Cache-Control", "no-store")
	switch f {
	case CSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return NewCSV(w)
	case XLSX:
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		return NewXLSX(w, name)
	}
	return nil, fmt.Errorf("tabular: format %q", f)
}

type csvWriter struct {
	buf *bufio.Writer
	w   *csv.Writer
	rec []string
}

// NewCSV writes CSV to out, beginning with a UTF-8 byte-order mark so that Excel opens Chinese
// text right.
func NewCSV(out io.Writer) (Writer, error) {
	buf := bufio.NewWriterSize(out, 64<<10)
	if _, err := buf.WriteString("\ufeff"); err != nil {
		return nil, err
	}
	return &csvWriter{buf: buf, w: csv.NewWriter(buf)}, nil
}

func (c *csvWriter) Row(cells ...any) error {
	c.rec = c.rec[:0]
	for _, v := range cells {
		c.rec = append(c.rec, text(v))
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.buf.Flush()
}

// text is a cell as CSV writes it. A text cell that a spreadsheet would read as a formula gets a
// leading apostrophe (CSV injection).
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if x != "" && (x[0] == '=' || x[0] == '+' || x[0] == '-' || x[0] == '@' || x[0] == '\t' || x[0] == '\r') {
			return "'" + x
		}
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	case *string:
		if x == nil {
			return ""
		}
		return text(*x)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(zone).Format("2006-01-02 15:04:05")
	case *time.Time:
		if x == nil {
			return ""
		}
		return text(*x)
	}
	return fmt.Sprint(v)
}

type xlsxWriter struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	name   string // the first sheet's name
	sheets int
	row    int
	header []any // the first row, repeated at the top of every further sheet
	vals   []any
}

// maxRows is the rows a sheet holds (Excel's limit, 1 048 576); tests lower it.
var maxRows = excelize.TotalRows

// NewXLSX writes an Excel workbook of one sheet to out (with excelize's streaming writer, which
// keeps rows on disk, not in memory, until Close).
func NewXLSX(out io.Writer, sheet string) (Writer, error) {
	f := excelize.NewFile()
	name := sheetName(sheet)
	if name != "Sheet1" {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	return &xlsxWriter{out: out, f: f, sw: sw, name: name, sheets: 1}, nil
}

// sheetName fits a name to Excel's rules (31 characters, none of []:*?/\).
func sheetName(s string) string {
	var out []rune
	for _, r := range s {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = '_'
		}
		out = append(out, r)
		if len(out) == 31 {
			break
		}
	}
	if len(out) == 0 {
		return "Sheet1"
	}
	return string(out)
}

// Row writes a row; when the sheet is full (maxRows) the table goes on in a new sheet, "name
// (2)" and so on, which begins with the first row written (the header).
func (x *xlsxWriter) Row(cells ...any) error {
	if x.row == maxRows {
		if err := x.nextSheet(); err != nil {
			return err
		}
	}
	x.row++
	x.vals = x.vals[:0]
	for _, v := range cells {
		switch c := v.(type) {
		case *float64:
			if c == nil {
				x.vals = append(x.vals, nil)
			} else {
				x.vals = append(x.vals, *c)
			}
		case *string:
			if c == nil {
				x.vals = append(x.vals, nil)
			} else {
				x.vals = append(x.vals, *c)
			}
		case string:
			if c == "" {
				x.vals = append(x.vals, nil) // a blank cell is left out of the sheet, not written empty
			} else {
				x.vals = append(x.vals, c)
			}
		case time.Time:
			x.vals = append(x.vals, nilIfEmpty(text(c)))
		case *time.Time:
			x.vals = append(x.vals, nilIfEmpty(text(c)))
		default:
			x.vals = append(x.vals, v)
		}
	}
	if x.sheets == 1 && x.row == 1 {
		x.header = slices.Clone(x.vals)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.vals)
}

// nilIfEmpty is s, or nil (no cell at all) for "".
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nextSheet finishes the full sheet and starts the next with the header.
func (x *xlsxWriter) nextSheet() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	x.sheets++
	suffix := fmt.Sprintf(" (%d)", x.sheets)
	base := []rune(x.name)
	base = base[:min(len(base), 31-len(suffix))]
	name := string(base) + suffix
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	x.sw, x.row = sw, 0
	if x.header == nil {
		return nil
	}
	x.row++
	return x.sw.SetRow("A1", x.header)
}

// Close writes the workbook out. excelize's WriteTo builds the whole zip file in a memory
// buffer first (the file of a million rows is over 100 MB, twice that while the buffer grows);
// with the zip writer pointed at out instead, the archive streams from the sheets' temporary files
// to the client and the buffer stays empty. (WriteTo patches that buffer only for a part over
// 4 GiB, which a sheet of Excel's 1 048 576 rows does not reach; archive/zip writes the zip64
// records such a part needs itself.)
func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	// The parts are deflated at flate.BestSpeed: the sheet's XML is compressed here, after the
	// last row, on one core while the client waits, and at the default level that took 5 s of a
	// million-row export's 20 (at BestSpeed the file is about a fifth bigger; with blank cells
	// left out, 131 MB against 124 for a million cases).
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(x.out)
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		return zw
	})
	_, err := x.f.WriteTo(io.Discard)
	return err
}
