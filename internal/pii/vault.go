package pii

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Purposes name the data keys: one per table of personal data, so that a table's key can be
// rotated (and its values re-sealed) on its own.
const (
	General = "general" // Vault.Seal without a purpose
	Users   = "users"   // users.phone_enc
	Cases   = "cases"   // cases.reporter_phone_enc
	Open311 = "open311" // open311_requests.contact_enc
	Notify  = "notify"  // outbox_deliveries.recipient of SMS deliveries
	// lookupKey is the HMAC key of Hash. It is never generated again, only re-wrapped under a new
	// KEK: a new one would make every stored phone_hash unfindable.
	lookupKey = "lookup"
	// legacyKey opens values sealed before envelope keys (no "pii1:" prefix), with the key an older
	// yiwang derived from secret.key; "yiwang keys rotate-data" re-seals them.
	legacyKey = "legacy"
)

// Purposes lists the purposes a value can be sealed for.
var Purposes = []string{General, Users, Cases, Open311, Notify}

// sealedPrefix starts every value sealed under a data key; the key follows ("users.2"), then the
// base64 of nonce and ciphertext. Legacy values are bare base64, which has no ':'.
const sealedPrefix = "pii1:"

// States of a data key (pii_data_keys.state).
const (
	Active   = "active"   // seals new values of its purpose
	Retiring = "retiring" // values may still be sealed with it; a rotation re-seals them
	Retired  = "retired"  // no value used it when its rotation ended
)

// keySet is every data key a node knows, unwrapped.
type keySet struct {
	aeads  map[string]cipher.AEAD // by reference "users.2"
	active map[string]int         // purpose → active version
}

// Vault seals and opens personal data. Each value is sealed with the active data key of its
// purpose (AES-256-GCM) and names that key, so it opens after any number of rotations. Data keys
// live in the database wrapped by the KEK (keyring.go); a node keeps them unwrapped in memory and
// asks for the "pii.keys" settings version at most every Options.Every, so it seals with the new
// key soon after another node rotated (and at once opens a value naming a key it has not seen).
type Vault struct {
	hashKey []byte
	memory  *keySet // NewVault: fixed keys, no database

	db        *db.DB
	ring      *Keyring
	columns   []Column
	now       func() time.Time
	batchSize int
	afterRead func() // tests: runs between a rotation batch's read and its writes
	cache     db.Versioned[*keySet]
	src       db.VersionSource[*keySet]
	last      atomic.Pointer[keySet] // what the last successful load gave
}

// NewVault derives every key from one secret and keeps them in memory only (tests and tools that
// have no database). A value it seals opens only with the same secret.
func NewVault(secret []byte) (*Vault, error) {
	if len(secret) < 32 {
		return nil, errors.New("pii: secret key must be at least 32 bytes")
	}
	ks := &keySet{aeads: map[string]cipher.AEAD{}, active: map[string]int{}}
	for _, p := range Purposes {
		aead, err := newAEAD(derive(secret, "yiwang pii data key "+p))
		if err != nil {
			return nil, err
		}
		ks.aeads[ref(p, 1)], ks.active[p] = aead, 1
	}
	legacy, err := newAEAD(derive(secret, "yiwang pii encryption"))
	if err != nil {
		return nil, err
	}
	ks.aeads[ref(legacyKey, 1)] = legacy
	return &Vault{hashKey: derive(secret, "yiwang pii lookup"), memory: ks}, nil
}

// Options tune a database-backed vault.
type Options struct {
	// Every is how often a node asks whether the data keys changed; 0 means 10 s.
	Every time.Duration
	Now   func() time.Time // nil means time.Now
	// Columns are where sealed values are stored; nil means Columns (columns.go).
	Columns []Column
	// Batch is how many values a rotation re-seals per transaction; 0 means 500.
	Batch int
}

// OpenVault builds the vault of a database: it creates the data keys that are missing (first
// start, or after an upgrade from single-key sealing) and unwraps them all with ring.
func OpenVault(ctx context.Context, d *db.DB, ring *Keyring, opts Options) (*Vault, error) {
	v := &Vault{db: d, ring: ring, columns: opts.Columns, now: opts.Now, batchSize: opts.Batch}
	if v.columns == nil {
		v.columns = Columns
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.src = db.VersionSource[*keySet]{DB: d, Key: "pii.keys", Every: opts.Every, Now: v.now, Load: v.load}
	if err := v.createMissing(ctx); err != nil {
		return nil, err
	}
	hashKey, err := v.unwrapOne(ctx, lookupKey, 1)
	if err != nil {
		return nil, err
	}
	v.hashKey = hashKey
	if _, err := v.reload(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func ref(purpose string, version int) string { return purpose + "." + strconv.Itoa(version) }

// keys returns the data keys to use now. When the database cannot be asked, the keys known
// before still seal and open (a key is never withdrawn from a running node).
func (v *Vault) keys() *keySet {
	if v.memory != nil {
		return v.memory
	}
	// No deadline of its own: the version check is one indexed read, due at most every
	// Options.Every, and a caller whose database hangs hangs on its own write anyway.
	if ks, err := v.cache.Get(context.Background(), v.src); err == nil {
		v.last.Store(ks)
		return ks
	}
	return v.last.Load()
}

func (v *Vault) reload(ctx context.Context) (*keySet, error) {
	ks, err := v.cache.Reload(ctx, v.src)
	if err != nil {
		return nil, err
	}
	v.last.Store(ks)
	return ks, nil
}

// Sealer seals values with the data key of one purpose.
type Sealer struct {
	v       *Vault
	purpose string
}

// For returns the sealer of purpose (one of Purposes; another is a programming error).
func (v *Vault) For(purpose string) Sealer {
	if !slices.Contains(Purposes, purpose) {
		panic(fmt.Sprintf("pii: no data key purpose %q", purpose))
	}
	return Sealer{v: v, purpose: purpose}
}

// Seal encrypts plaintext with the General data key; the result is safe to store in a text column.
func (v *Vault) Seal(plaintext string) string { return v.For(General).Seal(plaintext) }

// Seal encrypts plaintext with the purpose's active data key; the result names that key.
func (s Sealer) Seal(plaintext string) string {
	if plaintext == "" {
		return ""
	}
	ks := s.v.keys()
	r := ref(s.purpose, ks.active[s.purpose])
	aead := ks.aeads[r]
	prefix := sealedPrefix + r + ":"
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	// The key reference is authenticated data: a value cannot be made to name another key.
	sealed := aead.Seal(nonce, nonce, []byte(plaintext), []byte(prefix))
	return prefix + base64.RawStdEncoding.EncodeToString(sealed)
}

// Open decrypts what Seal produced, with whichever data key sealed it, and values sealed by an
// older yiwang with its single key.
func (v *Vault) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	r, body, aad := ref(legacyKey, 1), sealed, ""
	if rest, ok := strings.CutPrefix(sealed, sealedPrefix); ok {
		if r, body, ok = strings.Cut(rest, ":"); !ok {
			return "", errors.New("pii: corrupt sealed value")
		}
		aad = sealedPrefix + r + ":"
	}
	ks := v.keys()
	aead, ok := ks.aeads[r]
	if !ok && v.memory == nil {
		// Sealed by a node that rotated since this one last asked.
		if ks, err := v.reload(context.Background()); err == nil {
			aead, ok = ks.aeads[r]
		}
	}
	if !ok {
		return "", fmt.Errorf("pii: no data key %s", r)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("pii: corrupt sealed value")
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], []byte(aad))
	if err != nil {
		return "", errors.New("pii: cannot open sealed value (wrong key or altered)")
	}
	return string(plain), nil
}

// KeyOf names the data key a sealed value was sealed with ("users.2"; "legacy.1" for a value
// sealed before envelope keys).
func KeyOf(sealed string) string {
	if rest, ok := strings.CutPrefix(sealed, sealedPrefix); ok {
		r, _, _ := strings.Cut(rest, ":")
		return r
	}
	return ref(legacyKey, 1)
}

// Hash returns a keyed hash for equality lookups (finding a user by phone) without storing the
// phone in the clear. Its key is a data key of its own ("lookup") that rotations only re-wrap, so
// a hash stays the same across KEK and data-key rotations.
func (v *Vault) Hash(value string) string {
	m := hmac.New(sha256.New, v.hashKey)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
