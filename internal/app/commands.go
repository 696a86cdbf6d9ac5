package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/demo"
	"github.com/yiwang-gov/yiwang/internal/password"
)

// System returns ctx acting as the operator at the machine (for CLI commands).
func System(ctx context.Context, command string) context.Context {
	return access.WithPrincipal(ctx, access.SystemPrincipal("cli:"+command))
}

// LoadDemoIfEmpty loads the demo district into an empty database. It returns the password of
// the demo accounts when it loaded them ("" when the database already held a district).
func (a *App) LoadDemoIfEmpty(ctx context.Context) (password string, stats demo.Stats, err error) {
	if _, ok, err := a.Org.DistrictNode(ctx); err != nil || ok {
		return "", stats, err
	}
	password = a.Cfg.DemoPassword
	if password == "" {
		password = generatedPassword()
	}
	stats, err = demo.Load(ctx, a.Org, a.Grids, a.Users, password, a.Now())
	if err != nil {
		return password, stats, err
	}
	// The demo's routing rules name its departments.
	if err := a.Routing.LoadDefaults(System(ctx, "demo-loader")); err != nil {
		return password, stats, fmt.Errorf("demo routing rules: %w", err)
	}
	if err := a.Open311.LoadDefaults(System(ctx, "demo-loader")); err != nil {
		return password, stats, fmt.Errorf("demo open311 attributes: %w", err)
	}
	// The coordination modules' demo data (each in its adapters_<module>.go).
	for _, load := range []func(context.Context) error{a.demoParticipants, a.demoPatrols, a.demoDirectives, a.demoWhistles, a.demoAddresses,
		a.demoConsents, a.demoSensitive, a.demoDirectory, a.demoProjects, a.demoLedger} {
		if err := load(System(ctx, "demo-loader")); err != nil {
			return password, stats, err
		}
	}
	return password, stats, nil
}

func generatedPassword() string { return password.Generate() }

// DemoHistoryDays is the span of the demo's synthetic history: a year and a month, so that a
// year and the month before it can be compared.
const DemoHistoryDays = 400

// LoadDemoHistory writes Cfg.DemoHistory synthetic historic cases into the demo district (case
// generator, seed 1) and recomputes the indicators from them, so that a new demo shows a
// district at work on its 考核 and 排名 pages. Call it once, right after LoadDemoIfEmpty loaded
// the district; it returns how many cases it wrote.
func (a *App) LoadDemoHistory(ctx context.Context) (int, error) {
	n := a.Cfg.DemoHistory
	if n <= 0 {
		return 0, nil
	}
	if err := casegen.Generate(ctx, a.DB, casegen.Options{Count: n, Days: DemoHistoryDays, Seed: 1, Now: a.Now()}, nil); err != nil {
		return 0, fmt.Errorf("demo history: %w", err)
	}
	if err := a.demoReplies(ctx); err != nil {
		return 0, err
	}
	if _, err := a.Eval.Rebuild(ctx); err != nil {
		return 0, fmt.Errorf("demo history: %w", err)
	}
	return n, nil
}

// VerifyAudit checks the audit chain.
func (a *App) VerifyAudit(ctx context.Context) (audit.Report, error) {
	return audit.Verify(ctx, a.DB)
}

// auditKeysFile is where the audit chain's keys are (audit.Options).
func (a *App) auditKeysFile() string {
	if a.Cfg.AuditKeys != "" {
		return a.Cfg.AuditKeys
	}
	return filepath.Join(a.Cfg.DataDir, "audit.keys")
}

// Backup writes a consistent copy of the database to file. For SQLite it uses VACUUM INTO (safe
// while the server runs) and copies the secret key beside it as FILE.secret.key, without which
// encrypted personal data cannot be read, and the audit chain's keys as FILE.audit.keys, without
// which the restored chain cannot be verified. For PostgreSQL it runs pg_dump.
func (a *App) Backup(ctx context.Context, file string) ([]string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err == nil {
		return nil, fmt.Errorf("backup: %s exists; choose a new file name", abs)
	}
	switch a.DB.Engine {
	case db.SQLite:
		if _, err := a.DB.Exec(ctx, `VACUUM INTO $1`, abs); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		written := []string{abs}
		if a.Cfg.SecretKey == "" {
			key, err := os.ReadFile(filepath.Join(a.Cfg.DataDir, "secret.key"))
			if err != nil {
				return written, fmt.Errorf("backup: read secret key: %w", err)
			}
			if err := os.WriteFile(abs+".secret.key", key, 0o600); err != nil {
				return written, fmt.Errorf("backup: %w", err)
			}
			written = append(written, abs+".secret.key")
		}
		// The audit chain's keys: without them the restored chain cannot be verified.
		if keys, err := os.ReadFile(a.auditKeysFile()); err == nil {
			if err := os.WriteFile(abs+".audit.keys", keys, 0o600); err != nil {
				return written, fmt.Errorf("backup: %w", err)
			}
			written = append(written, abs+".audit.keys")
		}
		return written, nil
	default:
		cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--file", abs, "--dbname", a.Cfg.DatabaseURL)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("backup: pg_dump: %w (install the PostgreSQL client tools)", err)
		}
		return []string{abs}, nil
	}
}

// ImportGrids imports a GeoJSON file, printing progress to progressOut.
func (a *App) ImportGrids(ctx context.Context, r io.Reader, progressOut io.Writer) (int, int, []string, error) {
	rep, err := a.Grids.Import(System(ctx, "import grids"), r, func(stage string, done, total int) {
		if total > 0 {
			fmt.Fprintf(progressOut, "\r%-8s %6d / %d (%3d%%)", stage, done, total, done*100/total)
			if done == total {
				fmt.Fprintln(progressOut)
			}
		}
	})
	var msgs []string
	for _, p := range rep.Problems {
		msgs = append(msgs, fmt.Sprintf("[%s] %s", p.Severity, p.Message("zh-CN")))
	}
	return rep.Created, rep.Updated, msgs, err
}

// ImportCalendar imports a year of the work calendar from a file.
func (a *App) ImportCalendar(ctx context.Context, r io.Reader) (calendar.Year, error) {
	return calendar.ImportFile(System(ctx, "calendar import"), a.Calendar, r)
}

// LoadDemoStaff gives the demo district a grid worker on every grid and staff in every
// community (demo.Staff), with the demo accounts' password. `yiwang serve --demo` calls it once,
// right after loading the district.
func (a *App) LoadDemoStaff(ctx context.Context, password string) (demo.StaffStats, error) {
	return demo.Staff(ctx, a.Org, a.Grids, a.Users, password, a.Now())
}
