package httpx

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// TestDecodeRefusesText: a NUL spelled as a JSON escape, other control characters and bytes that
// are not UTF-8 are refused with a 400 that names the problem; tabs and line breaks in text stay.
func TestDecodeRefusesText(t *testing.T) {
	cases := []struct{ body, key string }{
		{`{"name":"a\u0000b"}`, "request.nul"},
		{`{"name":"\u0000"}`, "request.nul"},
		{`{"name":"a\u001bb"}`, "request.control_char"},
		{`{"name":"a\u007Fb"}`, "request.control_char"},
		{`{"name":"a\u0007"}`, "request.control_char"},
		{"{\"name\":\"a\xffb\"}", "request.bad_utf8"},
		{"{\"name\":\"\xc3\"}", "request.bad_utf8"},
		{"{\"name\":\"\xed\xa0\x80\"}", "request.bad_utf8"}, // an encoded surrogate
		{`{"name":"a\tb\nc\r\u0009\u000a\u000D"}`, ""},
		{`{"name":"a\\u0000b"}`, ""}, // an escaped backslash, then the letters u0000
		{`{"name":"井盖\u4e95"}`, ""},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		var v struct {
			Name string `json:"name"`
		}
		err := Decode(r, &v, 0)
		if tc.key == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.body, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Key != tc.key || Status(err) != http.StatusBadRequest {
			t.Errorf("%q: got %v (status %d), want %s → 400", tc.body, err, Status(err), tc.key)
		}
	}
}

// sqlStateError stands in for the driver's error (pgconn.PgError has the same method).
type sqlStateError string

func (e sqlStateError) Error() string    { return "ERROR: data (SQLSTATE " + string(e) + ")" }
func (e sqlStateError) SQLState() string { return string(e) }

// TestDataExceptionIsBadInput: the safety net. A value PostgreSQL refuses as data (class 22:
// 22021 invalid byte sequence for encoding "UTF8", 22P02 invalid input syntax) is a 400, whatever
// wraps it; other database failures stay 500.
func TestDataExceptionIsBadInput(t *testing.T) {
	rs := &Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("list cases: %w", sqlStateError("22021")), 400},
		{fmt.Errorf("read user: %w", sqlStateError("22P02")), 400},
		{apperr.Wrap(sqlStateError("22003"), apperr.Internal, "error.internal"), 400},
		{fmt.Errorf("x: %w", sqlStateError("40001")), 500},
		{errors.New("disk full"), 500},
		{apperr.New(apperr.NotFound, "error.not_found"), 404},
	} {
		w := httptest.NewRecorder()
		rs.Error(w, httptest.NewRequest("GET", "/", nil), tc.err)
		if w.Code != tc.want {
			t.Errorf("%v: status %d, want %d", tc.err, w.Code, tc.want)
		}
		if tc.want == 400 && !strings.Contains(w.Body.String(), "request.bad_value") {
			t.Errorf("%v: body %s", tc.err, w.Body)
		}
	}
}

// TestCheckInput: the middleware refuses bad text in the path, the query and a form body before
// any handler runs, and lets good requests (and their form body) through untouched.
func TestCheckInput(t *testing.T) {
	rs := &Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := CheckInput(rs, []string{"/open311/"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		fmt.Fprintf(w, "ok %s", r.Form.Get("note"))
	}))
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		method, target, contentType, body string
		want                              int
		key                               string
	}{
		{"GET", "/api/v1/cases?q=%E4%BA%95", "", "", 200, ""},
		{"GET", "/api/v1/cases/a%00b", "", "", 400, "request.nul"},
		{"GET", "/api/v1/cases/%FF", "", "", 400, "request.bad_utf8"},
		{"GET", "/api/v1/cases/a%09b", "", "", 400, "request.control_char"},
		{"GET", "/api/v1/cases?q=a%00", "", "", 400, "request.nul"},
		{"GET", "/api/v1/cases?q=%C3", "", "", 400, "request.bad_utf8"},
		{"GET", "/api/v1/cases?q%00=1", "", "", 400, "request.nul"},
		{"GET", "/api/v1/cases?q=%zz", "", "", 400, "request.bad_query"},
		{"GET", "/api/v1/cases?status=a;b", "", "", 200, ""},
		{"GET", "/api/v1/cases?q=a%0Ab", "", "", 200, ""},
		{"POST", "/login", form, "note=a%00b", 400, "request.nul"},
		{"POST", "/login", form, "note=%FF", 400, "request.bad_utf8"},
		{"POST", "/login", form, "note=" + strings.Repeat("x", MaxFormBody), 413, "request.too_large"},
		{"POST", "/login", form, "note=hello+world", 200, "ok hello world"},
		{"POST", "/login", "application/json", `{"note":"a\u0000"}`, 200, ""}, // Decode's job
		{"GET", "/open311/v2/requests.json?q=%00", "", "", 200, ""},           // the handler's job
		{"GET", "/open311/a%00", "", "", 400, "request.nul"},
	}
	for _, tc := range cases {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		r := httptest.NewRequest(tc.method, tc.target, body)
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want || !strings.Contains(w.Body.String(), tc.key) {
			t.Errorf("%s %s %.40q: %d %s, want %d %s", tc.method, tc.target, tc.body, w.Code, w.Body, tc.want, tc.key)
		}
	}
}

// FuzzDecodeText: whatever the body, Decode either refuses it with a 4xx or yields only UTF-8
// text without control characters other than tab and line breaks.
func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"name":"a\u0000"}`, `{"name":"\ud800"}`, `{"tags":["\u001f"]}`,
		`{"name":"\\u0000"}`, "{\"name\":\"\xff\"}", "{\"name\":\"\x7f\"}", `{"name":"\b\f"}`, `{"name":"\u00`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(s))
		var v struct {
			Name string   `json:"name"`
			Tags []string `json:"tags"`
		}
		if err := Decode(r, &v, 4096); err != nil {
			if st := Status(err); st < 400 || st >= 500 {
				t.Fatalf("%q: %v → %d", s, err, st)
			}
			return
		}
		for _, text := range append(v.Tags, v.Name) {
			if !utf8.ValidString(text) || badText(text, inMultiline) != "" {
				t.Fatalf("%q decoded to bad text %q", s, text)
			}
		}
	})
}

// FuzzCheckValues: any query string is either refused with a 4xx or all its names and values
// are text.
func FuzzCheckValues(f *testing.F) {
	for _, s := range []string{"q=a", "q=%00", "a=%zz&b", "%FF=1", "x=1;y=2", "q=a%0Ab%09"} {
		f.Add(s)
	}
	rs := &Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.Fuzz(func(t *testing.T, query string) {
		h := CheckInput(rs, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for name, vs := range r.URL.Query() {
				for _, v := range append(vs, name) {
					if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
						t.Fatalf("query %q reached the handler with %q", r.URL.RawQuery, v)
					}
				}
			}
		}))
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = query
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%q: %d", query, w.Code)
		}
	})
}
