package cursor_test

import (
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cursor"
)

func TestRoundTripAndBadText(t *testing.T) {
	type pos struct {
		At time.Time `json:"t"`
		ID string    `json:"i"`
	}
	in := pos{At: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), ID: "x"}
	var out pos
	if err := cursor.Decode(cursor.Encode(in), &out); err != nil || out != in {
		t.Fatalf("%+v %v", out, err)
	}
	for _, bad := range []string{"%%%", "bm90IGpzb24", "\x00"} {
		if err := cursor.Decode(bad, &out); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
