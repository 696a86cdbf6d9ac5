package apikey

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteTable prints keys as the CLI lists them (`yiwang apikey list`): never a secret, which is
// not stored.
func WriteTable(w io.Writer, keys []Key) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tRATE/MIN\tCREATED\tBY")
	for _, k := range keys {
		status := "active"
		if !k.Active() {
			status = "revoked " + k.RevokedAt.Format(time.RFC3339)
		}
		rate := "default"
		if k.RatePerMinute > 0 {
			rate = fmt.Sprint(k.RatePerMinute)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Name, status, rate, k.CreatedAt.Format(time.RFC3339), k.CreatedBy)
	}
	return tw.Flush()
}
