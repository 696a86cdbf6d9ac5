package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
)

func genCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	if what != "cases" {
		return fmt.Errorf("usage: yiwang gen cases --count N [--days D] [--seed S] [--data DIR | --db URL]")
	}
	var opts casegen.Options
	a, _, err := open(ctx, "gen cases", args, func(fs *flag.FlagSet) {
		fs.IntVar(&opts.Count, "count", 10000, "how many cases")
		fs.IntVar(&opts.Days, "days", 365, "spread over this many days before now")
		fs.Int64Var(&opts.Seed, "seed", 1, "random seed (the same seed gives the same history)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	err = casegen.Generate(ctx, a.DB, opts, func(done, total int) {
		fmt.Fprintf(os.Stderr, "\r%d / %d cases (%.0f/s)", done, total, float64(done)/time.Since(start).Seconds())
	})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d synthetic cases in %s\n", opts.Count, time.Since(start).Round(time.Millisecond))
	// The cases were written around the outbox: the indicators are recomputed from them, so that
	// the figures and rankings show the new history at once.
	start = time.Now()
	n, err := a.Eval.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "考核指标已重算 / indicators rebuilt: %d cases in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
