package auth

// Two-factor sign-in for staff (等保 2.0 level 3, GB/T 22239-2019 8.1.4.1 c: 应采用口令、密码技术、
// 生物技术等两种或两种以上组合的鉴别技术对用户进行身份鉴别). A password that is right opens no
// session by itself when the account has a second factor, or must have one: Login answers a
// challenge instead, and POST /api/v1/auth/mfa/verify with a TOTP code (RFC 6238) or a one-time
// recovery code turns it into a session. An account of a role in Policy.MFARoles that has no
// second factor yet gets an enrolment challenge: the page shows the secret as a QR code and the
// first code confirms it. Wrong codes are throttled as wrong passwords are (throttle.go), under a
// key of their own that a right password does not clear.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/token"
)

// Kinds of second-factor challenge (Result.MFA).
const (
	MFAVerify = "verify" // enter a code of the enrolled authenticator, or a recovery code
	MFAEnrol  = "enrol"  // set up an authenticator first (the role requires one)
)

const (
	mfaChallengeTTL  = 5 * time.Minute
	mfaPeriod        = 30 // seconds per TOTP time step (RFC 6238's default, what every app uses)
	mfaIssuer        = "一网统管"
	recoveryCodes    = 10
	recoveryCodeSize = 10 // characters of base32: 50 bits, enough for a code kept only hashed
)

// MFARequired reports whether an account with grants must sign in with a second factor.
func (p Policy) MFARequired(grants []access.Grant) bool {
	for _, g := range grants {
		for _, r := range p.MFARoles {
			if g.Role == r {
				return true
			}
		}
	}
	return false
}

// secondFactor is Login's step after a right password: when the account has a second factor,
// or its role requires one, it answers a challenge instead of a session (gated true).
func (s *Service) secondFactor(ctx context.Context, userID, username, kind string, entry audit.Entry) (res Result, gated bool, err error) {
	var enrolled int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM user_mfa WHERE user_id = $1`, userID).Scan(&enrolled); err != nil {
		return res, true, fmt.Errorf("login: second factor: %w", err)
	}
	challengeKind, sealed := MFAVerify, ""
	if enrolled == 0 {
		grants, err := s.Users.Grants(ctx, userID)
		if err != nil {
			return res, true, err
		}
		if !s.Policy.MFARequired(grants) {
			return res, false, nil
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: mfaIssuer, AccountName: username, Period: mfaPeriod})
		if err != nil {
			return res, true, fmt.Errorf("login: new TOTP secret: %w", err)
		}
		challengeKind, sealed = MFAEnrol, s.Vault.For(pii.Users).Seal(key.URL())
	}
	now := s.Now().UTC()
	secret, id := newToken()
	expires := now.Add(mfaChallengeTTL)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// A new sign-in replaces the account's earlier challenges, and clears everyone's expired ones.
		if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM mfa_challenges WHERE user_id = $1 OR expires_at <= $2`, userID, now); err != nil {
			return err
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO mfa_challenges (id, user_id, kind, secret_enc, session_kind, expires_at)
			VALUES ($1,$2,$3,$4,$5,$6)`, id, userID, challengeKind, sealed, kind, expires); err != nil {
			return err
		}
		entry.After = kind + "; password right, second factor (" + challengeKind + ") pending"
		_, err := audit.Append(ctx, s.DB, tx, entry)
		return err
	})
	if err != nil {
		return res, true, fmt.Errorf("login: challenge: %w", err)
	}
	return Result{UserID: userID, ExpiresAt: expires, MFA: challengeKind, Challenge: secret}, true, nil
}

// challenge is a pending second step, with the account it belongs to.
type challenge struct {
	id, userID, kind, sealed, sessionKind string
	expires                               time.Time
	credential
}

// loadChallenge finds a live challenge; an unknown or expired one is Unauthenticated.
func (s *Service) loadChallenge(ctx context.Context, secret string) (challenge, error) {
	var c challenge
	if secret == "" || len(secret) > 128 {
		return c, apperr.New(apperr.Unauthenticated, "auth.mfa_challenge_expired")
	}
	c.id = tokenID(secret)
	err := s.DB.QueryRow(ctx, `SELECT c.user_id, c.kind, c.secret_enc, c.session_kind, c.expires_at,
		u.username, u.disabled, u.must_change_password, u.password_changed_at
		FROM mfa_challenges c JOIN users u ON u.id = c.user_id WHERE c.id = $1`, c.id).
		Scan(&c.userID, &c.kind, &c.sealed, &c.sessionKind, &c.expires,
			&c.username, &c.disabled, &c.must, &c.changed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.Unauthenticated, "auth.mfa_challenge_expired")
	}
	if err != nil {
		return c, fmt.Errorf("second factor: %w", err)
	}
	c.credential.id = c.userID
	if !s.Now().Before(c.expires) {
		s.DB.Exec(ctx, `DELETE FROM mfa_challenges WHERE id = $1`, c.id)
		return c, apperr.New(apperr.Unauthenticated, "auth.mfa_challenge_expired")
	}
	return c, nil
}

// Enrolment is what an authenticator app needs: the secret, as text and as a QR code.
type Enrolment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
	// QR is a PNG drawn by the server (no outside service sees the secret), as a data: URL.
	QR string `json:"qr"`
}

// Enrolment shows the secret of an enrolment challenge (as often as asked, until confirmed).
func (s *Service) Enrolment(ctx context.Context, secret string) (Enrolment, error) {
	c, err := s.loadChallenge(ctx, secret)
	if err != nil {
		return Enrolment{}, err
	}
	if c.kind != MFAEnrol {
		return Enrolment{}, apperr.New(apperr.Conflict, "auth.mfa_enrolled")
	}
	key, err := s.openKey(c.sealed)
	if err != nil {
		return Enrolment{}, err
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return Enrolment{}, fmt.Errorf("enrolment QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("enrolment QR code: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(),
		QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

func (s *Service) openKey(sealed string) (*otp.Key, error) {
	url, err := s.Vault.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("open TOTP secret: %w", err)
	}
	return otp.NewKeyFromURL(url)
}

// matchStep returns the time step whose code is code, within one step either side of now (a
// phone's clock may be off by a little), or false.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	current := now.Unix() / mfaPeriod
	for _, step := range []int64{current, current - 1, current + 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// isTOTPCode reports whether code has the shape of an authenticator's code (6 digits).
func isTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// newRecoveryCodes makes the one-time codes shown once at enrolment ("ABCDE-FGHJK").
func newRecoveryCodes() []string {
	codes := make([]string, recoveryCodes)
	for i := range codes {
		b := make([]byte, 7)
		rand.Read(b) // never fails (crypto/rand panics rather than return short)
		c := base32.StdEncoding.EncodeToString(b)[:recoveryCodeSize]
		codes[i] = c[:5] + "-" + c[5:]
	}
	return codes
}

// recoveryHash is what the database keeps of a recovery code; case and dashes do not matter.
func recoveryHash(code string) string {
	return token.Hash(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", "")))
}
