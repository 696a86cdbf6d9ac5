package cases

import (
	"net/url"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// FuzzFilterFrom: the queue's filters come from the query string; whatever it holds, FilterFrom
// answers a filter within its limits or the caller's mistake (400), never a panic.
func FuzzFilterFrom(f *testing.F) {
	for _, s := range []string{"", "status=reported,handling&limit=50&overdue=true", "limit=0", "limit=-1",
		"limit=99999999999999999999", "mine=maybe", "q=" + url.QueryEscape("井盖"), "status=,,,", "cursor=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		q, _ := url.ParseQuery(query)
		filter, err := FilterFrom(q)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("%q: %v, want an invalid-input error", query, err)
			}
			return
		}
		if filter.Limit < 0 || filter.Limit > 200 || len([]rune(filter.Keyword)) > 100 {
			t.Fatalf("%q: filter out of bounds: %+v", query, filter)
		}
	})
}
