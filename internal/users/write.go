package users

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/password"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// checkGrant validates one role at one node against the rules and the caller's scope, and
// returns the grant to store.
func (s *Service) checkGrant(ctx context.Context, scope access.Scope, r RoleAt) (access.Grant, error) {
	if !r.Role.Valid() {
		return access.Grant{}, apperr.New(apperr.Invalid, "user.bad_role", r.Role)
	}
	if r.OrgCode == "" {
		return access.Grant{}, apperr.New(apperr.Invalid, "request.missing_param", "org_code")
	}
	node, err := s.Org.NodeByCode(ctx, r.OrgCode)
	if err != nil {
		return access.Grant{}, err
	}
	if !scope.Covers(node.Path) {
		return access.Grant{}, apperr.New(apperr.NotFound, "org.node_not_found", r.OrgCode)
	}
	if !slices.Contains(r.Role.NodeKinds(), string(node.Kind)) {
		return access.Grant{}, apperr.New(apperr.Invalid, "user.role_node_kind", r.Role, string(node.Kind))
	}
	return access.Grant{Role: r.Role, OrgCode: node.Code, OrgPath: node.Path, OrgName: node.Name, NodeKind: string(node.Kind)}, nil
}

// separateDuties refuses an account holding two of the three administrator duties (等保 2.0).
func separateDuties(grants []access.Grant) error {
	var admin access.Role
	for _, g := range grants {
		if g.Role.Admin() {
			if admin != "" && admin != g.Role {
				return apperr.New(apperr.Invalid, "user.admin_duties_separate")
			}
			admin = g.Role
		}
	}
	return nil
}

// Create makes an account. Residents sign up themselves (package auth); staff accounts are made
// here by a security administrator, with a first password the user must change.
func (s *Service) Create(ctx context.Context, in NewUser) (User, error) {
	scope, err := access.Need(ctx, access.UserWrite)
	if err != nil {
		return User{}, err
	}
	if err := checkNames(in.Username, in.DisplayName); err != nil {
		return User{}, err
	}
	if err := password.CheckStrength(in.Password); err != nil {
		return User{}, err
	}
	var grants []access.Grant
	for _, r := range in.Roles {
		g, err := s.checkGrant(ctx, scope, r)
		if err != nil {
			return User{}, err
		}
		grants = append(grants, g)
	}
	if err := separateDuties(grants); err != nil {
		return User{}, err
	}
	var phoneHash any
	var phoneEnc, phoneMasked string
	if in.Phone != "" {
		p, ok := pii.NormalizePhone(in.Phone)
		if !ok {
			return User{}, apperr.New(apperr.Invalid, "auth.bad_phone")
		}
		phoneHash, phoneEnc, phoneMasked = s.Vault.Hash(p), s.Vault.For(pii.Users).Seal(p), pii.MaskPhone(p)
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	must := true
	if in.MustChangePassword != nil {
		must = *in.MustChangePassword
	}
	now := s.Now().UTC()
	id := db.NewID()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM users WHERE lower(username) = lower($1)`, in.Username).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return apperr.New(apperr.Conflict, "user.username_taken", in.Username)
		}
		if phoneHash != nil {
			if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM users WHERE phone_hash = $1`, phoneHash).Scan(&taken); err != nil {
				return err
			}
			if taken > 0 {
				return apperr.New(apperr.Conflict, "auth.phone_taken")
			}
		}
		_, err := s.DB.TxExec(ctx, tx, `INSERT INTO users (id, username, display_name, phone_enc, phone_hash, phone_masked,
			password_hash, must_change_password, password_changed_at, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$9)`,
			id, in.Username, in.DisplayName, phoneEnc, phoneHash, phoneMasked, hash, must, now)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		for _, g := range grants {
			if err := s.insertGrant(ctx, tx, id, g, now); err != nil {
				return err
			}
		}
		e := s.auditEntry(ctx, scope, grants, "user.create", id)
		e.After = audit.Summary(map[string]any{"username": in.Username, "roles": summarize(grants), "phone": phoneMasked})
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.getScoped(ctx, scope, id)
}

func (s *Service) insertGrant(ctx context.Context, tx *sql.Tx, userID string, g access.Grant, now interface{}) error {
	_, err := s.DB.TxExec(ctx, tx, `INSERT INTO role_grants (id, user_id, role, org_code, org_path, created_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, db.NewID(), userID, string(g.Role), g.OrgCode, g.OrgPath, now)
	if err != nil {
		return fmt.Errorf("grant %s at %s: %w", g.Role, g.OrgCode, err)
	}
	return nil
}

func summarize(grants []access.Grant) []string {
	out := make([]string, len(grants))
	for i, g := range grants {
		out[i] = string(g.Role) + "@" + g.OrgCode
	}
	return out
}

// auditEntry records an account change at the node of the account's first role, so the
// auditors of that part of the tree see it.
func (s *Service) auditEntry(ctx context.Context, scope access.Scope, target []access.Grant, action, userID string) audit.Entry {
	e := audit.For(access.ActorOf(ctx, scope.Primary()), s.Now(), action, "user", userID)
	if len(target) > 0 {
		e.OrgPath, e.OrgCode = target[0].OrgPath, target[0].OrgCode
	}
	return e
}

// apply makes a change to account u (loaded by target) and records e in the same transaction,
// then answers the account as it is now.
func (s *Service) apply(ctx context.Context, scope access.Scope, u User, e audit.Entry, change func(tx *sql.Tx) error) (User, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return u, err
	}
	s.changed(u.ID)
	return s.getScoped(ctx, scope, u.ID)
}

// target loads an account the caller may change; a caller may not change their own rights.
func (s *Service) target(ctx context.Context, id string) (access.Scope, User, error) {
	scope, err := access.Need(ctx, access.UserWrite)
	if err != nil {
		return scope, User{}, err
	}
	u, err := s.getScoped(ctx, scope, id)
	if err != nil {
		return scope, u, err
	}
	if p, _ := access.From(ctx); p != nil && p.UserID == id {
		return scope, u, apperr.New(apperr.Forbidden, "user.not_self")
	}
	return scope, u, nil
}

// SetDisabled disables or re-enables an account; disabling also ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool) (User, error) {
	scope, u, err := s.target(ctx, id)
	if err != nil {
		return u, err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	e := s.auditEntry(ctx, scope, u.Roles, action, id)
	e.Before = audit.Summary(map[string]bool{"disabled": u.Disabled})
	e.After = audit.Summary(map[string]bool{"disabled": disabled})
	now := s.Now().UTC()
	return s.apply(ctx, scope, u, e, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE users SET disabled = $1, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3`,
			disabled, now, id); err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		if disabled {
			if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// ResetPassword sets a new password chosen by an administrator; the user must change it at the
// next sign-in, and existing sessions end.
func (s *Service) ResetPassword(ctx context.Context, id, newPassword string) error {
	scope, u, err := s.target(ctx, id)
	if err != nil {
		return err
	}
	if err := credentialsOf(ctx, u); err != nil {
		return err
	}
	if err := password.CheckStrength(newPassword); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	defer s.changed(id)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE users SET password_hash = $1, must_change_password = true,
			password_changed_at = $2, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3`, hash, now, id); err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return err
		}
		_, err := audit.Append(ctx, s.DB, tx, s.auditEntry(ctx, scope, u.Roles, "user.reset_password", id))
		return err
	})
}

// Grant gives an account a role at a node.
func (s *Service) Grant(ctx context.Context, id string, r RoleAt) (User, error) {
	scope, u, err := s.target(ctx, id)
	if err != nil {
		return u, err
	}
	g, err := s.checkGrant(ctx, scope, r)
	if err != nil {
		return u, err
	}
	for _, have := range u.Roles {
		if have.Role == g.Role && have.OrgCode == g.OrgCode {
			return u, apperr.New(apperr.Conflict, "user.grant_exists")
		}
	}
	if err := separateDuties(append(slices.Clone(u.Roles), g)); err != nil {
		return u, err
	}
	e := s.auditEntry(ctx, scope, []access.Grant{g}, "user.grant", id)
	e.Before = audit.Summary(summarize(u.Roles))
	e.After = audit.Summary(summarize(append(slices.Clone(u.Roles), g)))
	return s.apply(ctx, scope, u, e, func(tx *sql.Tx) error {
		if err := s.checkGrantInTx(ctx, tx, id, g); err != nil {
			return err
		}
		return s.insertGrant(ctx, tx, id, g, s.Now().UTC())
	})
}

// Revoke takes a role grant away. The grant's node must be in the caller's scope.
func (s *Service) Revoke(ctx context.Context, id, grantID string) (User, error) {
	scope, u, err := s.target(ctx, id)
	if err != nil {
		return u, err
	}
	idx := slices.IndexFunc(u.Roles, func(g access.Grant) bool { return g.ID == grantID })
	if idx < 0 || !scope.Covers(u.Roles[idx].OrgPath) {
		return u, apperr.New(apperr.NotFound, "user.grant_not_found")
	}
	e := s.auditEntry(ctx, scope, []access.Grant{u.Roles[idx]}, "user.revoke", id)
	e.Before = audit.Summary(summarize(u.Roles))
	e.After = audit.Summary(summarize(slices.Delete(slices.Clone(u.Roles), idx, idx+1)))
	return s.apply(ctx, scope, u, e, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM role_grants WHERE id = $1 AND user_id = $2`, grantID, id); err != nil {
			return fmt.Errorf("revoke: %w", err)
		}
		return nil
	})
}
