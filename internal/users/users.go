// Package users manages accounts and the roles they hold at org nodes. Reads and writes are
// scoped through package access: a security administrator manages the accounts below their node,
// a leader reads them, nobody else sees other people's accounts.
package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/password"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// User is an account as the API shows it: the phone only masked, never the hash.
type User struct {
	ID                 string         `json:"id"`
	Username           string         `json:"username"`
	DisplayName        string         `json:"display_name"`
	PhoneMasked        string         `json:"phone,omitempty"`
	Disabled           bool           `json:"disabled"`
	LockedUntil        *time.Time     `json:"locked_until,omitempty"`
	MustChangePassword bool           `json:"must_change_password"`
	Roles              []access.Grant `json:"roles"`
	CreatedAt          time.Time      `json:"created_at"`
	LastLoginAt        *time.Time     `json:"last_login_at,omitempty"`
}

// RoleAt names a role and the org node where it is held.
type RoleAt struct {
	Role    access.Role `json:"role"`
	OrgCode string      `json:"org_code"`
}

// NewUser is what creating an account takes.
type NewUser struct {
	Username           string   `json:"username"`
	DisplayName        string   `json:"display_name"`
	Phone              string   `json:"phone,omitempty"`
	Password           string   `json:"password"`
	MustChangePassword *bool    `json:"must_change_password,omitempty"`
	Roles              []RoleAt `json:"roles"`
}

// Service reads and changes accounts.
type Service struct {
	DB     *db.DB
	Org    *org.Service
	Vault  *pii.Vault
	Hasher *password.Hasher
	Now    func() time.Time
	// Changed is told after an account's status or rights changed (sign-in caches drop it).
	Changed func(userID string)
}

func (s *Service) changed(userID string) {
	if s.Changed != nil {
		s.Changed(userID)
	}
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$`)

func checkNames(username, displayName string) error {
	if !usernamePattern.MatchString(username) {
		return apperr.New(apperr.Invalid, "user.bad_username")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(displayName)); n == 0 || n > 64 {
		return apperr.New(apperr.Invalid, "user.bad_display_name")
	}
	return nil
}

const userColumns = `u.id, u.username, u.display_name, u.phone_masked, u.disabled, u.locked_until,
	u.must_change_password, u.created_at, u.last_login_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var locked, last sql.NullTime
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PhoneMasked, &u.Disabled, &locked,
		&u.MustChangePassword, &u.CreatedAt, &last)
	if locked.Valid {
		t := locked.Time.UTC()
		u.LockedUntil = &t
	}
	if last.Valid {
		t := last.Time.UTC()
		u.LastLoginAt = &t
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// inScope is the SQL condition "the account holds a role somewhere the scope covers"; accounts
// with no role at all belong to whoever reaches a whole district.
func inScope(scope access.Scope, next int) (string, []any) {
	cond, args := scope.PathCondition("g.org_path", next)
	cond = `(EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND ` + cond + `)`
	if scope.DistrictWide() {
		cond += ` OR NOT EXISTS (SELECT 1 FROM role_grants g2 WHERE g2.user_id = u.id)`
	}
	return cond + ")", args
}

// Filter narrows List.
type Filter struct {
	Query   string      // part of the username or display name
	Role    access.Role // holds this role
	OrgCode string      // holds a role at or below this node
	Limit   int
	After   string // cursor: username to continue after
}

// List returns the accounts the caller may read, ordered by username.
func (s *Service) List(ctx context.Context, f Filter) ([]User, error) {
	scope, err := access.Need(ctx, access.UserRead)
	if err != nil {
		return nil, err
	}
	cond, args := inScope(scope, 1)
	conds := []string{cond}
	if f.Query != "" {
		args = append(args, "%"+strings.ToLower(f.Query)+"%")
		conds = append(conds, fmt.Sprintf("(lower(u.username) LIKE $%d OR lower(u.display_name) LIKE $%d)", len(args), len(args)))
	}
	if f.Role != "" {
		args = append(args, string(f.Role))
		conds = append(conds, fmt.Sprintf("EXISTS (SELECT 1 FROM role_grants r WHERE r.user_id = u.id AND r.role = $%d)", len(args)))
	}
	if f.OrgCode != "" {
		node, err := s.Org.NodeByCode(ctx, f.OrgCode)
		if err != nil {
			return nil, err
		}
		args = append(args, node.Path)
		conds = append(conds, fmt.Sprintf("EXISTS (SELECT 1 FROM role_grants r WHERE r.user_id = u.id AND substr(r.org_path, 1, %d) = $%d)", len(node.Path), len(args)))
	}
	if f.After != "" {
		args = append(args, f.After)
		conds = append(conds, fmt.Sprintf("u.username > $%d", len(args)))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	args = append(args, f.Limit)
	rows, err := s.DB.Query(ctx, `SELECT `+userColumns+` FROM users u WHERE `+
		strings.Join(conds, " AND ")+fmt.Sprintf(` ORDER BY u.username LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Roles, err = s.Grants(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Get returns one account the caller may read (not found when out of scope).
func (s *Service) Get(ctx context.Context, id string) (User, error) {
	scope, err := access.Need(ctx, access.UserRead)
	if err != nil {
		return User{}, err
	}
	return s.getScoped(ctx, scope, id)
}

func (s *Service) getScoped(ctx context.Context, scope access.Scope, id string) (User, error) {
	cond, args := inScope(scope, 2)
	row := s.DB.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 AND `+cond,
		append([]any{id}, args...)...)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "user.not_found")
	}
	if err != nil {
		return u, fmt.Errorf("get user: %w", err)
	}
	u.Roles, err = s.Grants(ctx, id)
	return u, err
}

// Grants returns the roles a user holds, with node names. Internal: callers check scope.
func (s *Service) Grants(ctx context.Context, userID string) ([]access.Grant, error) {
	rows, err := s.DB.Query(ctx, `SELECT g.id, g.role, g.org_code, g.org_path, n.name, n.kind
		FROM role_grants g JOIN org_nodes n ON n.code = g.org_code WHERE g.user_id = $1 ORDER BY g.created_at, g.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("read grants: %w", err)
	}
	defer rows.Close()
	out := []access.Grant{}
	for rows.Next() {
		var g access.Grant
		var role string
		if err := rows.Scan(&g.ID, &role, &g.OrgCode, &g.OrgPath, &g.OrgName, &g.NodeKind); err != nil {
			return nil, fmt.Errorf("read grants: %w", err)
		}
		g.Role = access.Role(role)
		out = append(out, g)
	}
	return out, rows.Err()
}

// ByUsername returns one account the caller may read, by username.
func (s *Service) ByUsername(ctx context.Context, username string) (User, error) {
	var id string
	err := s.DB.QueryRow(ctx, `SELECT id FROM users WHERE lower(username) = lower($1)`, username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.New(apperr.NotFound, "user.not_found")
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	return s.Get(ctx, id)
}
