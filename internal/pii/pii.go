// Package pii protects residents' personal data: phone numbers are stored encrypted (AES-256-GCM),
// looked up by a keyed hash, and shown masked (138****1234) everywhere a role does not need more.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Vault seals and opens personal data with the deployment's secret key.
type Vault struct {
	aead    cipher.AEAD
	hashKey []byte
}

// NewVault derives the encryption and hashing keys from a 32-byte secret.
func NewVault(secret []byte) (*Vault, error) {
	if len(secret) < 32 {
		return nil, errors.New("pii: secret key must be at least 32 bytes")
	}
	encKey := derive(secret, "yiwang pii encryption")
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, hashKey: derive(secret, "yiwang pii lookup")}, nil
}

func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadOrCreateKey returns the secret from hexKey when given, else from DIR/secret.key, creating
// that file (mode 0600) on first start. Several nodes sharing one PostgreSQL must share the key
// (YIWANG_SECRET_KEY).
func LoadOrCreateKey(hexKey, dir string) ([]byte, error) {
	if hexKey != "" {
		key, err := hex.DecodeString(strings.TrimSpace(hexKey))
		if err != nil || len(key) < 32 {
			return nil, errors.New("pii: YIWANG_SECRET_KEY must be at least 64 hex digits")
		}
		return key, nil
	}
	file := filepath.Join(dir, "secret.key")
	if raw, err := os.ReadFile(file); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("pii: %s is not a valid key", file)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("pii: write %s: %w", file, err)
	}
	return key, nil
}

// Seal encrypts plaintext; the result is safe to store in a text column.
func (v *Vault) Seal(plaintext string) string {
	if plaintext == "" {
		return ""
	}
	nonce := make([]byte, v.aead.NonceSize())
	rand.Read(nonce)
	sealed := v.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return base64.RawStdEncoding.EncodeToString(sealed)
}

// Open decrypts what Seal produced.
func (v *Vault) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < v.aead.NonceSize() {
		return "", errors.New("pii: corrupt sealed value")
	}
	n := v.aead.NonceSize()
	plain, err := v.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", errors.New("pii: cannot open sealed value (wrong key?)")
	}
	return string(plain), nil
}

// Hash returns a keyed hash for equality lookups (finding a user by phone) without storing the
// phone in the clear.
func (v *Vault) Hash(value string) string {
	m := hmac.New(sha256.New, v.hashKey)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

var mainlandMobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// NormalizePhone strips spaces, dashes and a +86/0086 prefix and checks the result is a
// mainland mobile number; ok is false otherwise.
func NormalizePhone(raw string) (string, bool) {
	s := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(strings.TrimSpace(raw))
	s = strings.TrimPrefix(s, "+86")
	s = strings.TrimPrefix(s, "0086")
	return s, mainlandMobile.MatchString(s)
}

var landline = regexp.MustCompile(`^0[1-9][0-9]{1,2}[0-9]{7,8}$`)

// NormalizeContact accepts what a hotline caller may give: a mainland mobile number, or a
// landline with its area code (0595-22345678); ok is false otherwise.
func NormalizeContact(raw string) (string, bool) {
	if p, ok := NormalizePhone(raw); ok {
		return p, true
	}
	s := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(strings.TrimSpace(raw))
	s = strings.TrimPrefix(s, "+86")
	return s, landline.MatchString(s)
}

// MaskPhone shows the first 3 and last 4 digits: 13812341234 → 138****1234.
func MaskPhone(phone string) string {
	if len(phone) < 8 {
		return strings.Repeat("*", len(phone))
	}
	return phone[:3] + strings.Repeat("*", len(phone)-7) + phone[len(phone)-4:]
}

// MaskName keeps the family name: 张三丰 → 张**.
func MaskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 {
		return name
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
