package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/app"
)

const apikeyUsage = `usage:
  yiwang apikey create NAME [--rate N]   issue a key for client application NAME; the key is printed once
  yiwang apikey list [--json]            list keys (never the keys themselves)
  yiwang apikey revoke NAME              end NAME's key at once
Keys are for Open311 GeoReport v2 clients (POST /open311/v2/requests); --rate is requests per minute
(0: the server's default).`

// apikeyCmd runs "yiwang apikey …".
func apikeyCmd(ctx context.Context, args []string) error {
	sub, args := splitFirst(args)
	var name string
	if sub == "create" || sub == "revoke" {
		name, args = takeName(args)
	}
	if extra, _ := takeName(args); extra != "" {
		return fmt.Errorf("unexpected %q\n%s", extra, apikeyUsage)
	}
	var rate int
	var asJSON bool
	a, _, err := open(ctx, "apikey "+sub, args, func(fs *flag.FlagSet) {
		fs.IntVar(&rate, "rate", 0, "requests per minute for this key (0: the server's default)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	keys := &apikey.Service{DB: a.DB, Now: a.Now}
	sctx := app.System(ctx, "apikey "+sub)
	switch sub {
	case "create":
		if name == "" {
			return fmt.Errorf("%s", apikeyUsage)
		}
		k, secret, err := keys.Create(sctx, name, rate)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "created the key of %s; it is shown only now: store it in the client application\n", k.Name)
		fmt.Fprintln(stdout, secret)
	case "list":
		list, err := keys.List(sctx)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(list)
		}
		return apikey.WriteTable(stdout, list)
	case "revoke":
		if name == "" {
			return fmt.Errorf("%s", apikeyUsage)
		}
		k, err := keys.Revoke(sctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked the key of %s\n", k.Name)
	default:
		return fmt.Errorf("%s", apikeyUsage)
	}
	return nil
}

// takeName takes the NAME out of args wherever it stands among the flags (create --rate 30 NAME
// --data DIR), so that the flags after it are parsed too.
func takeName(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
		if a == "--" {
			break
		}
		if !strings.Contains(a, "=") && !slices.Contains([]string{"-json", "--json"}, a) {
			i++ // the flag's value
		}
	}
	return "", args
}
