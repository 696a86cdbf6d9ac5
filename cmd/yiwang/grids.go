package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/yiwang-gov/yiwang/internal/app"
)

// splitFirst takes the first positional argument wherever it stands before the flags.
func splitFirst(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}

// withFile runs the command "yiwang NAME FILE [flags]": it opens the app and the file and
// hands both to fn. define adds the command's own flags (nil: none).
func withFile(ctx context.Context, name, usage string, args []string, define func(*flag.FlagSet), fn func(a *app.App, f *os.File) error) error {
	file, args := splitFirst(args)
	a, fs, err := open(ctx, name, args, define)
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
	return fn(a, f)
}

func importCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	const usage = "yiwang import grids FILE.geojson | addresses FILE.csv|xlsx | org FILE.xlsx|csv | users FILE.xlsx|csv [--data DIR | --db URL]"
	switch what {
	case "addresses":
		return importAddresses(ctx, args)
	case "org", "users":
		return importOnboard(ctx, what, args)
	}
	if what != "grids" {
		return fmt.Errorf("usage: %s", usage)
	}
	return withFile(ctx, "import grids", usage, args, nil, func(a *app.App, f *os.File) error {
		return importGrids(ctx, a, f)
	})
}

func importGrids(ctx context.Context, a *app.App, f *os.File) error {
	created, updated, problems, err := a.ImportGrids(ctx, f, os.Stderr)
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d grids (%d new, %d updated), %d warnings\n", created+updated, created, updated, len(problems))
	return nil
}

func exportCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	if what != "grids" {
		return fmt.Errorf("usage: yiwang export grids [--data DIR | --db URL] > grids.geojson")
	}
	a, _, err := open(ctx, "export grids", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Grids.Export(app.System(ctx, "export grids"), stdout)
}
