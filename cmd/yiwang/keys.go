package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/yiwang-gov/yiwang/internal/pii"
)

const keysUsage = `usage:
  yiwang keys status [--json]              list the data keys: purpose, version, state, wrapping KEK, values using each
  yiwang keys rotate-kek                   re-wrap every data key under a new key-encryption key (KEK)
  yiwang keys rotate-data --table TABLE    make TABLE's new data key and re-seal its values (TABLE: users, cases,
                                           open311, notify, general, or all) [--batch N]
Personal data is sealed with data keys kept in the database only wrapped by the KEK of DATA/secret.key
(or YIWANG_SECRET_KEY). rotate-kek appends a new KEK to the key file; with YIWANG_SECRET_KEY, add the new
key at its end (comma-separated) on every node first. The old KEK can be removed once rotate-kek has run.
Both rotations can run while yiwang serves, and can be run again after an interruption.`

// keysCmd runs "yiwang keys …".
func keysCmd(ctx context.Context, args []string) error {
	sub, args := splitFirst(args)
	var table string
	var batch int
	var asJSON bool
	a, _, err := open(ctx, "keys "+sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&table, "table", "", "rotate-data: the table (purpose) whose data key is replaced, or all")
		fs.IntVar(&batch, "batch", 500, "rotate-data: values re-sealed per transaction")
		fs.BoolVar(&asJSON, "json", false, "status: print JSON")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	ring, err := pii.LoadKeyring(a.Cfg.SecretKey, a.Cfg.DataDir)
	if err != nil {
		return err
	}
	vault, err := pii.OpenVault(ctx, a.DB, ring, pii.Options{Batch: batch})
	if err != nil {
		return err
	}
	switch sub {
	case "status":
		return keysStatus(ctx, vault, ring, asJSON)
	case "rotate-kek":
		res, err := vault.RotateKEK(ctx)
		if err != nil {
			return err
		}
		if res.Added {
			fmt.Fprintf(os.Stderr, "added KEK %s to %s\n", res.KEK, ring.File())
		}
		fmt.Fprintf(stdout, "re-wrapped %d data keys under KEK %s\n", res.Rewrapped, res.KEK)
		for _, id := range res.Unused {
			fmt.Fprintf(stdout, "KEK %s is no longer used by this database: remove it from the keyring once the backups made before now are no longer needed\n", id)
		}
		return nil
	case "rotate-data":
		tables := []string{table}
		if table == "all" {
			tables = pii.Purposes
		}
		if table == "" || (table != "all" && !slices.Contains(pii.Purposes, table)) {
			return fmt.Errorf("--table must be one of %v or all\n%s", pii.Purposes, keysUsage)
		}
		for _, t := range tables {
			res, err := vault.RotateData(ctx, t)
			if err != nil {
				return fmt.Errorf("rotate %s: %w", t, err)
			}
			fmt.Fprintf(stdout, "%s: data key %d, %d values re-sealed, retired %v", t, res.Version, res.Resealed, res.Retired)
			if res.Unreadable > 0 {
				fmt.Fprintf(stdout, ", %d values no key opens (left as they are)", res.Unreadable)
			}
			if res.Remaining > 0 {
				fmt.Fprintf(stdout, ", %d values written meanwhile under the old key: run again", res.Remaining)
			}
			fmt.Fprintln(stdout)
		}
		return nil
	default:
		return fmt.Errorf("%s", keysUsage)
	}
}

func keysStatus(ctx context.Context, vault *pii.Vault, ring *pii.Keyring, asJSON bool) error {
	list, err := vault.Status(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(map[string]any{"current_kek": ring.Current(), "keyring": ring.IDs(), "data_keys": list})
	}
	fmt.Fprintf(stdout, "current KEK %s; keyring %v\n", ring.Current(), ring.IDs())
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PURPOSE\tVERSION\tSTATE\tKEK\tVALUES\tCREATED\tRETIRED")
	for _, k := range list {
		retired := ""
		if k.RetiredAt != nil {
			retired = k.RetiredAt.UTC().Format("2006-01-02 15:04")
		}
		kek := k.KEK
		if !k.KEKKnown {
			kek += " (not in keyring)"
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%d\t%s\t%s\n", k.Purpose, k.Version, k.State, kek, k.Values,
			k.CreatedAt.UTC().Format("2006-01-02 15:04"), retired)
	}
	return w.Flush()
}
