package app

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/ledger"
)

// buildLedger wires the seed-fund ledger: commitments and payments name a project of their zone.
func (a *App) buildLedger() *ledger.Service {
	return &ledger.Service{DB: a.DB, Now: a.Now, Projects: a.Projects}
}

// demoLedger gives every demo zone its seed fund (财政启动资金) through the ledger's own rules:
// district.finance_officer makes each entry and district.finance_checker approves it. Every zone
// is allocated 20万元; 东海's and 城东's zones commit part to their environment project and pay some
// of it out; one commitment of 东海's zone, to its safety project, awaits its checker.
func (a *App) demoLedger(ctx context.Context) error {
	var districtCode, districtPath string
	if err := a.DB.QueryRow(ctx, `SELECT code, path FROM org_nodes WHERE kind = 'district' ORDER BY code LIMIT 1`).Scan(&districtCode, &districtPath); err != nil {
		return fmt.Errorf("demo ledger: district: %w", err)
	}
	officer := func(username string) (context.Context, error) {
		p := &access.Principal{Username: username, Grants: []access.Grant{{Role: access.FinanceOfficer, OrgCode: districtCode, OrgPath: districtPath}}}
		if err := a.DB.QueryRow(ctx, `SELECT id, display_name FROM users WHERE username = $1`, username).Scan(&p.UserID, &p.DisplayName); err != nil {
			return nil, fmt.Errorf("demo ledger: %s: %w", username, err)
		}
		return access.WithPrincipal(ctx, p), nil
	}
	maker, err := officer("district.finance_officer")
	if err != nil {
		return err
	}
	checker, err := officer("district.finance_checker")
	if err != nil {
		return err
	}
	zones, err := a.Org.Zones(System(ctx, "demo-loader"))
	if err != nil {
		return fmt.Errorf("demo ledger: zones: %w", err)
	}
	post := func(in ledger.EntryInput, approve bool) error {
		e, _, err := a.Ledger.Make(maker, in)
		if err != nil {
			return fmt.Errorf("demo ledger: make %s %s: %w", in.Kind, in.ZoneCode, err)
		}
		if approve {
			if _, err := a.Ledger.Approve(checker, e.ID); err != nil {
				return fmt.Errorf("demo ledger: approve %s %s: %w", in.Kind, in.ZoneCode, err)
			}
		}
		return nil
	}
	for _, z := range zones {
		key := func(what string) string { return "demo-" + z.Code + "-" + what }
		if err := post(ledger.EntryInput{Kind: ledger.Allocate, ZoneCode: z.Code, AmountFen: 20_000_000, IdempotencyKey: key("allocate"),
			Memo: "区财政下达片区治理启动资金"}, true); err != nil {
			return err
		}
		if z.SubdistrictCode != districtCode+"001" && z.SubdistrictCode != districtCode+"002" {
			continue
		}
		// The zone's demo projects (demoProjects): the environment one and the safety one.
		var project, safety string
		if err := a.DB.QueryRow(ctx, `SELECT
			(SELECT id FROM projects WHERE zone_code = $1 AND field = 'environment' ORDER BY created_at, id LIMIT 1),
			(SELECT id FROM projects WHERE zone_code = $1 AND field = 'safety' ORDER BY created_at, id LIMIT 1)`, z.Code).Scan(&project, &safety); err != nil {
			return fmt.Errorf("demo ledger: projects of %s: %w", z.Code, err)
		}
		if err := post(ledger.EntryInput{Kind: ledger.Commit, ZoneCode: z.Code, ProjectID: project, AmountFen: 8_000_000,
			IdempotencyKey: key("commit"), Memo: "老旧小区环境微改造项目"}, true); err != nil {
			return err
		}
		if err := post(ledger.EntryInput{Kind: ledger.Disburse, ZoneCode: z.Code, ProjectID: project, AmountFen: 3_000_000,
			IdempotencyKey: key("disburse"), Memo: "第一期工程款", PayeeName: "泉州市绿城园林工程有限公司", PayeeKind: ledger.PayeeOrganisation}, true); err != nil {
			return err
		}
		if z.SubdistrictCode == districtCode+"001" {
			if err := post(ledger.EntryInput{Kind: ledger.Commit, ZoneCode: z.Code, ProjectID: safety, AmountFen: 2_500_000,
				IdempotencyKey: key("commit-2"), Memo: "平安巡防设备采购"}, false); err != nil {
				return err
			}
		}
	}
	return nil
}
