package main

import (
	"context"
	"fmt"
)

func auditCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	if what != "verify" {
		return fmt.Errorf("usage: yiwang audit verify [--data DIR | --db URL]")
	}
	a, _, err := open(ctx, "audit verify", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if rep.Break != nil {
		fmt.Fprintf(stdout, "审计日志链已损坏 / audit chain BROKEN at record %d: %s — %s\n", rep.Break.Seq, rep.Break.Reason, rep.Break.Detail)
		return exitCode(1)
	}
	fmt.Fprintf(stdout, "审计日志链完整 / audit chain intact: %d records, head %s\n", rep.Records, rep.Head)
	return nil
}
