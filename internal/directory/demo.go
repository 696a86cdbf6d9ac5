package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Seed is a directory as the demo ships it (internal/demo/data/services.json): places by code,
// entries naming their places by code, and synonym groups.
type Seed struct {
	Places []struct {
		PlaceInput
	} `json:"places"`
	Services []struct {
		ServiceInput
		Places          []string `json:"places"`
		ReviewedDaysAgo int      `json:"reviewed_days_ago"`
	} `json:"services"`
	Synonyms [][]string `json:"synonyms"`
}

// LoadSeed publishes a seed directory as it stands (the demo's, or a district's first load by
// the operator), in one transaction with one audit record: it is the starting point editors
// then keep, not an editor's change, so it is not reviewed twice. reviewer names who last
// reviewed the entries.
func (d *Directory) LoadSeed(ctx context.Context, raw []byte, reviewer string) (places, services int, err error) {
	scope, err := editor(ctx)
	if err != nil {
		return 0, 0, err
	}
	var seed Seed
	if err := json.Unmarshal(raw, &seed); err != nil {
		return 0, 0, fmt.Errorf("directory seed: %w", err)
	}
	now := d.now()
	err = d.write(ctx, func(tx *sql.Tx) (audit.Entry, error) {
		ids := map[string]string{}
		for _, p := range seed.Places {
			u, err := d.unitOf(ctx, tx, p.UnitCode)
			if err != nil {
				return audit.Entry{}, fmt.Errorf("seed place %s: %w", p.Code, err)
			}
			if err := p.Hours.Validate(); err != nil {
				return audit.Entry{}, fmt.Errorf("seed place %s: %w", p.Code, err)
			}
			h, _ := json.Marshal(p.Hours)
			id := db.NewID()
			ids[p.Code] = id
			if _, err := d.DB.TxExec(ctx, tx, `INSERT INTO service_places (id, code, name, kind, unit_code, path, address, lat, lng,
				phone, hours, serves, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13)`,
				id, p.Code, p.Name, p.Kind, u.code, u.path, p.Address, p.Lat, p.Lng, p.Phone, string(h), jsonList(p.Serves), now); err != nil {
				return audit.Entry{}, fmt.Errorf("seed place %s: %w", p.Code, err)
			}
		}
		for _, sv := range seed.Services {
			u, err := d.unitOf(ctx, tx, sv.UnitCode)
			if err != nil {
				return audit.Entry{}, fmt.Errorf("seed service %s: %w", sv.Name, err)
			}
			var placeIDs []string
			for _, code := range sv.Places {
				id, ok := ids[code]
				if !ok {
					return audit.Entry{}, fmt.Errorf("seed service %s: no place %s", sv.Name, code)
				}
				placeIDs = append(placeIDs, id)
			}
			reviewed := now.Add(-time.Duration(sv.ReviewedDaysAgo) * 24 * time.Hour)
			if _, err := d.DB.TxExec(ctx, tx, `INSERT INTO services (id, name, aliases, category, description, materials, fees,
				processing_time, legal_basis, online, online_url, unit_code, path, place_ids, version, reviewed_at, reviewed_by_name,
				created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1,$15,$16,$15,$15)`,
				db.NewID(), sv.Name, jsonList(sv.Aliases), sv.Category, sv.Description, jsonList(sv.Materials), sv.Fees,
				sv.ProcessingTime, sv.LegalBasis, sv.Online, sv.OnlineURL, u.code, u.path, jsonList(placeIDs), reviewed, reviewer); err != nil {
				return audit.Entry{}, fmt.Errorf("seed service %s: %w", sv.Name, err)
			}
		}
		for i, g := range seed.Synonyms {
			if _, err := d.DB.TxExec(ctx, tx, `INSERT INTO service_synonyms (seq, words) VALUES ($1, $2)`, i+1, jsonList(g)); err != nil {
				return audit.Entry{}, err
			}
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "directory.seed", "services", "")
		e.After = audit.Summary(map[string]int{"places": len(seed.Places), "services": len(seed.Services)})
		return e, nil
	})
	return len(seed.Places), len(seed.Services), err
}
