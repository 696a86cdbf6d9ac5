package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/yiwang-gov/yiwang/internal/address"
	"github.com/yiwang-gov/yiwang/internal/app"
)

// importAddresses is "yiwang import addresses FILE [--gcj02] [--dry-run]": the gazetteer from a
// CSV or xlsx file (columns address,name,lat,lng), all or nothing.
func importAddresses(ctx context.Context, args []string) error {
	const usage = "yiwang import addresses FILE.csv|FILE.xlsx [--gcj02] [--dry-run] [--data DIR | --db URL]"
	var opts address.ImportOptions
	flags := func(fs *flag.FlagSet) {
		fs.BoolVar(&opts.GCJ02, "gcj02", false, "the file's points are GCJ-02 (AMap, Tencent), not WGS-84")
		fs.BoolVar(&opts.DryRun, "dry-run", false, "check the file and report, write nothing")
	}
	return withFile(ctx, "import addresses", usage, args, flags, func(a *app.App, f *os.File) error {
		return importAddressFile(ctx, a, f, opts)
	})
}

func importAddressFile(ctx context.Context, a *app.App, f *os.File, opts address.ImportOptions) error {
	rep, problems, err := a.ImportAddresses(ctx, f, opts)
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if rep.DryRun {
		verb = "dry run: would import"
		if len(problems) > 0 {
			return fmt.Errorf("dry run: %d problems", len(problems))
		}
	}
	fmt.Fprintf(stdout, "%s %d addresses (%d new, %d updated)\n", verb, rep.Created+rep.Updated, rep.Created, rep.Updated)
	return nil
}
