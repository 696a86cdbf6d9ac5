package tabular

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     Format
		download bool
		bad      bool
	}{{"", "", false, false}, {"json", "", false, false}, {"csv", CSV, true, false}, {"xlsx", XLSX, true, false},
		{"pdf", "", false, true}, {"CSV", "", false, true}} {
		f, download, err := ParseFormat(tc.in)
		if f != tc.want || download != tc.download || (err != nil) != tc.bad {
			t.Errorf("ParseFormat(%q) = %q, %v, %v", tc.in, f, download, err)
		}
	}
}

// TestCSVCells writes every kind of cell and reads the file back: a byte-order mark first (Excel
// reads UTF-8 by it), times in the district's time zone, and text a spreadsheet would take for a
// formula prefixed with an apostrophe (OWASP "CSV injection": = + - @ tab CR).
func TestCSVCells(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	half := 0.5
	var none *float64
	at := time.Date(2026, 3, 10, 16, 30, 0, 0, time.UTC)
	var noTime *time.Time
	text := "=cmd|' /C calc'!A0"
	rows := [][]any{
		{"名称", "数量"},
		{"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a=b", "", "普通文字, 含逗号"},
		{nil, 7, int64(-3), 2.25, &half, none, true, at, noTime, &at, &text},
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	body, ok := bytes.CutPrefix(buf.Bytes(), []byte("\ufeff"))
	if !ok {
		t.Fatal("no byte-order mark")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"名称", "数量"},
		{"'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "a=b", "", "普通文字, 含逗号"},
		{"", "7", "-3", "2.25", "0.5", "", "true", "2026-03-11 00:30:00", "", "2026-03-11 00:30:00", "'=cmd|' /C calc'!A0"},
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// TestXLSXCells: the workbook opens with excelize, numbers are numbers, and formula-like text is
// text, never a formula (the stream writer writes strings as strings).
func TestXLSXCells(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewXLSX(&buf, "案件/导出:2026")
	if err != nil {
		t.Fatal(err)
	}
	half := 0.5
	at := time.Date(2026, 3, 10, 16, 30, 0, 0, time.UTC)
	for _, r := range [][]any{{"编号", "公式", "数", "比例", "时间", "空"}, {"N1", "=1+1", 7, &half, at, (*float64)(nil)}} {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if !slices.Equal(sheets, []string{"案件_导出_2026"}) {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"N1", "=1+1", "7", "0.5", "2026-03-11 00:30:00"}; !slices.Equal(rows[1], want) {
		t.Fatalf("row 2: %q, want %q", rows[1], want)
	}
	if formula, _ := f.GetCellFormula(sheets[0], "B2"); formula != "" {
		t.Fatalf("B2 became the formula %q", formula)
	}
	if typ, _ := f.GetCellType(sheets[0], "C2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("C2 is of type %v, want a number", typ)
	}
}

// TestXLSXOverflowsToNextSheet: a table longer than a sheet holds goes on in further sheets,
// each beginning with the header, instead of failing at Excel's row limit.
func TestXLSXOverflowsToNextSheet(t *testing.T) {
	defer func(n int) { maxRows = n }(maxRows)
	maxRows = 3
	var buf bytes.Buffer
	w, err := NewXLSX(&buf, "一个很长很长很长很长很长很长很长很长很长很长很长的工作表名称")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		row := []any{"编号"}
		if i > 0 {
			row = []any{i}
		}
		if err := w.Row(row...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 3 || len([]rune(sheets[2])) > 31 || sheets[2][len(sheets[2])-4:] != " (3)" {
		t.Fatalf("sheets %q", sheets)
	}
	var got []string
	for _, s := range sheets {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			got = append(got, r[0])
		}
	}
	if want := []string{"编号", "1", "2", "编号", "3", "4", "编号", "5"}; !slices.Equal(got, want) {
		t.Fatalf("cells %q, want %q", got, want)
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "Sheet1",
		"cases":                              "cases",
		"a[b]c:d*e?f/g\\h":                   "a_b_c_d_e_f_g_h",
		"0123456789012345678901234567890123": "0123456789012345678901234567890",
	} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStartHeaders: a download says what it is and is named, Chinese names included (RFC 6266
// with RFC 2231 encoding), and is not cached.
func TestStartHeaders(t *testing.T) {
	rec := httptest.NewRecorder()
	w, err := Start(rec, CSV, "案件-20260310")
	if err != nil {
		t.Fatal(err)
	}
	w.Row("a")
	w.Close()
	_, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	if err != nil || params["filename"] != "案件-20260310.csv" {
		t.Fatalf("Content-Disposition %q: %v", rec.Header().Get("Content-Disposition"), err)
	}
	if rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("headers %v", rec.Header())
	}
	if _, err := Start(httptest.NewRecorder(), "pdf", "x"); err == nil {
		t.Fatal("Start took a pdf")
	}
}

// largestWrite records the biggest single Write it receives.
type largestWrite struct{ total, largest int }

func (l *largestWrite) Write(p []byte) (int, error) {
	l.total += len(p)
	l.largest = max(l.largest, len(p))
	return len(p), nil
}

// TestXLSXStreamsOut: the workbook reaches the client in pieces as it is zipped, never built
// whole in memory first (excelize's own WriteTo hands over one buffer of the whole file).
func TestXLSXStreamsOut(t *testing.T) {
	var out largestWrite
	w, err := NewXLSX(&out, "cases")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20000 {
		if err := w.Row(i, "东梅社区菜市场旁暴露垃圾，影响居民出行", time.Unix(int64(i)*977, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.total < 200<<10 || out.largest > out.total/4 {
		t.Fatalf("%d bytes, the largest write %d: the file was not streamed", out.total, out.largest)
	}
}
