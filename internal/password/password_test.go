package password

import (
	"context"
	"strings"
	"testing"
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
