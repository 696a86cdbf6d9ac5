package calendar

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

func TestParseFile(t *testing.T) {
	raw, err := os.ReadFile("data/2026.json")
	if err != nil {
		t.Fatal(err)
	}
	y, err := ParseFile(bytes.NewReader(raw))
	if err != nil || y.Year != 2026 || y.Source == "" {
		t.Fatalf("2026.json: %v %+v", err, y)
	}
	// What the API answers (with "origin") parses back to the same year.
	y.Origin = "builtin"
	again, _ := json.Marshal(y)
	y2, err := ParseFile(bytes.NewReader(again))
	if err != nil || y2.Origin != "" || len(y2.Holidays) != 33 {
		t.Errorf("round trip: %v %+v", err, y2)
	}
	cases := map[string]string{
		``:                              "calendar.bad_file",
		`[]`:                            "calendar.bad_file",
		`{"year": 2026, "x": 1}`:        "calendar.bad_file",
		`{"year": "2026"}`:              "calendar.bad_file",
		`{"year": 2026} {}`:             "calendar.bad_file",
		`{"year": 2026, "hours": [{}]}`: "calendar.invalid",
		`{"year": 2026, "holidays": [{"date": "2026-02-29"}]}`:                                "calendar.invalid",
		`{"year": 2026, "holidays": [{"date": "` + strings.Repeat("9", MaxFileBytes) + `"}]}`: "request.too_large",
	}
	for in, key := range cases {
		_, err := ParseFile(strings.NewReader(in))
		if e, ok := apperr.As(err); !ok || e.Key != key || httpx.Status(err) >= 500 {
			t.Errorf("%.60q: %v, want %s", in, err, key)
		}
	}
	// No holidays, default hours: a valid year.
	if y, err := ParseFile(strings.NewReader(`{"year": 2030}`)); err != nil || len(y.Hours) != 2 || y.Holidays == nil {
		t.Errorf("minimal file: %v %+v", err, y)
	}
}

// Every problem key has a text in both languages, with as many verbs as the arguments given.
func TestProblemMessages(t *testing.T) {
	cat := i18n.MustLoad()
	bad := Year{Year: 2026, Source: strings.Repeat("x", 501),
		Holidays: []Day{{Date: "x"}, {Date: "2025-01-01"}, {Date: "2026-10-01", Name: strings.Repeat("名", 65)}, {Date: "2026-10-01"}},
		Workdays: []Day{{Date: "2026-10-01"}, {Date: "2026-10-08"}},
		Hours:    []Period{{"x", "y"}, {"10:00", "09:00"}, {"08:00", "20:00"}, {"07:00", "08:00"}},
		Summer:   &Summer{From: "13-01", To: "00-00"}}
	ps := Validate(bad)
	keys := map[string]bool{}
	for _, p := range ps {
		keys[p.Key] = true
	}
	many := Year{Year: 2026, Hours: make([]Period, 13)}
	for _, p := range append(ps, Validate(many)...) {
		keys[p.Key] = true
	}
	if len(keys) < 13 {
		t.Errorf("only %d problem kinds exercised: %v", len(keys), keys)
	}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		err := Localize(ps.err(), cat, lang)
		e, _ := apperr.As(err)
		for _, d := range e.Details {
			if strings.Contains(d.Message, "%!") || strings.Contains(d.Message, "calendar.") {
				t.Errorf("%s: badly formatted %s: %q", lang, d.Field, d.Message)
			}
		}
		if msg := cat.T(lang, e.Key, e.Args...); strings.Contains(msg, "%!") {
			t.Errorf("%s: %q", lang, msg)
		}
	}
	for _, key := range []string{"calendar.bad_year", "calendar.year_mismatch", "calendar.district_only", "calendar.bad_unit",
		"calendar.bad_limit", "calendar.start_outside_year", "calendar.bad_file", "calendar.duplicate_year"} {
		if !cat.Has(i18n.ZH, key) || !cat.Has(i18n.EN, key) {
			t.Errorf("%s missing", key)
		}
	}
	// Other errors pass through unchanged.
	plain := apperr.New(apperr.Forbidden, "auth.forbidden")
	if Localize(plain, cat, i18n.ZH) != error(plain) {
		t.Error("Localize changed an unrelated error")
	}
}

func FuzzParseFile(f *testing.F) {
	raw, err := os.ReadFile("data/2026.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(raw))
	f.Add(`{"year": 2026, "summer": {"from": "06-01", "to": "09-30", "hours": [{"start": "08:00", "end": "12:00"}]}}`)
	f.Add(`{"year": 2026, "hours": [{"start": "24:00", "end": "24:00"}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		y, err := ParseFile(strings.NewReader(in))
		if err != nil {
			if httpx.Status(err) >= 500 || httpx.Status(err) == 0 {
				t.Fatalf("%q: %v → %d", in, err, httpx.Status(err))
			}
			return
		}
		// Whatever parses builds a calendar.
		if _, err := New(y); err != nil {
			t.Fatalf("%q parsed but New refused it: %v", in, err)
		}
	})
}
