package users

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/audit"
)

// ResetSecondFactor removes an account's authenticator and recovery codes (a lost phone), and
// ends its sessions. The account enrols again at its next sign-in when its role requires a second
// factor. Only a security administrator may, never for themself, and it is audited (等保 2.0
// 8.1.4.1 身份鉴别; the reset is a change of a credential like a password reset).
func (s *Service) ResetSecondFactor(ctx context.Context, id string) error {
	scope, u, err := s.target(ctx, id)
	if err != nil {
		return err
	}
	if err := credentialsOf(ctx, u); err != nil {
		return err
	}
	defer s.changed(id)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM mfa_recovery_codes WHERE user_id = $1`,
			`DELETE FROM user_mfa WHERE user_id = $1`,
			`DELETE FROM mfa_challenges WHERE user_id = $1`,
			`DELETE FROM sessions WHERE user_id = $1`,
		} {
			if _, err := s.DB.TxExec(ctx, tx, q, id); err != nil {
				return fmt.Errorf("reset second factor of %s: %w", id, err)
			}
		}
		_, err := audit.Append(ctx, s.DB, tx, s.auditEntry(ctx, scope, u.Roles, "user.mfa_reset", id))
		return err
	})
}

func (h *HTTP) resetSecondFactor(w http.ResponseWriter, r *http.Request) {
	if err := h.Users.ResetSecondFactor(r.Context(), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
