package pii

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Keyring holds the key-encryption keys (KEKs). They never enter the database: 等保 2.0 level 3
// (GB/T 22239-2019 8.1.4.8 数据保密性) wants the key that protects the data kept apart from the
// data, so a copy of the database alone opens nothing. The keys come from YIWANG_SECRET_KEY (hex
// keys separated by commas, for several nodes sharing one PostgreSQL) or from DIR/secret.key (one
// hex key a line, created on first start, mode 0600). The last key is the current one: it wraps
// new data keys; the earlier ones are only needed until "yiwang keys rotate-kek" has re-wrapped
// every data key. A single-key file written by an older yiwang is a valid keyring.
type Keyring struct {
	keys [][]byte // oldest first
	file string   // "" when the keys came from YIWANG_SECRET_KEY
}

// KEKID names a KEK without revealing it: the first 8 bytes of an HMAC under the key itself.
func KEKID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("yiwang kek id"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// LoadKeyring reads the KEKs from hexKeys when given, else from DIR/secret.key, creating that
// file with one new key on first start.
func LoadKeyring(hexKeys, dir string) (*Keyring, error) {
	if strings.TrimSpace(hexKeys) != "" {
		keys, err := parseKeys(strings.ReplaceAll(hexKeys, ",", "\n"))
		if err != nil {
			return nil, fmt.Errorf("pii: YIWANG_SECRET_KEY: %w", err)
		}
		return &Keyring{keys: keys}, nil
	}
	file := filepath.Join(dir, "secret.key")
	raw, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		r := &Keyring{file: file}
		if _, err := r.Add(); err != nil {
			return nil, err
		}
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	keys, err := parseKeys(string(raw))
	if err != nil {
		return nil, fmt.Errorf("pii: %s: %w", file, err)
	}
	return &Keyring{keys: keys, file: file}, nil
}

func parseKeys(text string) ([][]byte, error) {
	var keys [][]byte
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, err := hex.DecodeString(line)
		if err != nil || len(key) < 32 {
			return nil, errors.New("each key must be at least 64 hex digits")
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key")
	}
	return keys, nil
}

// Current is the ID of the KEK that wraps new data keys.
func (r *Keyring) Current() string { return KEKID(r.keys[len(r.keys)-1]) }

// CurrentKey is the current KEK itself, for a module that derives a first key of its own from
// the deployment's secret (the audit chain's version 1).
func (r *Keyring) CurrentKey() []byte { return r.keys[len(r.keys)-1] }

// IDs lists the KEKs' IDs, oldest first.
func (r *Keyring) IDs() []string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = KEKID(k)
	}
	return ids
}

// File is the key file, or "" when the keys came from YIWANG_SECRET_KEY.
func (r *Keyring) File() string { return r.file }

func (r *Keyring) key(id string) ([]byte, bool) {
	i := slices.IndexFunc(r.keys, func(k []byte) bool { return KEKID(k) == id })
	if i < 0 {
		return nil, false
	}
	return r.keys[i], true
}

// Add makes a new KEK, the current one from now on, and writes the key file with it appended
// (through a temporary file and a rename, so a crash leaves the old file or the new one). Keys
// given in YIWANG_SECRET_KEY cannot be added to: the operator adds the new key there.
func (r *Keyring) Add() (string, error) {
	if r.file == "" {
		return "", errors.New("pii: the keys come from YIWANG_SECRET_KEY: add a new key (64 hex digits, e.g. `openssl rand -hex 32`) at its end, separated by a comma, on every node")
	}
	key := make([]byte, 32)
	rand.Read(key)
	keys := append(slices.Clone(r.keys), key)
	var b strings.Builder
	b.WriteString("# yiwang key-encryption keys, oldest first; the last one wraps new data keys.\n")
	for _, k := range keys {
		b.WriteString(hex.EncodeToString(k) + "\n")
	}
	if err := os.MkdirAll(filepath.Dir(r.file), 0o750); err != nil {
		return "", err
	}
	tmp := r.file + ".new"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("pii: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, r.file); err != nil {
		return "", fmt.Errorf("pii: replace %s: %w", r.file, err)
	}
	r.keys = keys
	return KEKID(key), nil
}

// LoadOrCreateKey returns the current KEK of the keyring LoadKeyring reads (kept for callers that
// need one secret, such as in-memory vaults in tests).
func LoadOrCreateKey(hexKey, dir string) ([]byte, error) {
	r, err := LoadKeyring(hexKey, dir)
	if err != nil {
		return nil, err
	}
	return r.CurrentKey(), nil
}
