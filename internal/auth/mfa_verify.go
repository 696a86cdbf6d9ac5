package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// errWrongCode is a code that does not open the challenge: wrong, already used in its time step
// (a replay) or a spent recovery code. All three answer alike.
var errWrongCode = errors.New("wrong second-factor code")

// VerifySecondFactor takes the code of a challenge (a TOTP code, or a recovery code for an
// enrolled account) and opens the session. An enrolment challenge's first code confirms the
// secret, and the answer carries the recovery codes, shown this once.
func (s *Service) VerifySecondFactor(ctx context.Context, secret, code, ip string) (Result, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 32 {
		return Result{}, apperr.New(apperr.Invalid, "auth.mfa_bad_code")
	}
	c, err := s.loadChallenge(ctx, secret)
	if err != nil {
		return Result{}, err
	}
	now := s.Now().UTC()
	entry := audit.Entry{At: now, ActorID: c.userID, ActorName: c.username, Action: "auth.mfa", ObjectType: "user",
		ObjectID: c.userID, IP: ip, OrgPath: "/"}
	if grants, err := s.Users.Grants(ctx, c.userID); err == nil && len(grants) > 0 {
		entry.Role, entry.OrgCode, entry.OrgPath = string(grants[0].Role), grants[0].OrgCode, grants[0].OrgPath
	}
	if c.disabled {
		entry.Result, entry.After = audit.Denied, "disabled"
		return Result{}, s.deny(ctx, entry, apperr.New(apperr.Forbidden, "auth.disabled"))
	}
	// Counted before the code is checked, like a password (throttle.go).
	key := mfaThrottleKey(c.userID)
	if err := s.admit(ctx, key, ip, now); err != nil {
		entry.Result, entry.After = audit.Denied, "throttled"
		return Result{}, s.deny(ctx, entry, err)
	}
	var res Result
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c.kind == MFAEnrol {
			res.RecoveryCodes, err = s.confirmEnrolment(ctx, tx, c, code, now, entry)
		} else {
			err = s.claimCode(ctx, tx, c.userID, code, now)
		}
		if err != nil {
			return err
		}
		// The challenge is spent; a second use of it in a race finds no row and fails.
		gone, err := s.DB.TxExec(ctx, tx, `DELETE FROM mfa_challenges WHERE id = $1`, c.id)
		if err != nil {
			return err
		}
		if n, _ := gone.RowsAffected(); n != 1 {
			return apperr.New(apperr.Unauthenticated, "auth.mfa_challenge_expired")
		}
		opened, err := s.openSession(ctx, tx, c.credential, c.sessionKind, now)
		if err != nil {
			return err
		}
		res.Token, res.ExpiresAt, res.UserID, res.MustChangePassword = opened.Token, opened.ExpiresAt, c.userID, opened.MustChangePassword
		login := entry
		login.Action, login.After = "auth.login", c.sessionKind+"; second factor"
		_, err = audit.Append(ctx, s.DB, tx, login)
		return err
	})
	if errors.Is(err, errWrongCode) {
		entry.Result, entry.After = audit.Denied, "wrong second-factor code"
		if wait := s.waitAfterFailure(ctx, key, ip, now); wait > 0 {
			return Result{}, s.deny(ctx, entry, throttled(wait))
		}
		return Result{}, s.deny(ctx, entry, apperr.New(apperr.Unauthenticated, "auth.mfa_wrong_code"))
	}
	if err != nil {
		return Result{}, fmt.Errorf("second factor: %w", err)
	}
	return res, s.succeeded(ctx, key, ip)
}

// claimCode accepts a code of an enrolled account once: a TOTP code only for a time step newer
// than the last accepted one (the UPDATE is the check, so two requests racing with one code
// cannot both win), a recovery code only while unused.
func (s *Service) claimCode(ctx context.Context, tx *sql.Tx, userID, code string, now time.Time) error {
	var res sql.Result
	if isTOTPCode(code) {
		var sealed string
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT secret_enc FROM user_mfa WHERE user_id = $1`, userID).Scan(&sealed); err != nil {
			return fmt.Errorf("second factor of %s: %w", userID, err)
		}
		secret, err := s.Vault.Open(sealed)
		if err != nil {
			return fmt.Errorf("open TOTP secret: %w", err)
		}
		step, ok := matchStep(secret, code, now)
		if !ok {
			return errWrongCode
		}
		res, err = s.DB.TxExec(ctx, tx, `UPDATE user_mfa SET last_step = $1 WHERE user_id = $2 AND last_step < $1`, step, userID)
		if err != nil {
			return err
		}
	} else {
		var err error
		res, err = s.DB.TxExec(ctx, tx, `UPDATE mfa_recovery_codes SET used_at = $1
			WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`, now, userID, recoveryHash(code))
		if err != nil {
			return err
		}
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errWrongCode
	}
	return nil
}

// confirmEnrolment stores the secret of an enrolment challenge once its first code is right, with
// new recovery codes (returned, shown once; only their hashes are kept).
func (s *Service) confirmEnrolment(ctx context.Context, tx *sql.Tx, c challenge, code string, now time.Time, entry audit.Entry) ([]string, error) {
	key, err := s.openKey(c.sealed)
	if err != nil {
		return nil, err
	}
	step, ok := matchStep(key.Secret(), code, now)
	if !isTOTPCode(code) || !ok {
		return nil, errWrongCode
	}
	// A second factor reset or set up meanwhile is replaced: this one is what the user holds.
	for _, q := range []string{`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, `DELETE FROM user_mfa WHERE user_id = $1`} {
		if _, err := s.DB.TxExec(ctx, tx, q, c.userID); err != nil {
			return nil, err
		}
	}
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO user_mfa (user_id, secret_enc, enabled_at, last_step) VALUES ($1,$2,$3,$4)`,
		c.userID, s.Vault.For(pii.Users).Seal(key.Secret()), now, step); err != nil {
		return nil, err
	}
	codes := newRecoveryCodes()
	for _, rc := range codes {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1,$2)`,
			c.userID, recoveryHash(rc)); err != nil {
			return nil, err
		}
	}
	entry.Action, entry.After = "auth.mfa_enrol", "totp"
	_, err = audit.Append(ctx, s.DB, tx, entry)
	return codes, err
}

// mfaThrottleKey counts wrong codes apart from wrong passwords: a right password clears the
// password failures of its address, and must not give a code guesser fresh attempts (等保 2.0
// 8.1.4.1 b 登录失败处理).
func mfaThrottleKey(userID string) string { return "mfa:" + userID }

// openSession opens the session of a sign-in that passed every factor, as Login does after the
// password: the failure count starts again and the password must be changed when it is
// provisional or too old.
func (s *Service) openSession(ctx context.Context, tx *sql.Tx, c credential, kind string, now time.Time) (Result, error) {
	must := c.must
	if s.Policy.PasswordMaxAge > 0 && now.Sub(c.changed) > s.Policy.PasswordMaxAge {
		if grants, _ := s.Users.Grants(ctx, c.id); len(grants) > 0 && !onlyResident(grants) {
			must = true
		}
	}
	token, id := newToken()
	expires := now.Add(s.Policy.MaxSession)
	if _, err := s.DB.TxExec(ctx, tx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1,
		must_change_password = $2 WHERE id = $3`, now, must, c.id); err != nil {
		return Result{}, err
	}
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO sessions (id, user_id, kind, created_at, last_seen_at, expires_at)
		VALUES ($1,$2,$3,$4,$4,$5)`, id, c.id, kind, now, expires); err != nil {
		return Result{}, err
	}
	return Result{Token: token, ExpiresAt: expires, UserID: c.id, MustChangePassword: must}, nil
}
