package users

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// checkGrantInTx repeats Grant's checks against the grants committed when the grant is written:
// two grants racing to one account (sys_admin and audit_admin at the same moment) each passed the
// check on the grants they had read before, and together gave two duties (等保 2.0 三权分立). On
// PostgreSQL the account row is locked so the racers queue; SQLite's one writer queues them already.
func (s *Service) checkGrantInTx(ctx context.Context, tx *sql.Tx, userID string, g access.Grant) error {
	if s.DB.Engine == db.Postgres {
		if _, err := s.DB.TxExec(ctx, tx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return fmt.Errorf("lock account %s: %w", userID, err)
		}
	}
	rows, err := s.DB.TxQuery(ctx, tx, `SELECT role, org_code FROM role_grants WHERE user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("grants of %s: %w", userID, err)
	}
	defer rows.Close()
	grants := []access.Grant{g}
	for rows.Next() {
		var have access.Grant
		if err := rows.Scan(&have.Role, &have.OrgCode); err != nil {
			return err
		}
		if have.Role == g.Role && have.OrgCode == g.OrgCode {
			return apperr.New(apperr.Conflict, "user.grant_exists")
		}
		grants = append(grants, have)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return separateDuties(grants)
}

// credentialsOf refuses a sec_admin's reset of the password or second factor of an administrator
// (sys_admin, sec_admin, audit_admin): the reset's new password is the sec_admin's to choose, so
// they could sign in as the auditor or the system administrator and hold two duties after all
// (等保 2.0 三权分立). Those accounts are reset by the operator at the machine ("yiwang users
// set-password"), which is recorded as the system.
func credentialsOf(ctx context.Context, u User) error {
	if p, _ := access.From(ctx); p != nil && p.System {
		return nil
	}
	for _, g := range u.Roles {
		if g.Role.Admin() {
			return apperr.New(apperr.Forbidden, "user.admin_credentials")
		}
	}
	return nil
}
