package directory

import (
	"testing"
)

// The import parser takes any bytes without panicking, and every row it returns or refuses is
// numbered within the file.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte("name,category,unit_code\n社保卡补办,social_insurance,350503001\n"))
	f.Add([]byte("名称,类别,所属单位,可网上办,地点\n老年卡,elderly,350503,是,P-1、P-2\n"))
	f.Add([]byte(`{"services":[{"name":"x","places":["a"]}]}`))
	f.Add([]byte(`[{"name":1}]`))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		rows, problems := parseFile(raw)
		for _, r := range rows {
			if r.row < 1 {
				t.Fatalf("row numbered %d", r.row)
			}
		}
		for _, p := range problems {
			if p.Row < 0 || p.Message == "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}

// Lists in a cell split on 、 ; ； and new lines, blanks dropped; yes/no cells read both languages.
func TestCells(t *testing.T) {
	got := split(" 身份证、 户口簿;照片；\n\n 申请表 ")
	want := []string{"身份证", "户口簿", "照片", "申请表"}
	if len(got) != len(want) {
		t.Fatalf("split: %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("split[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	for cell, want := range map[string]bool{"是": true, "否": false, "": false, "TRUE": true, "yes": true, "0": false} {
		if got, err := yes(cell); err != nil || got != want {
			t.Errorf("yes(%q) = %v %v", cell, got, err)
		}
	}
	if _, err := yes("也许"); err == nil {
		t.Error("yes(也许) read as a yes or no")
	}
}
