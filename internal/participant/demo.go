package participant

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// DemoParticipant is a participant of the demo district, with its pledges and, for a volunteer
// team, its members (user IDs; names for people without an account).
type DemoParticipant struct {
	Kind                     Kind
	Name, Contact, Phone     string
	Pledges                  []DemoPledge
	MemberUsers, MemberNames []string
}

// DemoPledge is a pledge of the demo district.
type DemoPledge struct{ Title, Kind, Description, Status string }

// LoadDemo writes the demo rosters (zone code → participants) in one transaction as the
// operator, with one audit record.
func (s *Service) LoadDemo(ctx context.Context, rosters map[string][]DemoParticipant, userNames map[string]string) error {
	scope, err := access.Need(ctx, access.ParticipantManage)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	actor := access.ActorOf(ctx, scope.Primary())
	count := 0
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, zoneCode := range slices.Sorted(maps.Keys(rosters)) {
			list := rosters[zoneCode]
			var path string
			if err := s.DB.TxQueryRow(ctx, tx, `SELECT path FROM zones WHERE code = $1`, zoneCode).Scan(&path); err != nil {
				return fmt.Errorf("demo roster of %s: %w", zoneCode, err)
			}
			for _, d := range list {
				id := db.NewID()
				if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO participants (id, zone_code, path, kind, name, contact_name_enc, contact_name_masked,
					contact_phone_enc, contact_phone_masked, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)`,
					id, zoneCode, path, d.Kind, d.Name, s.Vault.Seal(d.Contact), pii.MaskName(d.Contact), s.Vault.Seal(d.Phone), mask(d.Phone), now); err != nil {
					return fmt.Errorf("demo participant %s: %w", d.Name, err)
				}
				count++
				for _, pl := range d.Pledges {
					if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO participant_pledges (id, participant_id, title, kind, description, status, created_at, updated_at)
						VALUES ($1,$2,$3,$4,$5,$6,$7,$7)`, db.NewID(), id, pl.Title, pl.Kind, pl.Description, pl.Status, now); err != nil {
						return fmt.Errorf("demo pledge %s: %w", pl.Title, err)
					}
				}
				for _, u := range d.MemberUsers {
					if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO volunteer_members (id, team_id, user_id, name, joined_at) VALUES ($1,$2,$3,$4,$5)`,
						db.NewID(), id, u, userNames[u], now); err != nil {
						return err
					}
				}
				for _, n := range d.MemberNames {
					if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO volunteer_members (id, team_id, user_id, name, joined_at) VALUES ($1,$2,'',$3,$4)`,
						db.NewID(), id, n, now); err != nil {
						return err
					}
				}
			}
		}
		e := audit.For(actor, now, "participant.demo", ObjectKind.Name, "")
		e.After = fmt.Sprintf(`{"participants":%d}`, count)
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
}
