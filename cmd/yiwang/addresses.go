package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/yiwang-gov/yiwang/internal/address"
)

// importAddresses is "yiwang import addresses FILE [--gcj02] [--dry-run]": the gazetteer from a
// CSV or xlsx file (columns address,name,lat,lng), all or nothing.
func importAddresses(ctx context.Context, args []string) error {
	const usage = "yiwang import addresses FILE.csv|FILE.xlsx [--gcj02] [--dry-run] [--data DIR | --db URL]"
	file, args := splitFirst(args)
	var opts address.ImportOptions
	a, fs, err := open(ctx, "import addresses", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&opts.GCJ02, "gcj02", false, "the file's points are GCJ-02 (AMap, Tencent), not WGS-84")
		fs.BoolVar(&opts.DryRun, "dry-run", false, "check the file and report, write nothing")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if file == "" {
		file = fs.Arg(0)
	}
	if file == "" {
		return fmt.Errorf("usage: %s", usage)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
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
