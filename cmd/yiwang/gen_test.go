package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
)

// `yiwang gen cases` writes the cases and rebuilds the indicators from them: the district's
// figures count every generated case at once.
func TestGenCasesRebuildsIndicators(t *testing.T) {
	dir := demoDir(t)
	out, err := run(t, genCmd, "cases", "--count", "300", "--days", "30", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "generated 300 synthetic cases") || !strings.Contains(out, "indicators rebuilt: 300 cases") {
		t.Fatalf("output:\n%s", out)
	}
	cfg := app.Defaults()
	cfg.DataDir, cfg.PasswordCost = dir, "test"
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var reports, counted int
	if err := a.DB.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM cases),
		(SELECT COALESCE(sum(reports), 0) FROM eval_monthly WHERE level = 'district')`).Scan(&reports, &counted); err != nil {
		t.Fatal(err)
	}
	if reports != 300 || counted != 300 {
		t.Fatalf("%d cases, %d counted by the district's indicators", reports, counted)
	}
}
