package pii

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Key rotation (等保 2.0 level 3, GB/T 22239-2019 8.1.4.8 and GB/T 39786-2021 密钥管理: keys have a
// life and are replaced). Two rotations, both safe to run while nodes serve and both resumable:
//
//   - RotateKEK re-wraps every data key under the keyring's current KEK (adding a new KEK to the
//     key file first when every data key already uses the current one). Values are untouched.
//     The old KEK is needed once, to unwrap; afterwards it can be removed from the keyring (keep
//     it with the backups made before, which still hold keys wrapped by it).
//   - RotateData gives a purpose a new data key, which seals from then on, and re-seals that
//     purpose's values in batches of Options.Batch, one transaction each; a value is replaced
//     only if it did not change meanwhile. A rerun after a crash continues with the same new key.
//     When no value uses an old key any more it is marked retired.
//
// Hash keeps its key through both: it is derived separately (the lookup key) and only re-wrapped.

// RotateKEKResult says what RotateKEK did.
type RotateKEKResult struct {
	KEK       string   // the KEK that now wraps every data key
	Added     bool     // whether KEK was made now (and appended to the key file)
	Rewrapped int      // data keys re-wrapped
	Unused    []string // KEKs of the keyring no data key uses any more: they can be removed
}

// RotateKEK re-wraps every data key under the current KEK, making a new KEK first when all of
// them already use the current one.
func (v *Vault) RotateKEK(ctx context.Context) (RotateKEKResult, error) {
	rows, err := v.readKeys(ctx)
	if err != nil {
		return RotateKEKResult{}, err
	}
	var res RotateKEKResult
	if !slices.ContainsFunc(rows, func(r dataKeyRow) bool { return r.kekID != v.ring.Current() }) {
		if _, err := v.ring.Add(); err != nil {
			return res, err
		}
		res.Added = true
	}
	res.KEK = v.ring.Current()
	err = v.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := v.txKeys(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.kekID == res.KEK {
				continue
			}
			key, err := v.unwrap(r)
			if err != nil {
				return err
			}
			wrapped, err := v.wrap(res.KEK, r.purpose, r.version, key)
			if err != nil {
				return err
			}
			if _, err := v.db.TxExec(ctx, tx, `UPDATE pii_data_keys SET kek_id = $1, wrapped = $2
				WHERE purpose = $3 AND version = $4`, res.KEK, wrapped, r.purpose, r.version); err != nil {
				return fmt.Errorf("re-wrap data key %s: %w", ref(r.purpose, r.version), err)
			}
			res.Rewrapped++
		}
		return db.BumpVersion(ctx, tx, "pii.keys")
	})
	if err != nil {
		return res, err
	}
	for _, id := range v.ring.IDs() {
		if id != res.KEK {
			res.Unused = append(res.Unused, id)
		}
	}
	return res, nil
}

// RotateDataResult says what RotateData did.
type RotateDataResult struct {
	Purpose    string
	Version    int   // the data key that now seals the purpose
	Resumed    bool  // an unfinished rotation was continued rather than a new key made
	Resealed   int   // values re-sealed
	Unreadable int   // values no key opens (altered or corrupt); left as they are
	Retired    []int // versions retired by this run
	Remaining  int   // values still under a retiring key (written meanwhile by a node that had not yet seen the new key): run again
}

// RotateData makes a new data key for purpose and re-seals its values with it.
func (v *Vault) RotateData(ctx context.Context, purpose string) (RotateDataResult, error) {
	res := RotateDataResult{Purpose: purpose}
	if !slices.Contains(Purposes, purpose) {
		return res, fmt.Errorf("pii: no data key purpose %q (one of %s)", purpose, strings.Join(Purposes, ", "))
	}
	if err := v.startRotation(ctx, &res); err != nil {
		return res, err
	}
	if _, err := v.reload(ctx); err != nil {
		return res, err
	}
	// A node that had not yet seen the new key may seal with the old one meanwhile; another pass
	// picks those values up.
	for pass := 0; pass < 3; pass++ {
		res.Unreadable = 0
		for _, c := range v.columns {
			if err := v.reseal(ctx, c, &res); err != nil {
				return res, err
			}
		}
		remaining, err := v.countRetiring(ctx, purpose)
		if err != nil {
			return res, err
		}
		// Unreadable values stay as they are whatever key is kept; they do not hold a key back.
		if res.Remaining = max(remaining-res.Unreadable, 0); res.Remaining == 0 {
			break
		}
	}
	if res.Remaining == 0 {
		if err := v.retire(ctx, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// startRotation inserts the purpose's new active key and marks the old one retiring, or finds the
// rotation a previous run left unfinished.
func (v *Vault) startRotation(ctx context.Context, res *RotateDataResult) error {
	return v.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := v.txKeys(ctx, tx)
		if err != nil {
			return err
		}
		latest := 0
		for _, r := range rows {
			if r.purpose != res.Purpose {
				continue
			}
			latest = max(latest, r.version)
			if r.state == Retiring {
				res.Resumed = true
			}
			if r.state == Active {
				res.Version = r.version
			}
		}
		if res.Resumed {
			return nil
		}
		res.Version = latest + 1
		key := make([]byte, 32)
		rand.Read(key)
		wrapped, err := v.wrap(v.ring.Current(), res.Purpose, res.Version, key)
		if err != nil {
			return err
		}
		if _, err := v.db.TxExec(ctx, tx, `UPDATE pii_data_keys SET state = $1 WHERE purpose = $2 AND state = $3`,
			Retiring, res.Purpose, Active); err != nil {
			return fmt.Errorf("retire data key of %s: %w", res.Purpose, err)
		}
		if _, err := v.db.TxExec(ctx, tx, `INSERT INTO pii_data_keys (purpose, version, kek_id, wrapped, state, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, res.Purpose, res.Version, v.ring.Current(), wrapped, Active, v.nowUTC()); err != nil {
			return fmt.Errorf("create data key %s: %w", ref(res.Purpose, res.Version), err)
		}
		return db.BumpVersion(ctx, tx, "pii.keys")
	})
}

// staleCondition selects, in column c, the values a rotation of purpose to version re-seals: in
// the purpose's own columns every value not under the new key (legacy values included), elsewhere
// values under the purpose's older keys.
// Its parameters are numbered from $first.
func staleCondition(c Column, purpose string, version, first int) (string, []any) {
	current := sealedPrefix + ref(purpose, version) + ":"
	cond := fmt.Sprintf("%s <> '' AND substr(%s, 1, %d) <> $%d", c.Value, c.Value, len(current), first)
	args := []any{current}
	if c.Purpose != purpose {
		mine := sealedPrefix + purpose + "."
		cond += fmt.Sprintf(" AND substr(%s, 1, %d) = $%d", c.Value, len(mine), first+1)
		args = append(args, mine)
	}
	if c.Where != "" {
		cond += " AND " + c.Where
	}
	return cond, args
}

// reseal re-seals column c's stale values, a batch per transaction, in primary-key order.
func (v *Vault) reseal(ctx context.Context, c Column, res *RotateDataResult) error {
	cond, args := staleCondition(c, res.Purpose, res.Version, 2)
	query := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s > $1 AND %s ORDER BY %s LIMIT %d`,
		c.Key, c.Value, c.Table, c.Key, cond, c.Key, v.batch())
	update := fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE %s = $2 AND %s = $3`, c.Table, c.Value, c.Key, c.Value)
	sealer := Sealer{v: v, purpose: res.Purpose}
	cursor := ""
	for {
		rows, err := v.db.Query(ctx, query, append([]any{cursor}, args...)...)
		if err != nil {
			return fmt.Errorf("read %s.%s: %w", c.Table, c.Value, err)
		}
		type pair struct{ key, value string }
		var batch []pair
		for rows.Next() {
			var p pair
			if err := rows.Scan(&p.key, &p.value); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		cursor = batch[len(batch)-1].key
		if v.afterRead != nil {
			v.afterRead()
		}
		err = v.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, p := range batch {
				plain, err := v.Open(p.value)
				if err != nil {
					res.Unreadable++
					continue
				}
				// Only if unchanged: a value written meanwhile is already under the new key.
				r, err := v.db.TxExec(ctx, tx, update, sealer.Seal(plain), p.key, p.value)
				if err != nil {
					return fmt.Errorf("re-seal %s.%s: %w", c.Table, c.Value, err)
				}
				if n, _ := r.RowsAffected(); n == 1 {
					res.Resealed++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

func (v *Vault) batch() int {
	if v.batchSize > 0 {
		return v.batchSize
	}
	return 500
}

// countRetiring counts the values still under the purpose's older keys, and legacy values in its
// own columns.
func (v *Vault) countRetiring(ctx context.Context, purpose string) (int, error) {
	ks := v.keys()
	total := 0
	for _, c := range v.columns {
		cond, args := staleCondition(c, purpose, ks.active[purpose], 1)
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, c.Table, cond)
		if err := v.db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("count %s.%s: %w", c.Table, c.Value, err)
		}
		total += n
	}
	return total, nil
}

// retire marks the purpose's retiring keys retired, and the legacy key once no column holds a
// legacy value.
func (v *Vault) retire(ctx context.Context, res *RotateDataResult) error {
	legacyLeft := 0
	for _, c := range v.columns {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s <> '' AND substr(%s, 1, %d) <> $1`, c.Table, c.Value, c.Value, len(sealedPrefix))
		if c.Where != "" {
			q += " AND " + c.Where
		}
		if err := v.db.QueryRow(ctx, q, sealedPrefix).Scan(&n); err != nil {
			return fmt.Errorf("count legacy values in %s.%s: %w", c.Table, c.Value, err)
		}
		legacyLeft += n
	}
	return v.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := v.txKeys(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.state != Retiring || (r.purpose != res.Purpose && (r.purpose != legacyKey || legacyLeft > 0)) {
				continue
			}
			if _, err := v.db.TxExec(ctx, tx, `UPDATE pii_data_keys SET state = $1, retired_at = $2 WHERE purpose = $3 AND version = $4`,
				Retired, v.nowUTC(), r.purpose, r.version); err != nil {
				return fmt.Errorf("retire data key %s: %w", ref(r.purpose, r.version), err)
			}
			if r.purpose == res.Purpose {
				res.Retired = append(res.Retired, r.version)
			}
		}
		return db.BumpVersion(ctx, tx, "pii.keys")
	})
}
