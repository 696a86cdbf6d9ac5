package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
)

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("yiwang serve", flag.ContinueOnError)
	cfgFn := app.Flags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: yiwang serve [flags]\n\nServes the web UI and JSON API. Flags (each also settable by its YIWANG_* variable):")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cfgFn()
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, os.Stderr)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		pw, stats, err := a.LoadDemoIfEmpty(ctx)
		if err != nil {
			return err
		}
		if stats.Accounts > 0 {
			log.Info("demo district loaded", "subdistricts", stats.Subdistricts, "communities", stats.Communities,
				"zones", stats.Zones, "departments", stats.Departments, "grids", stats.Grids, "accounts", stats.Accounts)
			// A grid worker on every grid and staff in every community, as a real district has.
			start := time.Now()
			staff, err := a.LoadDemoStaff(ctx, pw)
			if err != nil {
				return err
			}
			log.Info("demo staff added", "grid_workers", staff.GridWorkers, "community_staff", staff.CommunityStaff,
				"grids_assigned", staff.Assigned, "took", time.Since(start).Round(time.Millisecond).String())
			// A demo district comes with a history, so the indicators and rankings have figures.
			start = time.Now()
			n, err := a.LoadDemoHistory(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				log.Info("demo history loaded and indicators rebuilt", "cases", n, "days", app.DemoHistoryDays,
					"took", time.Since(start).Round(time.Millisecond).String())
			}
			if cfg.DemoPassword == "" {
				// Printed once, to the terminal only (never to the log): it is not stored anywhere.
				fmt.Fprintf(stdout, "\n演示账号密码 / demo account password: %s\n(账号列表见 README / accounts are listed in the README)\n\n", pw)
			}
		}
	}
	return a.Serve(ctx, func(addr string) {
		fmt.Fprintf(stdout, "yiwang 已启动 / listening: http://%s/\n", addr)
	})
}

func migrate(ctx context.Context, args []string) error {
	a, _, err := open(ctx, "migrate", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	current, target, err := a.DB.MigrationState(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d of %d (%s)\n", current, target, a.DB.Engine)
	return nil
}

func backupCmd(ctx context.Context, args []string) error {
	var file string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	a, fs, err := open(ctx, "backup", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return fmt.Errorf("usage: yiwang backup FILE [--data DIR | --db URL]")
	}
	written, err := a.Backup(ctx, file)
	for _, w := range written {
		fmt.Fprintln(stdout, "wrote", w)
	}
	return err
}
