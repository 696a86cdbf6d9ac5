// Package cursor turns the position of the last row of a page into the opaque text a list answer
// gives as its next cursor, and back: keyset paging, the same for every list of the API.
package cursor

import (
	"encoding/base64"
	"encoding/json"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Encode returns the cursor text of position v (a small struct of the sort keys).
func Encode(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor text into v; a text that is not one is the caller's mistake (400).
func Decode(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return apperr.New(apperr.Invalid, "request.bad_param", "cursor", "?")
	}
	return nil
}
