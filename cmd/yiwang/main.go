// Command yiwang runs the 一网统管 platform and its operator commands.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apperr"
)

const usage = `yiwang — 一网统管 城市基层治理平台 / urban grassroots governance platform

Usage: yiwang COMMAND [flags]

Commands:
  serve                     serve the web UI and the JSON API
  migrate                   apply database migrations
  import grids FILE         import unit grids from GeoJSON (all or nothing)
  export grids              write every grid as GeoJSON to stdout
  import addresses FILE [--gcj02] [--dry-run]
                            import door plates and places (CSV/xlsx: address,name,lat,lng)
  import org FILE [--dry-run]
                            import the org tree and handling units (the onboarding template)
  import users FILE [--dry-run]
                            import accounts and role grants (the onboarding template; first
                            passwords printed once)
  users list [--json]       list accounts
  users create USERNAME --name NAME --role ROLE --org CODE [--password P]
  users set-password USERNAME [--password P]
  users reset-mfa USERNAME  remove an account's second factor (it enrols again)
  users disable USERNAME | users enable USERNAME
  users grant USERNAME --role ROLE --org CODE
  users revoke USERNAME --role ROLE --org CODE
  audit verify              check the audit log's hash chain (exit 1 when broken)
  audit rotate-key          add a new audit chain key version (old records stay verifiable)
  keys status | keys rotate-kek | keys rotate-data --table TABLE
                            personal-data keys: list, re-wrap under a new KEK, re-seal a table
  eval rebuild              recompute every indicator from the cases and their events
  calendar import FILE      import a year of the work calendar (holidays, make-up days, hours)
  backup FILE               write a consistent backup of the database
  gen cases --count N       generate a synthetic case history (benchmarks, demos)
  apikey create NAME [--rate N]  issue an Open311 client key (printed once)
  apikey list [--json] | apikey revoke NAME
  version                   print the version

Every command takes --data DIR (default ./data) and --db URL (PostgreSQL; default SQLite in DIR).
Run "yiwang COMMAND --help" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args)
	case "migrate":
		err = migrate(ctx, args)
	case "import":
		err = importCmd(ctx, args)
	case "export":
		err = exportCmd(ctx, args)
	case "users":
		err = usersCmd(ctx, args)
	case "audit":
		err = auditCmd(ctx, args)
	case "calendar":
		err = calendarCmd(ctx, args)
	case "gen":
		err = genCmd(ctx, args)
	case "keys":
		err = keysCmd(ctx, args)
	case "eval":
		err = evalCmd(ctx, args)
	case "apikey":
		err = apikeyCmd(ctx, args)
	case "backup":
		err = backupCmd(ctx, args)
	case "version":
		fmt.Fprintln(stdout, "yiwang", app.Version)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "yiwang: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		var exit exitCode
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		if e, ok := apperr.As(err); ok {
			fmt.Fprintln(os.Stderr, "yiwang:", describe(e))
		} else {
			fmt.Fprintln(os.Stderr, "yiwang:", err)
		}
		os.Exit(1)
	}
}

// stdout is where commands print their results (tests capture it).
var stdout io.Writer = os.Stdout

// exitCode ends the process with a status and no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// open parses the common flags plus the command's own and opens the app.
func open(ctx context.Context, name string, args []string, define func(fs *flag.FlagSet), only ...string) (*app.App, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("yiwang "+name, flag.ContinueOnError)
	if len(only) == 0 {
		only = []string{"data", "db", "secret-key", "log-format", "log-level"}
	}
	cfgFn := app.Flags(fs, only...)
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	cfg, err := cfgFn()
	if err != nil {
		return nil, fs, err
	}
	if name != "serve" {
		cfg.LogLevel = "warn"
	}
	a, err := app.New(ctx, cfg, app.NewLogger(cfg, os.Stderr))
	return a, fs, err
}

func printJSON(v any) error {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
