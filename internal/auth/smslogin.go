package auth

// Sign-in with a one-time code sent by SMS, for residents who forget passwords. The code stands
// in for the password only: an account that has or needs a second factor still takes that step
// (secondFactor), exactly as after a password.
//
// Nobody learns from these routes which numbers have an account (个人信息保护法 第五十一条:
// prevent unauthorised access to personal information): asking for a code answers alike for
// every well-formed number — the same status, body and per-number interval — and a code is
// stored for every number, but sent only to an account's. Codes live CodeTTL, are kept as keyed
// hashes, are spent by their first successful use, and void after CodeMaxAttempts checks.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/ratelimit"
	"github.com/yiwang-gov/yiwang/internal/sms"
)

// CodesPerAddress limits the sign-in codes one client address may ask for, whatever the numbers
// (SMS bombing, and probing many numbers): ten at once, then two a minute.
var CodesPerAddress = ratelimit.Rate{PerMinute: 2, Burst: 10}

// codeLimits holds the per-address buckets of sign-in codes (in memory, per node, like the
// request limits of package ratelimit).
type codeLimits struct {
	once    sync.Once
	limiter *ratelimit.Limiter
}

func (l *codeLimits) get() *ratelimit.Limiter {
	l.once.Do(func() { l.limiter = ratelimit.New(ratelimit.MaxKeys) })
	return l.limiter
}

// RequestLoginCode sends a sign-in code to phone when an enabled account has it; it answers the
// same whether or not one does. A TooMany error carries RetryAfter.
func (s *Service) RequestLoginCode(ctx context.Context, rawPhone, ip string) error {
	phone, ok := pii.NormalizePhone(rawPhone)
	if !ok {
		return apperr.New(apperr.Invalid, "auth.bad_phone")
	}
	now := s.Now().UTC()
	if ok, wait := s.codeLimits.get().Allow(now, ratelimit.Take{Key: "login code ip " + ratelimit.AddressKey(ip), Rate: CodesPerAddress}); !ok {
		return throttled(wait)
	}
	hash := s.Vault.Hash(phone)
	var sent time.Time
	err := s.DB.QueryRow(ctx, `SELECT sent_at FROM login_codes WHERE phone_hash = $1`, hash).Scan(&sent)
	if err == nil && now.Sub(sent) < s.Policy.CodeInterval {
		return throttled(s.Policy.CodeInterval - now.Sub(sent))
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("request sign-in code: %w", err)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		return fmt.Errorf("request sign-in code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if _, err := s.DB.Exec(ctx, `INSERT INTO login_codes (phone_hash, code_hash, attempts, sent_at, expires_at)
		VALUES ($1,$2,0,$3,$4) ON CONFLICT (phone_hash) DO UPDATE SET code_hash = excluded.code_hash, attempts = 0,
		sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
		hash, loginCodeHash(s.Vault, hash, code), now, now.Add(s.Policy.CodeTTL)); err != nil {
		return fmt.Errorf("request sign-in code: %w", err)
	}
	c, found, err := s.findCredential(ctx, phone)
	if err != nil {
		return fmt.Errorf("request sign-in code: %w", err)
	}
	if !found || c.disabled {
		return nil // nothing is sent, and nothing tells
	}
	return s.SMS.Send(ctx, sms.Message{Phone: phone, Template: "verification_code",
		Params: []any{code, int(s.Policy.CodeTTL.Minutes())}})
}

// loginCodeHash is what login_codes keeps of a code: keyed, and bound to the number.
func loginCodeHash(v *pii.Vault, phoneHash, code string) string {
	return v.Hash("login:" + phoneHash + ":" + code)
}

// errCodeRefused is a sign-in code that is wrong, expired, spent or of a number without an
// account: all answer alike.
var errCodeRefused = apperr.New(apperr.Unauthenticated, "auth.bad_code")

// claimLoginCode spends the code of phoneHash when it is right. Every call counts an attempt
// first, in the statement that reads the code, so parallel guesses cannot share one count;
// after CodeMaxAttempts the code is void (TooMany) until a new one is asked for.
func (s *Service) claimLoginCode(ctx context.Context, phoneHash, code string, now time.Time) error {
	var codeHash string
	var attempts int
	var expires time.Time
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.DB.TxQueryRow(ctx, tx, `UPDATE login_codes SET attempts = attempts + 1 WHERE phone_hash = $1
			RETURNING code_hash, attempts, expires_at`, phoneHash).Scan(&codeHash, &attempts, &expires)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return errCodeRefused
	}
	if err != nil {
		return fmt.Errorf("check sign-in code: %w", err)
	}
	if attempts > s.Policy.CodeMaxAttempts {
		return apperr.New(apperr.TooMany, "auth.too_many_attempts")
	}
	want := loginCodeHash(s.Vault, phoneHash, strings.TrimSpace(code))
	if !now.Before(expires) || subtle.ConstantTimeCompare([]byte(want), []byte(codeHash)) != 1 {
		return errCodeRefused
	}
	// Spent: of two requests racing with the right code, one deletes the row and the other fails.
	res, err := s.DB.Exec(ctx, `DELETE FROM login_codes WHERE phone_hash = $1 AND code_hash = $2`, phoneHash, codeHash)
	if err != nil {
		return fmt.Errorf("spend sign-in code: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errCodeRefused
	}
	return nil
}

// LoginWithCode signs in with a phone number and the code sent to it. The answer is a session,
// or a second-factor challenge where the password sign-in would give one.
func (s *Service) LoginWithCode(ctx context.Context, rawPhone, code, kind, ip string) (Result, error) {
	phone, ok := pii.NormalizePhone(rawPhone)
	code = strings.TrimSpace(code)
	if !ok || code == "" || len(code) > 16 {
		return Result{}, apperr.New(apperr.Invalid, "auth.bad_code")
	}
	now := s.Now().UTC()
	c, found, err := s.findCredential(ctx, phone)
	if err != nil {
		return Result{}, fmt.Errorf("sign in with code: %w", err)
	}
	entry := audit.Entry{At: now, ActorID: c.id, ActorName: c.username, Action: "auth.login", ObjectType: "user",
		ObjectID: c.id, IP: ip, OrgPath: "/"}
	if grants, _ := s.grantsOf(ctx, c.id, found); len(grants) > 0 {
		entry.Role, entry.OrgCode, entry.OrgPath = string(grants[0].Role), grants[0].OrgCode, grants[0].OrgPath
	}
	// Wrong codes are throttled per number and address like wrong passwords (throttle.go), on top
	// of the code's own attempt limit; numbers without an account alike.
	key := "sms:" + s.Vault.Hash(phone)
	if err := s.admit(ctx, key, ip, now); err != nil {
		entry.Result, entry.After = audit.Denied, "sms code; throttled"
		return Result{}, s.deny(ctx, entry, err)
	}
	if err := s.claimLoginCode(ctx, s.Vault.Hash(phone), code, now); err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			return Result{}, err
		}
		entry.Result, entry.After = audit.Denied, "sms code; wrong code"
		if !found {
			entry.ActorName, entry.After = "", "sms code; unknown account"
		}
		if apperr.CodeOf(err) != apperr.TooMany {
			if wait := s.waitAfterFailure(ctx, key, ip, now); wait > 0 {
				err = throttled(wait)
			}
		}
		return Result{}, s.deny(ctx, entry, err)
	}
	if !found {
		// A number without an account has no code anyone received; this cannot be reached but
		// by a code guessed right, which still opens nothing.
		entry.Result, entry.After = audit.Denied, "sms code; unknown account"
		return Result{}, s.deny(ctx, entry, errCodeRefused)
	}
	return s.signIn(ctx, c, key, ip, kind, entry, now, "sms code")
}
