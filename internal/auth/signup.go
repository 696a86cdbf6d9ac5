package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/password"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/sms"
)

// RequestCode sends a sign-up verification code to a mainland mobile number.
func (s *Service) RequestCode(ctx context.Context, rawPhone string) error {
	phone, ok := pii.NormalizePhone(rawPhone)
	if !ok {
		return apperr.New(apperr.Invalid, "auth.bad_phone")
	}
	now := s.Now().UTC()
	hash := s.Vault.Hash(phone)
	var sent time.Time
	err := s.DB.QueryRow(ctx, `SELECT sent_at FROM verification_codes WHERE phone_hash = $1`, hash).Scan(&sent)
	if err == nil && now.Sub(sent) < s.Policy.CodeInterval {
		wait := int((s.Policy.CodeInterval - now.Sub(sent)).Seconds()) + 1
		return apperr.New(apperr.TooMany, "auth.code_too_soon", wait)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("request code: %w", err)
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1000000))
	code := fmt.Sprintf("%06d", n.Int64())
	_, err = s.DB.Exec(ctx, `INSERT INTO verification_codes (phone_hash, code_hash, attempts, sent_at, expires_at)
		VALUES ($1,$2,0,$3,$4) ON CONFLICT (phone_hash) DO UPDATE SET code_hash = excluded.code_hash, attempts = 0,
		sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
		hash, s.Vault.Hash(hash+":"+code), now, now.Add(s.Policy.CodeTTL))
	if err != nil {
		return fmt.Errorf("request code: %w", err)
	}
	return s.SMS.Send(ctx, sms.Message{Phone: phone, Template: "verification_code",
		Params: []any{code, int(s.Policy.CodeTTL.Minutes())}})
}

// SignUp is what a resident sends to create an account.
type SignUp struct {
	Phone       string `json:"phone"`
	Code        string `json:"code"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	// Consent holds the versions of the 用户协议 and 隐私政策 the resident ticked, by document
	// ("terms", "privacy"): they must be the versions in force (package consent).
	Consent map[string]string `json:"consent"`
}

// SignUpResident checks the SMS code, creates a resident account at the district node and signs
// the resident in.
func (s *Service) SignUpResident(ctx context.Context, in SignUp, kind, ip string) (Result, error) {
	phone, ok := pii.NormalizePhone(in.Phone)
	if !ok {
		return Result{}, apperr.New(apperr.Invalid, "auth.bad_phone")
	}
	name := strings.TrimSpace(in.DisplayName)
	if n := len([]rune(name)); n == 0 || n > 64 {
		return Result{}, apperr.New(apperr.Invalid, "user.bad_display_name")
	}
	if err := password.CheckStrength(in.Password); err != nil {
		return Result{}, err
	}
	if err := s.checkConsent(in.Consent); err != nil {
		return Result{}, err
	}
	district, ok, err := s.Org.DistrictNode(ctx)
	if err != nil || !ok {
		return Result{}, fmt.Errorf("sign up: no district configured: %w", err)
	}
	hash := s.Vault.Hash(phone)
	if err := s.checkCode(ctx, hash, in.Code); err != nil {
		return Result{}, err
	}
	pwHash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return Result{}, err
	}
	now := s.Now().UTC()
	id := db.NewID()
	username := "r" + hash[:12]
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM users WHERE phone_hash = $1`, hash).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return apperr.New(apperr.Conflict, "auth.phone_taken")
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO users (id, username, display_name, phone_enc, phone_hash, phone_masked,
			password_hash, must_change_password, password_changed_at, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,false,$8,$8,$8)`,
			id, username, name, s.Vault.For(pii.Users).Seal(phone), hash, pii.MaskPhone(phone), pwHash, now); err != nil {
			return fmt.Errorf("sign up: %w", err)
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO role_grants (id, user_id, role, org_code, org_path, created_at)
			VALUES ($1,$2,$3,$4,$5,$6)`, db.NewID(), id, string(access.Resident), district.Code, district.Path, now); err != nil {
			return fmt.Errorf("sign up: %w", err)
		}
		if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM verification_codes WHERE phone_hash = $1`, hash); err != nil {
			return err
		}
		if err := s.Consents().Accept(ctx, s.DB, tx, id, now); err != nil {
			return err
		}
		e := audit.Entry{At: now, ActorID: id, ActorName: username, Role: string(access.Resident), OrgCode: district.Code,
			OrgPath: district.Path, Action: "auth.signup", ObjectType: "user", ObjectID: id, IP: ip,
			After: audit.Summary(map[string]string{"phone": pii.MaskPhone(phone),
				"terms": in.Consent["terms"], "privacy": in.Consent["privacy"]})}
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return s.Login(ctx, phone, in.Password, kind, ip)
}

// checkCode compares a code with the one sent, counting wrong attempts.
func (s *Service) checkCode(ctx context.Context, phoneHash, code string) error {
	var codeHash string
	var attempts int
	var expires time.Time
	err := s.DB.QueryRow(ctx, `SELECT code_hash, attempts, expires_at FROM verification_codes WHERE phone_hash = $1`,
		phoneHash).Scan(&codeHash, &attempts, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.Invalid, "auth.bad_code")
	}
	if err != nil {
		return fmt.Errorf("check code: %w", err)
	}
	if attempts >= s.Policy.CodeMaxAttempts {
		return apperr.New(apperr.TooMany, "auth.too_many_attempts")
	}
	if !s.Now().Before(expires) || s.Vault.Hash(phoneHash+":"+strings.TrimSpace(code)) != codeHash {
		if _, err := s.DB.Exec(ctx, `UPDATE verification_codes SET attempts = attempts + 1 WHERE phone_hash = $1`, phoneHash); err != nil {
			return err
		}
		return apperr.New(apperr.Invalid, "auth.bad_code")
	}
	return nil
}
