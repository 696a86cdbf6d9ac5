package password

import (
	"context"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

var fast = Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(fast, 2)
	enc, err := h.Hash(ctx, "Correct-horse-9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", enc)
	}
	if ok, err := h.Verify(ctx, "Correct-horse-9", enc); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := h.Verify(ctx, "correct-horse-9", enc); ok {
		t.Fatal("wrong password accepted")
	}
	// A hash made with other parameters still verifies (parameters are read from the string).
	other, _ := NewHasher(Params{MemoryKiB: 128, Iterations: 2, Parallelism: 1}, 1).Hash(ctx, "x")
	if ok, _ := h.Verify(ctx, "x", other); !ok {
		t.Fatal("hash with other parameters not verified")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "plain"} {
		if _, err := h.Verify(ctx, "x", bad); err != ErrMalformed {
			t.Errorf("%q: want ErrMalformed, got %v", bad, err)
		}
	}
}

func TestCheckStrength(t *testing.T) {
	cases := map[string]bool{
		"short1A!":                false,
		"alllowercase":            false,
		"lowerand1234":            false,
		"Lowerand1234":            true,
		"lower-and-1234":          true,
		"密码很长很长Abc1234":           true,
		strings.Repeat("aA1", 90): false,
	}
	for pw, ok := range cases {
		if err := CheckStrength(pw); (err == nil) != ok {
			t.Errorf("%q: got %v, want ok=%v", pw, err, ok)
		}
	}
	for i := 0; i < 50; i++ {
		if err := CheckStrength(Generate()); err != nil {
			t.Fatalf("generated password fails policy: %v", err)
		}
	}
}

// Issue 10 item 9: passwords that pass length and classes but are among an attacker's first
// guesses are refused, with the reason; the passwords the project itself uses still pass.
func TestCommonAndGuessablePasswordsAreRefused(t *testing.T) {
	refused := map[string]string{
		"Password12":   "auth.common_password",
		"P@ssw0rd!!":   "auth.common_password",
		"Password@1":   "auth.common_password",
		"Qwerty123!":   "auth.common_password",
		"@dmin12345":   "auth.common_password",
		"Huawei@123":   "auth.common_password",
		"Woaini1314!":  "auth.common_password",
		"1qaz@WSX3edc": "auth.common_password",
		"Abcd1234!@":   "auth.guessable_password",
		"Yiwang@2026":  "auth.common_password",
		"Donghai2026!": "auth.guessable_password",
		"Aaaaaaaaaa1!": "auth.guessable_password",
	}
	for pw, key := range refused {
		err := CheckStrength(pw, "donghai.leader", "Donghai")
		if e, ok := apperr.As(err); !ok || e.Key != key {
			t.Errorf("%q: got %v, want %s", pw, err, key)
		}
	}
	for _, pw := range []string{"Demo-Passw0rd!", "Initial-Passw0rd", "Chosen-Passw0rd", "Resident-Passw0rd",
		"New-Passw0rd!", "Reset-Passw0rd1", "First-Passw0rd!", "Second-Passw0rd", "Another-Passw0rd",
		"Correct-horse-9", "Tq8mZ!c4Vn", "密码很长很长Abc1234",
		"Rivers-of-Quanzhou-flow-past-the-old-bridge-where-9-herons-wait-for-spring-rain-2026"} {
		if err := CheckStrength(pw); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
}

func TestVariantsUndoCaseLeetAndDecoration(t *testing.T) {
	for pw, want := range map[string]string{"P@ssw0rd!!": "password", "Password12": "password12",
		"@dmin123": "admin", "!!dr4g0n2026": "dragon", "L0vely1": "lovely"} {
		found := false
		for _, v := range variants(pw) {
			found = found || v == want
		}
		if !found {
			t.Errorf("%q: %q not among %q", pw, want, variants(pw))
		}
	}
	if IsCommon("Kx7#mPq2Lw9z") {
		t.Error("a random password is on the list")
	}
}
