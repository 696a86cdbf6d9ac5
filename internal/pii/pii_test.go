package pii

import (
	"bytes"
	"testing"
)

func TestSealOpenRoundTripAndKeySeparation(t *testing.T) {
	v, err := NewVault(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := v.Seal("13812341234"), v.Seal("13812341234")
	if s1 == s2 {
		t.Error("sealing twice gave the same ciphertext: nonce reused")
	}
	if got, err := v.Open(s1); err != nil || got != "13812341234" {
		t.Fatalf("open: %q %v", got, err)
	}
	other, _ := NewVault(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(s1); err == nil {
		t.Error("a different key opened the value")
	}
	if v.Hash("13812341234") == other.Hash("13812341234") {
		t.Error("hash does not depend on the key")
	}
	if _, err := NewVault([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}

func TestNormalizeAndMaskPhone(t *testing.T) {
	cases := []struct {
		in, norm, mask string
		ok             bool
	}{
		{"13812341234", "13812341234", "138****1234", true},
		{"+86 138-1234-1234", "13812341234", "138****1234", true},
		{"008613812341234", "13812341234", "138****1234", true},
		{"12812341234", "", "", false},
		{"1381234123", "", "", false},
		{"abc", "", "", false},
	}
	for _, tc := range cases {
		got, ok := NormalizePhone(tc.in)
		if ok != tc.ok || (ok && got != tc.norm) {
			t.Errorf("NormalizePhone(%q) = %q,%v", tc.in, got, ok)
			continue
		}
		if ok && MaskPhone(got) != tc.mask {
			t.Errorf("MaskPhone(%q) = %q", got, MaskPhone(got))
		}
	}
	if MaskName("张三丰") != "张**" || MaskName("李") != "李" {
		t.Error("MaskName")
	}
}

func TestLoadOrCreateKeyPersists(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKey("", dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("key not persisted: %v", err)
	}
	if _, err := LoadOrCreateKey("abcd", dir); err == nil {
		t.Error("short hex key accepted")
	}
}

func TestNormalizeContactTakesLandlines(t *testing.T) {
	for in, want := range map[string]string{"0595-22345678": "059522345678", "(010) 6512 3456": "01065123456", "13812341234": "13812341234"} {
		if got, ok := NormalizeContact(in); !ok || got != want {
			t.Errorf("%q → %q %v", in, got, ok)
		}
	}
	for _, bad := range []string{"12345", "0595-12", "abc"} {
		if _, ok := NormalizeContact(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if MaskPhone("059522345678") != "059*****5678" {
		t.Error(MaskPhone("059522345678"))
	}
}
