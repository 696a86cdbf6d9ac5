package app

import (
	"context"
	"database/sql"
	"fmt"
)

// demoConsents records that the demo's residents accepted the 用户协议 and 隐私政策 in force, as
// if they had signed up through the page: a demo should open on the residents' pages, not on
// the re-consent page (package consent).
func (a *App) demoConsents(ctx context.Context) error {
	rows, err := a.DB.Query(ctx, `SELECT DISTINCT user_id FROM role_grants WHERE role = 'resident'
		AND user_id NOT IN (SELECT user_id FROM role_grants WHERE role <> 'resident')`)
	if err != nil {
		return fmt.Errorf("demo consents: %w", err)
	}
	var residents []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("demo consents: %w", err)
		}
		residents = append(residents, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("demo consents: %w", err)
	}
	texts := a.Auth.Consents()
	return a.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range residents {
			if err := texts.Accept(ctx, a.DB, tx, id, a.Now()); err != nil {
				return err
			}
		}
		return nil
	})
}
