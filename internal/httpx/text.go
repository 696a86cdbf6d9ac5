package httpx

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Text that is not text is refused at the edge, once, for every endpoint: invalid UTF-8, NUL and
// the other C0 control characters (and DEL). PostgreSQL cannot store NUL in text at all and SQLite
// would store it silently, so without this check the same request was a 500 on one engine and
// stored rubbish on the other. 等保 2.0 (GB/T 22239-2019 8.1.4.4 软件容错): the software validates
// the format and length of what comes in through its interfaces.

// Where text comes from decides which controls it may carry: a case's description or a comment
// may hold tabs and line breaks; a path, a query parameter or a form field name may not.
const (
	inLine      = iota // no control character at all
	inMultiline        // tab, line feed and carriage return allowed
)

// badText returns the key of the problem with s, or "" when s is acceptable text.
func badText(s string, where int) string {
	if !utf8.ValidString(s) {
		return "request.bad_utf8"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != 0x7f {
			continue
		}
		if where == inMultiline && (c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		if c == 0 {
			return "request.nul"
		}
		return "request.control_char"
	}
	return ""
}

// CheckText refuses s (named name in the message) when it is not valid UTF-8 or carries control
// characters other than tab and line breaks.
func CheckText(name, s string) error {
	if key := badText(s, inMultiline); key != "" {
		return apperr.New(apperr.Invalid, key, name)
	}
	return nil
}

// CheckValues is CheckText for every name and value of a query string or form. Names may hold
// no control character; values may hold tabs and line breaks (a form's textarea).
func CheckValues(values url.Values) error {
	for name, vs := range values {
		if key := badText(name, inLine); key != "" {
			return apperr.New(apperr.Invalid, key, printable(name))
		}
		for _, v := range vs {
			if err := CheckText(printable(name), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkJSONText refuses a JSON body that is not UTF-8 (encoding/json would quietly turn bad bytes
// into U+FFFD) or that spells a control character other than tab or line breaks as an escape
// (\u0000). Raw control bytes below 0x20 inside strings are already a JSON syntax error; raw DEL
// (0x7f) is valid JSON, so it is refused here.
func checkJSONText(b []byte) error {
	if !utf8.Valid(b) {
		return apperr.New(apperr.Invalid, "request.bad_utf8", "body")
	}
	for i := 0; i < len(b); i++ {
		if b[i] == 0x7f {
			return apperr.New(apperr.Invalid, "request.control_char", "body")
		}
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		// The escaped character, never itself the start of an escape; backspace and form feed
		// spelled short are control characters too.
		i++
		if b[i] == 'b' || b[i] == 'f' {
			return apperr.New(apperr.Invalid, "request.control_char", "body")
		}
		if b[i] != 'u' || i+4 >= len(b) {
			continue
		}
		r := 0
		for _, c := range b[i+1 : i+5] {
			r = r<<4 | hexValue(c)
		}
		switch {
		case r == 0:
			return apperr.New(apperr.Invalid, "request.nul", "body")
		case r > 0 && (r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f):
			return apperr.New(apperr.Invalid, "request.control_char", "body")
		}
	}
	return nil
}

// hexValue is the value of a hexadecimal digit; anything else makes the escape negative (not
// a control character; the JSON decoder reports the syntax error).
func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1 << 20
}

// printable shortens a name for a message and drops what cannot be shown.
func printable(s string) string {
	var b []byte
	for _, r := range s {
		if len(b) >= 40 {
			break
		}
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			r = '?'
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// MaxFormBody is the most of a form-encoded body CheckInput reads to check it; a handler may
// allow less. Larger form bodies are refused as too large.
const MaxFormBody = 1 << 20

// CheckInput refuses, with a 400 in the caller's language, a request whose path, query string or
// form-encoded body is not text (see badText). Handlers thus never see NUL or broken UTF-8 in a
// path value, a filter or a form field. JSON bodies are checked by Decode; multipart bodies by
// the handler that reads them (their files are bytes, not text). Paths under skip (Open311,
// whose answers have a format of their own) have their query and form checked by their handler.
func CheckInput(rs *Responder, skip []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key := badText(r.URL.Path, inLine); key != "" {
			rs.Error(w, r, apperr.New(apperr.Invalid, key, "path"))
			return
		}
		for _, prefix := range skip {
			if len(r.URL.Path) >= len(prefix) && r.URL.Path[:len(prefix)] == prefix {
				next.ServeHTTP(w, r)
				return
			}
		}
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil && !strings.Contains(err.Error(), "semicolon") { // ";" is dropped, as by r.URL.Query
			rs.Error(w, r, apperr.New(apperr.Invalid, "request.bad_query"))
			return
		}
		if err := CheckValues(query); err != nil {
			rs.Error(w, r, err)
			return
		}
		if err := checkForm(w, r); err != nil {
			rs.Error(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkForm checks a form-encoded body and puts it back for the handler.
func checkForm(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxFormBody))
	r.Body.Close()
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return apperr.New(apperr.TooLarge, "request.too_large", maxErr.Limit)
	}
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "request.bad_query")
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return apperr.New(apperr.Invalid, "request.bad_query")
	}
	return CheckValues(form)
}
