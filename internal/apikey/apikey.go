// Package apikey issues and checks the keys of client applications (Open311 GeoReport v2 clients:
// city apps, FixMyStreet-style sites, integrators). A district-level sys_admin creates a key for a
// named client and revokes it; the key itself is 32 random bytes shown once, and only its SHA-256
// is stored. Every request made with a key passes a per-key token bucket.
package apikey

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/token"
)

// Service stores keys and checks them.
type Service struct {
	DB  *db.DB
	Now func() time.Time
	// Limiter rate-limits requests per key; nil means DefaultRate.
	Limiter *Limiter
}

// Key is a client application's key, without the secret.
type Key struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	RatePerMinute int        `json:"rate_per_minute,omitempty"` // 0: the server's default
	CreatedAt     time.Time  `json:"created_at"`
	CreatedBy     string     `json:"created_by"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the key may be used.
func (k Key) Active() bool { return k.RevokedAt == nil }

// Prefix starts every key, so that secret scanners and people recognise one.
const Prefix = "yw311_"

// MaxRatePerMinute bounds a key's own rate.
const MaxRatePerMinute = 6000

var validName = regexp.MustCompile(`^[\p{L}\p{N}._-]{2,64}$`)

// needAdmin checks that the caller administers the whole district: a sys_admin held at the
// district node, or the operator at the machine (CLI).
func needAdmin(ctx context.Context) (access.Grant, error) {
	p, ok := access.From(ctx)
	if !ok {
		return access.Grant{}, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	if p.MustChangePassword {
		return access.Grant{}, apperr.New(apperr.Forbidden, "auth.must_change_password")
	}
	if p.System {
		return p.Grants[0], nil
	}
	for _, g := range p.Grants {
		if g.Role == access.SysAdmin && strings.Count(g.OrgPath, "/") == 2 {
			return g, nil
		}
	}
	return access.Grant{}, apperr.New(apperr.Forbidden, "apikey.district_admin_only")
}

// NewSecret returns a new key: the prefix and 32 random bytes, base64url.
func NewSecret() string { return Prefix + token.New(32) }

// Hash is what the database keeps of a key.
func Hash(secret string) string { return token.Hash(secret) }

// Create issues a key for a client application and returns it with its secret, which is never
// shown again. ratePerMinute 0 means the server's default rate.
func (s *Service) Create(ctx context.Context, name string, ratePerMinute int) (Key, string, error) {
	grant, err := needAdmin(ctx)
	if err != nil {
		return Key{}, "", err
	}
	name = strings.TrimSpace(name)
	if !validName.MatchString(name) {
		return Key{}, "", apperr.New(apperr.Invalid, "apikey.bad_name")
	}
	if ratePerMinute < 0 || ratePerMinute > MaxRatePerMinute {
		return Key{}, "", apperr.New(apperr.Invalid, "apikey.bad_rate", MaxRatePerMinute)
	}
	secret := NewSecret()
	actor := access.ActorOf(ctx, grant)
	k := Key{ID: db.NewID(), Name: name, RatePerMinute: ratePerMinute, CreatedAt: s.Now().UTC(), CreatedBy: actor.Name}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM api_keys WHERE name = $1 AND revoked_at IS NULL`, name).Scan(&n); err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "apikey.name_taken", name)
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO api_keys (id, name, key_hash, rate_per_minute, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, k.ID, k.Name, Hash(secret), k.RatePerMinute, k.CreatedAt, k.CreatedBy); err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		e := audit.For(actor, k.CreatedAt, "apikey.create", "api_key", k.ID)
		e.After = audit.Summary(map[string]any{"name": k.Name, "rate_per_minute": k.RatePerMinute})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Key{}, "", err
	}
	return k, secret, nil
}

const keyColumns = `id, name, rate_per_minute, created_at, created_by, revoked_at`

func scanKey(row interface{ Scan(...any) error }) (Key, error) {
	var k Key
	var revoked sql.NullTime
	if err := row.Scan(&k.ID, &k.Name, &k.RatePerMinute, &k.CreatedAt, &k.CreatedBy, &revoked); err != nil {
		return k, err
	}
	k.CreatedAt = k.CreatedAt.UTC()
	if revoked.Valid {
		t := revoked.Time.UTC()
		k.RevokedAt = &t
	}
	return k, nil
}

// List returns every key, active first, then by name.
func (s *Service) List(ctx context.Context) ([]Key, error) {
	if _, err := needAdmin(ctx); err != nil {
		return nil, err
	}
	keys, err := db.QueryAll(ctx, s.DB.Read, scanKey, `SELECT `+keyColumns+` FROM api_keys
		ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, name, created_at`)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

// Revoke ends the active key of the named client at once.
func (s *Service) Revoke(ctx context.Context, name string) (Key, error) {
	grant, err := needAdmin(ctx)
	if err != nil {
		return Key{}, err
	}
	now := s.Now().UTC()
	var k Key
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		k, err = scanKey(s.DB.TxQueryRow(ctx, tx, `SELECT `+keyColumns+` FROM api_keys WHERE name = $1 AND revoked_at IS NULL`, strings.TrimSpace(name)))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "apikey.not_found", name)
		}
		if err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE api_keys SET revoked_at = $2 WHERE id = $1`, k.ID, now); err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		k.RevokedAt = &now
		e := audit.For(access.ActorOf(ctx, grant), now, "apikey.revoke", "api_key", k.ID)
		e.Before = k.Name
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	return k, err
}

// Authenticate returns the active key whose secret this is. A missing, unknown or revoked key is
// refused (forbidden) alike.
func (s *Service) Authenticate(ctx context.Context, secret string) (Key, error) {
	if !strings.HasPrefix(secret, Prefix) || len(secret) > 128 {
		return Key{}, apperr.New(apperr.Forbidden, "apikey.invalid")
	}
	k, err := scanKey(s.DB.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE key_hash = $1`, Hash(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return Key{}, apperr.New(apperr.Forbidden, "apikey.invalid")
	}
	if err != nil {
		return Key{}, fmt.Errorf("check api key: %w", err)
	}
	if !k.Active() {
		return Key{}, apperr.New(apperr.Forbidden, "apikey.invalid")
	}
	return k, nil
}

// Allow takes one request from the key's token bucket; when it is empty it says how long until
// the next request may come.
func (s *Service) Allow(k Key) (bool, time.Duration) {
	l := s.Limiter
	if l == nil {
		l = defaultLimiter
	}
	return l.Allow(k.ID, k.RatePerMinute, s.Now())
}

var defaultLimiter = NewLimiter(DefaultRate)

// Principal is the caller an API client acts as: a resident of the district (it may report
// anywhere in the district and nothing more), named after the client so that events and the
// audit log say which application reported.
func Principal(k Key, districtCode string) *access.Principal {
	return &access.Principal{UserID: "apikey:" + k.ID, Username: "open311:" + k.Name, DisplayName: k.Name,
		Grants: []access.Grant{{Role: access.Resident, OrgCode: districtCode, OrgPath: "/" + districtCode + "/"}}}
}
