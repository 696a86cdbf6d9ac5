// Package password hashes and checks passwords with argon2id (RFC 9106) in the PHC string format,
// and enforces the password policy (等保 2.0 defaults: length and character classes; plus no
// common or easily guessed passwords, strength.go).
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Params are the argon2id cost parameters.
type Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// Default follows OWASP's argon2id baseline (19 MiB, t=2, p=1): about 46 ms on the reference machine.
var Default = Params{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}

// Hasher hashes with fixed parameters and caps how many hashes run at once, because each one
// holds its memory for its whole duration.
type Hasher struct {
	params Params
	slots  chan struct{}
}

// NewHasher returns a hasher allowing `concurrent` hashes at a time.
func NewHasher(p Params, concurrent int) *Hasher {
	if concurrent < 1 {
		concurrent = 1
	}
	return &Hasher{params: p, slots: make(chan struct{}, concurrent)}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC-format argon2id hash of pw.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, 16)
	rand.Read(salt)
	p := h.params
	key := argon2.IDKey([]byte(pw), salt, p.Iterations, p.MemoryKiB, p.Parallelism, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Iterations,
		p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// ErrMalformed means a stored hash cannot be read.
var ErrMalformed = errors.New("password: malformed hash")

// Verify reports whether pw matches the stored hash. It takes the same time whatever the answer.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	var p Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Iterations, &p.Parallelism); err != nil {
		return false, ErrMalformed
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.MemoryKiB > 1<<21 || p.Iterations > 64 {
		return false, ErrMalformed
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Dummy is a valid hash of a random password, verified when a username does not exist so that
// the answer takes as long as for a real account.
func (h *Hasher) Dummy(ctx context.Context) string {
	buf := make([]byte, 16)
	rand.Read(buf)
	s, _ := h.Hash(ctx, string(buf))
	return s
}

// MinLength is the minimum password length.
const MinLength = 10

// CheckStrength enforces the policy: at least MinLength characters and three of the four classes
// upper case, lower case, digits, symbols; not a common password, even disguised (IsCommon); and
// not easily guessed (Guessable, with userInputs such as the username and the person's name).
func CheckStrength(pw string, userInputs ...string) error {
	var upper, lower, digit, symbol bool
	n := 0
	for _, r := range pw {
		n++
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	if n < MinLength || classes < 3 || n > 256 {
		return apperr.New(apperr.Invalid, "auth.weak_password", MinLength)
	}
	if IsCommon(pw) {
		return apperr.New(apperr.Invalid, "auth.common_password")
	}
	if Guessable(pw, userInputs...) {
		return apperr.New(apperr.Invalid, "auth.guessable_password")
	}
	return nil
}

// Generate returns a random password that meets the policy.
func Generate() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnpqrstuvwxyz"
		digits = "23456789"
		symbol = "-_.!@#%+"
	)
	sets := []string{upper, lower, digits, symbol, upper + lower + digits, upper + lower + digits,
		lower + digits, upper + lower, lower + digits, upper + digits, lower, digits, upper, lower}
	buf := make([]byte, len(sets))
	rand.Read(buf)
	out := make([]byte, len(sets))
	for i, set := range sets {
		out[i] = set[int(buf[i])%len(set)]
	}
	return string(out)
}
