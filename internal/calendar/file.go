package calendar

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// The import file is one year as JSON, the shape of Year (data/2026.json is an example):
//
//	{"year": 2026, "source": "…",
//	 "hours": [{"start": "08:30", "end": "12:00"}, {"start": "14:30", "end": "17:30"}],
//	 "summer": {"from": "06-01", "to": "09-30", "hours": […]},   (optional)
//	 "holidays": [{"date": "2026-01-01", "name": "元旦"}, …],
//	 "workdays": [{"date": "2026-01-04", "name": "元旦调休上班"}, …]}
//
// Unknown fields are refused; "origin" is accepted and ignored, so that a year read from the API
// can be edited and sent back.

// MaxFileBytes bounds an import file or a PUT body (a year is about 4 KB).
const MaxFileBytes = 256 << 10

//go:embed data/*.json
var builtinFiles embed.FS

// builtinYears are the official schedules shipped with yiwang, parsed once.
var builtinYears = sync.OnceValue(func() []Year {
	names, err := fs.Glob(builtinFiles, "data/*.json")
	if err != nil {
		panic(err)
	}
	var years []Year
	for _, name := range names {
		raw, err := builtinFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		y, err := ParseFile(bytes.NewReader(raw))
		if err != nil {
			panic(fmt.Sprintf("calendar: embedded %s: %v", name, err)) // a build defect; tested
		}
		years = append(years, y)
	}
	sort.Slice(years, func(i, j int) bool { return years[i].Year < years[j].Year })
	return years
})

// DemoYears returns the years shipped with yiwang (the official 2026 schedule). They are the
// calendar's data for every year that has none stored.
func DemoYears() []Year {
	src := builtinYears()
	out := make([]Year, len(src))
	for i, y := range src {
		out[i] = Normalize(y)
	}
	return out
}

// ParseFile reads one year in the file format and checks it; every problem is reported.
func ParseFile(r io.Reader) (Year, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return Year{}, fmt.Errorf("read calendar file: %w", err)
	}
	if len(raw) > MaxFileBytes {
		return Year{}, apperr.New(apperr.TooLarge, "request.too_large", MaxFileBytes)
	}
	var y Year
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&y); err != nil {
		return Year{}, apperr.Wrap(err, apperr.Invalid, "calendar.bad_file", err.Error())
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return Year{}, apperr.New(apperr.Invalid, "calendar.bad_file", "trailing data after the JSON object")
	}
	if ps := Validate(y); len(ps) > 0 {
		return y, ps.err()
	}
	return Normalize(y), nil
}

// ImportFile reads a year file and stores it (the command `yiwang calendar import FILE`; ctx
// carries the caller, app.System for the command line). Errors come translated into Chinese,
// one detail per problem.
func ImportFile(ctx context.Context, s *Service, r io.Reader) (Year, error) {
	y, err := ParseFile(r)
	if err == nil {
		err = s.PutYear(ctx, y)
	}
	if err != nil {
		return y, Localize(err, catalog(), i18n.ZH)
	}
	return y, nil
}

var catalog = sync.OnceValue(i18n.MustLoad)

// Localize turns a validation error into one whose message lists every problem and whose
// details name each field, in lang. Other errors are returned unchanged.
func Localize(err error, cat *i18n.Catalog, lang string) error {
	var ps Problems
	if !errors.As(err, &ps) {
		return err
	}
	details := make([]apperr.Detail, len(ps))
	messages := make([]string, len(ps))
	for i, p := range ps {
		args := make([]any, len(p.Args))
		for j, a := range p.Args {
			if w, ok := a.(where); ok {
				a = cat.T(lang, "calendar.where."+string(w))
			}
			args[j] = a
		}
		messages[i] = cat.T(lang, p.Key, args...)
		details[i] = apperr.Detail{Field: p.Field, Message: messages[i]}
	}
	sep := "；"
	if lang == i18n.EN {
		sep = "; "
	}
	return apperr.Wrap(ps, apperr.Invalid, "calendar.invalid", len(ps), strings.Join(messages, sep)).WithDetails(details)
}
