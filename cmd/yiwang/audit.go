package main

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/audit"
)

const auditUsage = "usage: yiwang audit verify|rotate-key [--data DIR | --db URL] [--audit-keys FILE] [--audit-anchors FILE]"

// auditFlags are the settings the audit commands read: where the database, the chain's keys and
// its anchors are.
var auditFlags = []string{"data", "db", "secret-key", "audit-keys", "audit-anchors", "log-format", "log-level"}

func auditCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	switch what {
	case "verify":
		return auditVerify(ctx, args)
	case "rotate-key":
		return auditRotateKey(ctx, args)
	}
	return fmt.Errorf("%s", auditUsage)
}

func auditVerify(ctx context.Context, args []string) error {
	a, _, err := open(ctx, "audit verify", args, nil, auditFlags...)
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
	fmt.Fprintf(stdout, "密钥版本 / key version: %d\n", rep.KeyVersion)
	if rep.Anchor != nil {
		fmt.Fprintf(stdout, "锚点一致 / anchor intact: record %d anchored at %s\n", rep.Anchor.Seq, rep.Anchor.At.Format("2006-01-02 15:04:05Z07:00"))
	} else {
		fmt.Fprintln(stdout, "尚无锚点 / no anchor yet: records are anchored outside the database every --audit-anchor-every while yiwang serves")
	}
	return nil
}

// auditRotateKey adds a key version; running nodes seal their next records with it (they watch
// the key file), and old records stay verifiable with the old versions kept in the file.
func auditRotateKey(ctx context.Context, args []string) error {
	a, _, err := open(ctx, "audit rotate-key", args, nil, auditFlags...)
	if err != nil {
		return err
	}
	defer a.Close()
	version, err := audit.RotateKey(audit.Options{DataDir: a.Cfg.DataDir, KeysFile: a.Cfg.AuditKeys})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "审计密钥已轮换 / audit key rotated: new records use key version %d (keep the key file: old records are verified with old versions; nodes sharing the database must share it)\n", version)
	return nil
}
