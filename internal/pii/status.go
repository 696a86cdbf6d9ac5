package pii

import (
	"context"
	"fmt"
	"time"
)

// KeyStatus describes one data key for "yiwang keys status" (never the key itself).
type KeyStatus struct {
	Purpose   string     `json:"purpose"`
	Version   int        `json:"version"`
	KEK       string     `json:"kek"`
	State     string     `json:"state"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	// Values counts the stored values sealed with this key (the lookup key seals none).
	Values int `json:"values"`
	// KEKKnown says whether this node's keyring holds the KEK that wraps the key.
	KEKKnown bool `json:"kek_known"`
}

// Status lists every data key with how many stored values use it.
func (v *Vault) Status(ctx context.Context) ([]KeyStatus, error) {
	rows, err := v.db.Query(ctx, `SELECT purpose, version, kek_id, state, created_at, retired_at FROM pii_data_keys ORDER BY purpose, version`)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	var out []KeyStatus
	for rows.Next() {
		var s KeyStatus
		if err := rows.Scan(&s.Purpose, &s.Version, &s.KEK, &s.State, &s.CreatedAt, &s.RetiredAt); err != nil {
			rows.Close()
			return nil, err
		}
		_, s.KEKKnown = v.ring.key(s.KEK)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, s := range out {
		if s.Purpose == lookupKey {
			continue
		}
		for _, c := range v.columns {
			n, err := v.countUnder(ctx, c, s.Purpose, s.Version)
			if err != nil {
				return nil, err
			}
			out[i].Values += n
		}
	}
	return out, nil
}

// countUnder counts column c's values sealed with the key purpose.version.
func (v *Vault) countUnder(ctx context.Context, c Column, purpose string, version int) (int, error) {
	var q string
	var args []any
	if purpose == legacyKey {
		q = fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s <> '' AND substr(%s, 1, %d) <> $1`, c.Table, c.Value, c.Value, len(sealedPrefix))
		args = []any{sealedPrefix}
	} else {
		prefix := sealedPrefix + ref(purpose, version) + ":"
		q = fmt.Sprintf(`SELECT count(*) FROM %s WHERE substr(%s, 1, %d) = $1`, c.Table, c.Value, len(prefix))
		args = []any{prefix}
	}
	if c.Where != "" {
		q += " AND " + c.Where
	}
	var n int
	if err := v.db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s.%s: %w", c.Table, c.Value, err)
	}
	return n, nil
}
