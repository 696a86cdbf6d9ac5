package org

import (
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

func TestParseFileNamesEveryProblem(t *testing.T) {
	good := `{"district":{"code":"350503","name":"区"},
	 "subdistricts":[{"code":"350503001","name":"甲街道"}],
	 "communities":[{"code":"350503001001","name":"乙社区","subdistrict_code":"350503001"}],
	 "zones":[{"code":"350503001Z01","name":"片区","subdistrict_code":"350503001"}],
	 "departments":[{"code":"350503D01","name":"城管","org_code":"350503"}]}`
	if _, err := ParseFile(strings.NewReader(good)); err != nil {
		t.Fatalf("good file: %v", err)
	}
	bad := `{"district":{"code":"350503","name":"区"},
	 "subdistricts":[{"code":"350504001","name":""}],
	 "communities":[{"code":"350503001001","name":"乙","subdistrict_code":"350503009"},{"code":"35050400101","name":"丙","subdistrict_code":"350504001"}],
	 "zones":[{"code":"z","name":"片区","subdistrict_code":"350503001"}],
	 "departments":[{"code":"350503D01","name":"城管","org_code":"999"}]}`
	_, err := ParseFile(strings.NewReader(bad))
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid || len(e.Details) < 6 {
		t.Fatalf("bad file: %v", err)
	}
	var keys []string
	for _, d := range e.Details {
		keys = append(keys, d.Field+" "+d.Message)
	}
	got := strings.Join(keys, "\n")
	for _, want := range []string{"subdistrict[0].code org.import.code_prefix", "subdistrict[0].name org.import.name_empty",
		"community[0].subdistrict_code org.import.unknown_parent", "community[1].code org.import.code_length",
		"zone[0].code org.import.other_code", "department[0].org_code org.import.unit_parent"} {
		if !strings.Contains(got, want) {
			t.Errorf("no problem %q in:\n%s", want, got)
		}
	}
	if _, err := ParseFile(strings.NewReader(`{"district":`)); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("broken JSON: %v", err)
	}
}

func TestAncestorCodes(t *testing.T) {
	got := ancestorCodes([]string{"/350503/350503001/350503001001/", "/350503/"})
	if strings.Join(got, ",") != "350503,350503001" {
		t.Fatalf("%v", got)
	}
}
