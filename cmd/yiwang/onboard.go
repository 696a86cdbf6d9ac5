package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/onboard"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// importOnboard is "yiwang import org|users FILE [--dry-run]": a filled-in onboarding template
// (xlsx or CSV, as the onboarding page offers them), all or nothing; every problem is printed
// with its sheet, row and column, and the first passwords of created accounts are printed once.
func importOnboard(ctx context.Context, kind string, args []string) error {
	usage := "yiwang import " + kind + " FILE.xlsx|FILE.csv [--dry-run] [--data DIR | --db URL]"
	var dryRun bool
	flags := func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "check the file and report, write nothing")
	}
	return withFile(ctx, "import "+kind, usage, args, flags, func(a *app.App, f *os.File) error {
		return importOnboardFile(ctx, a, kind, f, dryRun)
	})
}

func importOnboardFile(ctx context.Context, a *app.App, kind string, f *os.File, dryRun bool) error {
	raw, err := io.ReadAll(io.LimitReader(f, onboard.MaxFileBytes+1))
	if err != nil {
		return err
	}
	if len(raw) > onboard.MaxFileBytes {
		return fmt.Errorf("%s: larger than %d MiB", f.Name(), onboard.MaxFileBytes>>20)
	}
	rep, err := a.ImportOnboard(ctx, kind, raw, dryRun)
	for _, e := range rep.Errors {
		fmt.Fprintf(os.Stderr, "%s 第 %d 行 %s: %s\n", e.Sheet, e.Row, e.Column, e.Message)
	}
	if err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("dry run: %d problems", len(rep.Errors))
	}
	verb := "imported"
	if dryRun {
		verb = "dry run: would import"
	}
	switch {
	case rep.Users != nil:
		fmt.Fprintf(stdout, "%s %d rows: %d accounts new, %d updated, %d unchanged, %d role grants added\n", verb, rep.Rows,
			rep.Users.Create, rep.Users.Update, rep.Users.Unchanged, rep.Users.Grants)
	default:
		for _, k := range []org.Kind{org.District, org.Subdistrict, org.Community, org.ZoneKind, org.Department} {
			if c := rep.Org[k]; c != nil {
				fmt.Fprintf(stdout, "%s %s: %d new, %d renamed, %d unchanged\n", verb, k, c.Add, c.Update, c.Unchanged)
			}
		}
	}
	for _, p := range rep.Passwords {
		fmt.Fprintf(stdout, "first password of %s: %s\n", p.Username, p.Password)
	}
	return nil
}
