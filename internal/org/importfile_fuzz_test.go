package org

import (
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// FuzzParseFile: an organisation file is uploaded by an administrator and may be anything;
// ParseFile answers a file or a list of problems (400), never a panic (等保 2.0 8.1.4.4).
func FuzzParseFile(f *testing.F) {
	f.Add(`{"district":{"code":"350503","name":"丰泽区"},"subdistricts":[{"code":"350503001","name":"东海街道"}]}`)
	for _, s := range []string{"", "{", "[]", "null", `{"district":null}`, `{"zones":[{"code":"\u0000"}]}`,
		`{"departments":[{"code":"","level":"x","org_code":"1"}]}`, `{"communities":[{}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseFile(strings.NewReader(s)); err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("%q: %v, want an invalid-input error", s, err)
		}
	})
}
