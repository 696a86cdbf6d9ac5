package tabular

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReadCSV(t *testing.T) {
	s, err := ReadCSV([]byte("\ufeffa,b\n\"x\ny\",2\n3,4\n"), 10)
	if err != nil || len(s.Records) != 3 || s.Records[0].Cells[0] != "a" || s.Records[2].Line != 4 {
		t.Fatalf("%+v %v", s, err)
	}
	for _, tc := range []struct {
		raw, key string
		max      int
	}{
		{"a,b\n\xff\xfe\n", NotUTF8, 10},
		{"a,\"b\n", CSVSyntax, 10},
		{"a\n1\n2\n3\n", TooManyRows, 2},
	} {
		if _, err := ReadCSV([]byte(tc.raw), tc.max); err == nil || err.Key != tc.key {
			t.Errorf("%q: %v, want %s", tc.raw, err, tc.key)
		}
	}
}

func workbook(t *testing.T, sheets map[string][][]string, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			f.SetSheetRow(name, cell, &cells)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	raw := workbook(t, map[string][][]string{"机构": {{"code", "name"}, {"350503", "丰泽区"}, {"350503001", "东海街道"}, {"350503002", "城东街道"}}, "说明": {{"填写说明"}}}, "机构", "说明")
	sheets, err := Read(raw, Limits{MaxRows: 10, MaxUnzip: 1 << 20})
	if err != nil || len(sheets) != 2 || sheets[0].Name != "机构" || sheets[0].Records[1].Cells[1] != "丰泽区" || sheets[0].Records[1].Line != 2 {
		t.Fatalf("%+v %v", sheets, err)
	}
	if _, err := Read(raw, Limits{MaxRows: 2, MaxUnzip: 1 << 20}); err == nil || err.Key != TooManyRows {
		t.Errorf("row limit: %v", err)
	}
	// Larger than the limit once unzipped: refused, never expanded.
	if _, err := Read(raw, Limits{MaxRows: 10, MaxUnzip: 64}); err == nil || err.Key != BadXLSX {
		t.Errorf("unzip limit: %v", err)
	}
	if _, err := Read(append([]byte("PK\x03\x04"), strings.Repeat("\xff", 100)...), Limits{MaxRows: 10, MaxUnzip: 1 << 20}); err == nil || err.Key != BadXLSX {
		t.Errorf("broken zip: %v", err)
	}
	if !Blank([]string{" ", ""}) || Blank([]string{"", "x"}) {
		t.Error("Blank")
	}
}

// FuzzRead: any bytes are a table or a ReadError, never a panic.
func FuzzRead(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\ufeff\"unterminated\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sheets, err := Read(raw, Limits{MaxRows: 100, MaxUnzip: 1 << 20})
		if err == nil && len(sheets) == 0 {
			t.Fatal("no sheet and no error")
		}
		if err != nil && err.Key == "" {
			t.Fatal("an error without a key")
		}
	})
}
