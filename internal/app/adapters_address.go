package app

import (
	"context"
	"fmt"
	"io"

	"github.com/yiwang-gov/yiwang/internal/address"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// addresses builds the gazetteer's service. Each caller may hold its own: the search index lives
// in the service and follows the settings key addresses_version, which every write bumps, so a
// copy that did not make a change rebuilds its index at its next check (db.Versioned).
func (a *App) addresses() *address.Service {
	return &address.Service{DB: a.DB, Grids: a.Grids, Now: a.Now}
}

// addressModule is the gazetteer (地址库).
func (a *App) addressModule() module.Module {
	return (&address.HTTP{Addresses: a.addresses(), R: a.responder()}).Module()
}

// demoAddresses writes the demo's synthetic gazetteer for its grids.
func (a *App) demoAddresses(ctx context.Context) error {
	if _, err := a.addresses().LoadDemo(ctx); err != nil {
		return err
	}
	return nil
}

// ImportAddresses imports a CSV or xlsx file of addresses (all or nothing; see
// address.Service.Import) and returns the report and each problem in Chinese.
func (a *App) ImportAddresses(ctx context.Context, r io.Reader, opts address.ImportOptions) (address.Report, []string, error) {
	raw, err := io.ReadAll(io.LimitReader(r, address.MaxFileBytes+1))
	if err != nil {
		return address.Report{}, nil, err
	}
	rep, err := a.addresses().Import(System(ctx, "import addresses"), raw, opts)
	var msgs []string
	for _, d := range address.Details(a.Catalog, "zh-CN", rep.Problems) {
		msgs = append(msgs, fmt.Sprintf("第 %d 行 %s: %s", d.Line, d.Field, d.Message))
	}
	if pe, ok := err.(*address.ProblemsError); ok {
		for _, d := range address.Details(a.Catalog, "zh-CN", pe.Problems) {
			msgs = append(msgs, fmt.Sprintf("第 %d 行 %s: %s", d.Line, d.Field, d.Message))
		}
	}
	return rep, msgs, err
}
