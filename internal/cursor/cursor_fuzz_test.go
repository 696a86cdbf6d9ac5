package cursor

import (
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// FuzzDecode: a cursor comes back from the client and may be anything; whatever it is, Decode
// answers a position or the caller's mistake (400), never a panic (等保 2.0 8.1.4.4 软件容错).
func FuzzDecode(f *testing.F) {
	f.Add(Encode(struct {
		At string `json:"at"`
		ID string `json:"id"`
	}{"2026-11-27T10:00:00Z", "0193"}))
	for _, s := range []string{"", "!!", "e30", "bnVsbA", "W10", "eyJhdCI6MX0", "eyJpZCI6IlwwIn0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var position struct {
			At string `json:"at"`
			ID string `json:"id"`
			N  int64  `json:"n"`
		}
		if err := Decode(s, &position); err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("%q: %v, want an invalid-input error", s, err)
		}
	})
}
