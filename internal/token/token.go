// Package token makes the secrets yiwang hands out — session tokens, API keys, the follow links of
// anonymous reports — and the digest of each that the database keeps instead, so that a copy of
// the database yields no usable secret.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// New returns n random bytes as unpadded base64url (safe in URLs, cookies and headers).
func New(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is what the database keeps of a secret: the hex SHA-256 of its text.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
