package db

import (
	"context"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migration versions: there is no 00005 in either folder and there never was one (no commit
// has a file of that number). Goose does not need consecutive versions: it applies the files in
// ascending order of version and records each applied version in goose_db_version, so a gap is
// harmless. It must stay a gap. Goose counts a file whose version is below the highest applied
// one and is not recorded as "missing" (out of order) and refuses to migrate (we do not set
// WithAllowOutofOrder): a new 00005 would stop every deployed database at 00006 or later, and so
// would renumbering 00006… down (the renamed 00006 would be an unapplied 00005, and with the
// option set goose would run again a migration that already ran under its old number). A new
// migration takes the next number after the highest, the same in both folders (TestSchemaParity
// checks that the two folders build the same schema).
func (d *DB) provider() (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.Engine == Postgres {
		dialect = goose.DialectPostgres
		// Several yiwang nodes may start at once against one PostgreSQL: only one migrates.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, d.Write, migrationFS(d.Engine), opts...)
}

// Migrate applies every pending migration and returns how many it applied.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	p, err := d.provider()
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return len(results), nil
}

// MigrationState reports the applied and the newest known migration version.
func (d *DB) MigrationState(ctx context.Context) (current, target int64, err error) {
	p, err := d.provider()
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}
