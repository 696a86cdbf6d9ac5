package pii

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// dataKeyRow is one row of pii_data_keys.
type dataKeyRow struct {
	purpose string
	version int
	kekID   string
	wrapped string
	state   string
}

const selectKeys = `SELECT purpose, version, kek_id, wrapped, state FROM pii_data_keys ORDER BY purpose, version`

func scanKeys(rows *sql.Rows) ([]dataKeyRow, error) {
	defer rows.Close()
	var out []dataKeyRow
	for rows.Next() {
		var r dataKeyRow
		if err := rows.Scan(&r.purpose, &r.version, &r.kekID, &r.wrapped, &r.state); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (v *Vault) readKeys(ctx context.Context) ([]dataKeyRow, error) {
	rows, err := v.db.Query(ctx, selectKeys)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	return scanKeys(rows)
}

// txKeys reads the data keys inside a rotation's transaction.
func (v *Vault) txKeys(ctx context.Context, tx *sql.Tx) ([]dataKeyRow, error) {
	rows, err := v.db.TxQuery(ctx, tx, selectKeys)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	return scanKeys(rows)
}

// wrapAAD binds a wrapped key to its purpose and version: a wrapped key copied onto another row
// does not unwrap.
func wrapAAD(purpose string, version int) []byte {
	return []byte("yiwang data key " + ref(purpose, version))
}

// wrap seals a data key under the KEK kekID (AES-256-GCM).
func (v *Vault) wrap(kekID, purpose string, version int, key []byte) (string, error) {
	kek, ok := v.ring.key(kekID)
	if !ok {
		return "", fmt.Errorf("pii: no KEK %s in the keyring", kekID)
	}
	aead, err := newAEAD(kek)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, key, wrapAAD(purpose, version))), nil
}

func (v *Vault) unwrap(r dataKeyRow) ([]byte, error) {
	kek, ok := v.ring.key(r.kekID)
	if !ok {
		return nil, fmt.Errorf("pii: data key %s is wrapped by KEK %s, which is not in the keyring (%s)",
			ref(r.purpose, r.version), r.kekID, v.ringPlace())
	}
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	raw, err := base64.RawStdEncoding.DecodeString(r.wrapped)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, fmt.Errorf("pii: data key %s is corrupt", ref(r.purpose, r.version))
	}
	n := aead.NonceSize()
	key, err := aead.Open(nil, raw[:n], raw[n:], wrapAAD(r.purpose, r.version))
	if err != nil {
		return nil, fmt.Errorf("pii: data key %s does not unwrap with KEK %s (altered?)", ref(r.purpose, r.version), r.kekID)
	}
	return key, nil
}

func (v *Vault) ringPlace() string {
	if v.ring.File() != "" {
		return v.ring.File()
	}
	return "YIWANG_SECRET_KEY"
}

// createMissing gives each purpose its first data key, and the lookup and legacy keys, when the
// database has none. The lookup and legacy keys are derived from the current KEK the way an older
// yiwang derived its keys from secret.key: after an upgrade, phone hashes still match and values
// sealed before still open. Several nodes starting at once insert the same rows; the first wins.
func (v *Vault) createMissing(ctx context.Context) error {
	existing, err := v.readKeys(ctx)
	if err != nil {
		return err
	}
	kekID := v.ring.Current()
	secret, _ := v.ring.key(kekID)
	type newKey struct {
		purpose, state string
		key            []byte
	}
	var missing []newKey
	for _, p := range Purposes {
		key := make([]byte, 32)
		rand.Read(key)
		missing = append(missing, newKey{p, Active, key})
	}
	missing = append(missing, newKey{lookupKey, Active, derive(secret, "yiwang pii lookup")},
		newKey{legacyKey, Retiring, derive(secret, "yiwang pii encryption")})
	missing = slices.DeleteFunc(missing, func(k newKey) bool {
		return slices.ContainsFunc(existing, func(r dataKeyRow) bool { return r.purpose == k.purpose })
	})
	if len(missing) == 0 {
		return nil
	}
	now := v.now().UTC()
	return v.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range missing {
			wrapped, err := v.wrap(kekID, k.purpose, 1, k.key)
			if err != nil {
				return err
			}
			if _, err := v.db.TxExec(ctx, tx, `INSERT INTO pii_data_keys (purpose, version, kek_id, wrapped, state, created_at)
				VALUES ($1, 1, $2, $3, $4, $5) ON CONFLICT (purpose, version) DO NOTHING`, k.purpose, kekID, wrapped, k.state, now); err != nil {
				return fmt.Errorf("create data key %s: %w", k.purpose, err)
			}
		}
		return db.BumpVersion(ctx, tx, "pii.keys")
	})
}

func (v *Vault) unwrapOne(ctx context.Context, purpose string, version int) ([]byte, error) {
	rows, err := v.readKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.purpose == purpose && r.version == version {
			return v.unwrap(r)
		}
	}
	return nil, fmt.Errorf("pii: no data key %s", ref(purpose, version))
}

// load unwraps every data key. A key this node cannot unwrap (its KEK was rotated and this node's
// keyring lacks the new one) is taken from what the node already knew, so a running node keeps
// working until it is given the new keyring; only a key it never had fails.
func (v *Vault) load(ctx context.Context) (*keySet, error) {
	rows, err := v.readKeys(ctx)
	if err != nil {
		return nil, err
	}
	prev := v.last.Load()
	ks := &keySet{aeads: map[string]cipher.AEAD{}, active: map[string]int{}}
	for _, r := range rows {
		if r.purpose == lookupKey {
			continue
		}
		key, err := v.unwrap(r)
		if err != nil {
			if prev != nil && prev.aeads[ref(r.purpose, r.version)] != nil {
				ks.aeads[ref(r.purpose, r.version)] = prev.aeads[ref(r.purpose, r.version)]
			} else {
				return nil, err
			}
		} else if ks.aeads[ref(r.purpose, r.version)], err = newAEAD(key); err != nil {
			return nil, err
		}
		if r.state == Active {
			ks.active[r.purpose] = r.version
		}
	}
	for _, p := range Purposes {
		if _, ok := ks.active[p]; !ok {
			return nil, errors.New("pii: no active data key for " + p)
		}
	}
	return ks, nil
}

// nowUTC is the vault's clock in UTC (times are stored as UTC).
func (v *Vault) nowUTC() time.Time { return v.now().UTC() }
