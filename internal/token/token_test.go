package token

import (
	"encoding/base64"
	"testing"
)

func TestNew(t *testing.T) {
	a, b := New(32), New(32)
	if a == b {
		t.Fatal("two tokens are equal")
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q: %d bytes, %v; want 32 bytes of unpadded base64url", a, len(raw), err)
	}
	if got := len(New(24)); got != 32 {
		t.Fatalf("24 bytes encode to %d characters, want 32", got)
	}
}

func TestHash(t *testing.T) {
	// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
	if got := Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash(abc) = %s", got)
	}
}
