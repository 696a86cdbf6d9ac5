package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

func TestDecode(t *testing.T) {
	type body struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	cases := []struct {
		contentType, body string
		limit             int64
		code              apperr.Code
		key               string
	}{
		{"application/json", `{"name":"a","count":1}`, 0, "", ""},
		{"", `{"name":"a"}`, 0, "", ""},
		{"application/json; charset=utf-8", `{"name":"a"}`, 0, "", ""},
		{"text/plain", `{"name":"a"}`, 0, apperr.Unsupported, "request.want_json"},
		{"application/json", `{"name":`, 0, apperr.Invalid, "request.bad_json"},
		{"application/json", `{"name":1}`, 0, apperr.Invalid, "request.wrong_type"},
		{"application/json", `{"other":1}`, 0, apperr.Invalid, "request.unknown_field"},
		{"application/json", `{"name":"a"}{"name":"b"}`, 0, apperr.Invalid, "request.trailing_data"},
		{"application/json", ``, 0, apperr.Invalid, "request.empty_body"},
		{"application/json", `{"name":"` + strings.Repeat("x", 100) + `"}`, 50, apperr.TooLarge, "request.too_large"},
		{"application/json", `[1,2]`, 0, apperr.Invalid, "request.wrong_type"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		var b body
		err := Decode(r, &b, tc.limit)
		if tc.code == "" {
			if err != nil || b.Name != "a" {
				t.Errorf("%q: %v", tc.body, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != tc.code || e.Key != tc.key {
			t.Errorf("%q (%s): got %v, want %s/%s", tc.body, tc.contentType, err, tc.code, tc.key)
		}
		if Status(err) < 400 || Status(err) >= 500 {
			t.Errorf("%q: status %d", tc.body, Status(err))
		}
	}
}

func FuzzDecodeNever500(f *testing.F) {
	f.Add(`{"name":"a"}`)
	f.Add(`{"name":[`)
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(s))
		var v struct {
			Name string `json:"name"`
		}
		if err := Decode(r, &v, 1024); err != nil && Status(err) >= 500 {
			t.Fatalf("%q: %v → %d", s, err, Status(err))
		}
	})
}
