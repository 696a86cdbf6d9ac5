package main

import (
	"context"
	"fmt"
	"time"
)

const evalUsage = "usage: yiwang eval rebuild [--data DIR | --db URL]"

func evalCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	if what != "rebuild" {
		return fmt.Errorf("%s", evalUsage)
	}
	a, _, err := open(ctx, "eval rebuild", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	n, err := a.Eval.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "考核指标已重算 / indicators rebuilt: %d cases in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
