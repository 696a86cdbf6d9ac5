// Package auth signs people in and out: password sign-in with lockout, sessions that end after a
// configurable idle time (cookie for browsers, bearer token for API clients), resident sign-up by
// phone with an SMS code, and the middleware that puts the caller into each request's context.
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/password"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/sms"
	"github.com/yiwang-gov/yiwang/internal/token"
	"github.com/yiwang-gov/yiwang/internal/users"
)

// Policy holds the security settings (等保 2.0 defaults).
type Policy struct {
	MaxFailures     int           // failures of one account from one address before the delay starts (5)
	FirstDelay      time.Duration // first delay; it doubles with each further failure (1 s)
	LockFor         time.Duration // longest delay (15 min; throttle.go)
	IPMaxFailures   int           // failures from one address, any usernames, per IPWindow (20)
	IPWindow        time.Duration // (15 min)
	IdleTimeout     time.Duration // session ends after this long without a request (30 min)
	MaxSession      time.Duration // session ends this long after sign-in whatever happens (12 h)
	PasswordMaxAge  time.Duration // staff must change passwords this often (90 days; 0 = never)
	CodeTTL         time.Duration // SMS code validity (5 min)
	CodeInterval    time.Duration // minimum time between two codes to one phone (60 s)
	CodeMaxAttempts int           // wrong codes before the code is void (5)
	MFARoles        []access.Role // roles that must sign in with a second factor (mfa.go)
}

// DefaultPolicy is the policy unless configured otherwise.
var DefaultPolicy = Policy{MaxFailures: 5, FirstDelay: time.Second, LockFor: 15 * time.Minute, IPMaxFailures: 20,
	IPWindow: 15 * time.Minute, IdleTimeout: 30 * time.Minute,
	MaxSession: 12 * time.Hour, PasswordMaxAge: 90 * 24 * time.Hour, CodeTTL: 5 * time.Minute,
	CodeInterval: time.Minute, CodeMaxAttempts: 5}

// Service signs people in and out.
type Service struct {
	DB     *db.DB
	Users  *users.Service
	Org    *org.Service
	Vault  *pii.Vault
	Hasher *password.Hasher
	SMS    sms.Gateway
	Policy Policy
	Now    func() time.Time

	dummyOnce sync.Once
	dummy     string

	// principals caches a session's caller for principalTTL, so a burst of API calls does not
	// read the session and the grants for every request. Changes to an account (Forget) and
	// sign-out drop the entry at once on this node; other nodes see them within principalTTL.
	principals sync.Map // token id → cachedPrincipal

	codeLimits codeLimits   // sign-in codes asked per client address (smslogin.go)
	consents   consentTexts // the 用户协议 and 隐私政策 in force (account.go)
}

const principalTTL = 2 * time.Second

type cachedPrincipal struct {
	p  *access.Principal
	at time.Time
}

// Forget drops the cached sessions of a user (after a change of their account or rights).
func (s *Service) Forget(userID string) {
	s.principals.Range(func(k, v any) bool {
		if v.(cachedPrincipal).p.UserID == userID {
			s.principals.Delete(k)
		}
		return true
	})
}

// Session kinds.
const (
	Cookie = "cookie"
	Bearer = "bearer"
)

// Result of a successful sign-in.
type Result struct {
	Token              string    `json:"token,omitempty"`
	ExpiresAt          time.Time `json:"expires_at"`
	UserID             string    `json:"user_id"`
	MustChangePassword bool      `json:"must_change_password"`
	// MFA, when set, says the password was right but a second step remains (mfa.go): no
	// session yet, Token is empty and Challenge is the key of that step.
	MFA           string   `json:"mfa,omitempty"`
	Challenge     string   `json:"challenge,omitempty"`
	RecoveryCodes []string `json:"recovery_codes,omitempty"` // shown once, at enrolment
}

// newToken makes a session token (32 random bytes) and its ID.
func newToken() (secret, id string) {
	secret = token.New(32)
	return secret, tokenID(secret)
}

// tokenID is what the database keeps: a stolen database does not yield usable tokens.
func tokenID(secret string) string { return token.Hash(secret) }

type credential struct {
	id, username, hash string
	disabled, must     bool
	changed            time.Time
}

func (s *Service) findCredential(ctx context.Context, login string) (credential, bool, error) {
	var c credential
	q := `SELECT id, username, password_hash, disabled, must_change_password, password_changed_at
		FROM users WHERE `
	var arg any
	if phone, ok := pii.NormalizePhone(login); ok {
		q += `phone_hash = $1`
		arg = s.Vault.Hash(phone)
	} else {
		q += `lower(username) = lower($1)`
		arg = login
	}
	err := s.DB.QueryRow(ctx, q, arg).Scan(&c.id, &c.username, &c.hash, &c.disabled, &c.must, &c.changed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// Login checks a username (or a resident's phone number) and password and opens a session.
func (s *Service) Login(ctx context.Context, login, pw, kind, ip string) (Result, error) {
	now := s.Now().UTC()
	login = strings.TrimSpace(login)
	if login == "" || pw == "" || len(login) > 128 || len(pw) > 256 {
		return Result{}, apperr.New(apperr.Invalid, "auth.bad_credentials")
	}
	c, found, err := s.findCredential(ctx, login)
	if err != nil {
		return Result{}, fmt.Errorf("login: %w", err)
	}
	entry := audit.Entry{At: now, ActorID: c.id, ActorName: c.username, Action: "auth.login", ObjectType: "user",
		ObjectID: c.id, IP: ip, OrgPath: "/"}
	if grants, _ := s.grantsOf(ctx, c.id, found); len(grants) > 0 {
		entry.Role, entry.OrgCode, entry.OrgPath = string(grants[0].Role), grants[0].OrgCode, grants[0].OrgPath
	}
	// Counted before the password is checked (throttle.go); a throttled attempt checks nothing.
	key := throttleKey(c, found, login)
	if err := s.admit(ctx, key, ip, now); err != nil {
		entry.Result, entry.After = audit.Denied, "throttled"
		return Result{}, s.deny(ctx, entry, err)
	}
	if !found {
		// Same work as for a real account, so timing does not reveal which usernames exist.
		s.dummyOnce.Do(func() { s.dummy = s.Hasher.Dummy(ctx) })
		s.Hasher.Verify(ctx, pw, s.dummy)
		entry.ActorName, entry.After = "", "unknown account"
		return Result{}, s.failed(ctx, key, entry, now)
	}
	ok, err := s.Hasher.Verify(ctx, pw, c.hash)
	if err != nil && !errors.Is(err, password.ErrMalformed) {
		return Result{}, err
	}
	if !ok {
		entry.After = "wrong password"
		return Result{}, s.failed(ctx, key, entry, now)
	}
	return s.signIn(ctx, c, key, ip, kind, entry, now, "")
}

// signIn ends a sign-in whose secret was right (a password, an SMS code): the throttle forgets
// the failures, a disabled account is refused, a second factor is asked for when the account has
// or needs one (mfa.go), else the session opens; audited with how (e.g. "sms code").
func (s *Service) signIn(ctx context.Context, c credential, key, ip, kind string, entry audit.Entry, now time.Time, how string) (Result, error) {
	if err := s.succeeded(ctx, key, ip); err != nil {
		return Result{}, err
	}
	if c.disabled {
		entry.Result, entry.After = audit.Denied, "disabled"
		return Result{}, s.deny(ctx, entry, apperr.New(apperr.Forbidden, "auth.disabled"))
	}
	if res, gated, err := s.secondFactor(ctx, c.id, c.username, kind, entry); gated {
		return res, err
	}
	var res Result
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if res, err = s.openSession(ctx, tx, c, kind, now); err != nil {
			return err
		}
		entry.After = kind
		if how != "" {
			entry.After += "; " + how
		}
		_, err = audit.Append(ctx, s.DB, tx, entry)
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("sign in: %w", err)
	}
	return res, nil
}

func (s *Service) grantsOf(ctx context.Context, userID string, found bool) ([]access.Grant, error) {
	if !found {
		return nil, nil
	}
	return s.Users.Grants(ctx, userID)
}

func onlyResident(grants []access.Grant) bool {
	for _, g := range grants {
		if g.Role != access.Resident {
			return false
		}
	}
	return true
}

// failed records a wrong password (already counted by admit) and answers 401, or 429 when this
// failure started a delay.
func (s *Service) failed(ctx context.Context, key string, entry audit.Entry, now time.Time) error {
	entry.Result = audit.Denied
	if wait := s.waitAfterFailure(ctx, key, entry.IP, now); wait > 0 {
		return s.deny(ctx, entry, throttled(wait))
	}
	return s.deny(ctx, entry, apperr.New(apperr.Unauthenticated, "auth.bad_credentials"))
}

func (s *Service) deny(ctx context.Context, entry audit.Entry, err error) error {
	if aerr := audit.Record(ctx, s.DB, entry); aerr != nil {
		return fmt.Errorf("login: %w", aerr)
	}
	return err
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	p, _ := access.From(ctx)
	s.principals.Delete(tokenID(token))
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := s.DB.TxExec(ctx, tx, `DELETE FROM sessions WHERE id = $1`, tokenID(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || p == nil {
			return nil
		}
		e := audit.For(access.ActorOf(ctx, access.Grant{}), s.Now(), "auth.logout", "user", p.UserID)
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
}

// Authenticate returns the caller for a session token, or an Unauthenticated error when the token
// is unknown, expired or idle too long, or the account is disabled.
func (s *Service) Authenticate(ctx context.Context, token, ip string) (*access.Principal, error) {
	now := s.Now().UTC()
	id := tokenID(token)
	if v, ok := s.principals.Load(id); ok {
		c := v.(cachedPrincipal)
		if d := now.Sub(c.at); d >= 0 && d < principalTTL {
			p := *c.p // each request gets its own copy; the grants are shared read-only
			p.IP = ip
			return &p, nil
		}
		s.principals.Delete(id)
	}
	var p access.Principal
	var lastSeen, expires time.Time
	var disabled bool
	err := s.DB.QueryRow(ctx, `SELECT s.user_id, s.last_seen_at, s.expires_at, u.username, u.display_name,
		u.disabled, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id).
		Scan(&p.UserID, &lastSeen, &expires, &p.Username, &p.DisplayName, &disabled, &p.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthenticated, "auth.session_expired")
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if disabled || !now.Before(expires) || now.Sub(lastSeen) >= s.Policy.IdleTimeout {
		s.DB.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		return nil, apperr.New(apperr.Unauthenticated, "auth.session_expired")
	}
	// Touch the session at most once a minute: enough for a 30-minute idle timeout, and it
	// keeps reads from turning into writes.
	if now.Sub(lastSeen) > time.Minute {
		if _, err := s.DB.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, now, id); err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
	}
	if p.Grants, err = s.Users.Grants(ctx, p.UserID); err != nil {
		return nil, err
	}
	p.SessionID = id
	cached := p
	s.principals.Store(id, cachedPrincipal{p: &cached, at: now})
	p.IP = ip
	return &p, nil
}

// ChangePassword lets the signed-in user replace their own password.
func (s *Service) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	p, ok := access.From(ctx)
	if !ok || p.System {
		return apperr.New(apperr.Unauthenticated, "auth.required")
	}
	var hash string
	if err := s.DB.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, p.UserID).Scan(&hash); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if ok, _ := s.Hasher.Verify(ctx, oldPassword, hash); !ok {
		return apperr.New(apperr.Invalid, "auth.wrong_old_password")
	}
	if oldPassword == newPassword {
		return apperr.New(apperr.Invalid, "auth.same_password")
	}
	if err := password.CheckStrength(newPassword, p.Username, p.DisplayName); err != nil {
		return err
	}
	newHash, err := s.Hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE users SET password_hash = $1, must_change_password = false,
			password_changed_at = $2, updated_at = $2 WHERE id = $3`, newHash, now, p.UserID); err != nil {
			return err
		}
		// Other sessions end: whoever knew the old password is signed out.
		if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, p.UserID, p.SessionID); err != nil {
			return err
		}
		_, err := audit.Append(ctx, s.DB, tx, audit.For(access.ActorOf(ctx, access.Grant{}), now, "auth.change_password", "user", p.UserID))
		return err
	})
	if err == nil {
		s.Forget(p.UserID)
	}
	return err
}

// PurgeSessions deletes sessions that have ended, and sign-in failures no longer counted (run
// periodically).
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.Now().UTC()
	if err := s.purgeFailures(ctx, now); err != nil {
		return 0, fmt.Errorf("purge sign-in failures: %w", err)
	}
	res, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`,
		now, now.Add(-s.Policy.IdleTimeout))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
