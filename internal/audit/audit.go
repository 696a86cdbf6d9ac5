// Package audit keeps yiwang's append-only, hash-chained record of every change of state and every
// security event (who, in which role, at which org node, did what to which object, before/after,
// when, from where, with what result). Each record's hash is an HMAC-SHA256, under a key kept
// outside the database, of its content and the previous record's hash, so an edited, deleted or
// reordered record breaks the chain at a place Verify names, even when the later hashes are
// recomputed; the head is anchored outside the database so that deleting the newest records shows.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Result says how the audited action ended.
type Result string

const (
	OK     Result = "ok"
	Denied Result = "denied" // refused by a rule (wrong password, out of scope …)
	Failed Result = "failed"
)

// Entry is one audit record.
type Entry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	Role       string    `json:"role"`
	OrgCode    string    `json:"org_code"`
	OrgPath    string    `json:"-"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Before     string    `json:"before"`
	After      string    `json:"after"`
	IP         string    `json:"ip"`
	Result     Result    `json:"result"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
	// KeyVersion names the key that sealed the record; 0: written before the chain was keyed.
	KeyVersion int `json:"key_version"`
}

// genesis is the previous hash of the first record.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Summary renders a before/after value compactly for the record.
func Summary(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// hash computes a record's hash from its content and its predecessor's hash: HMAC-SHA256 under
// key for a keyed record (the key version is hashed too), plain SHA-256 for a version-0 record.
func (e Entry) hash(key []byte) string {
	h := sha256.New()
	fields := []string{
		fmt.Sprint(e.Seq), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.ActorName, e.Role,
		e.OrgCode, e.OrgPath, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After, e.IP,
		string(e.Result), e.PrevHash,
	}
	if e.KeyVersion > 0 {
		h = hmac.New(sha256.New, key)
		fields = append(fields, fmt.Sprint(e.KeyVersion))
	}
	for _, f := range fields {
		// Length-prefixed so that moving text between fields changes the hash.
		fmt.Fprintf(h, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Append adds e to the chain inside tx, so the record commits or rolls back with the change it
// describes. e.At is set by the caller's clock and kept to microseconds (PostgreSQL's precision).
func Append(ctx context.Context, d *db.DB, tx *sql.Tx, e Entry) (Entry, error) {
	// A group-committed transaction reads (and on PostgreSQL locks) the chain's head once and
	// keeps it for the batch's later entries.
	if v, ok := d.TxValue(tx, headKey); ok {
		h := v.(head)
		e.Seq, e.PrevHash = h.seq+1, h.hash
	} else {
		if d.Engine == db.Postgres {
			// Serialises appenders across yiwang nodes sharing one database; released at commit.
			if _, err := d.TxExec(ctx, tx, "SELECT pg_advisory_xact_lock(7231001)"); err != nil {
				return e, fmt.Errorf("audit: lock chain: %w", err)
			}
		}
		var lastSeq sql.NullInt64
		var lastHash sql.NullString
		err := d.TxQueryRow(ctx, tx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastHash)
		if err != nil && err != sql.ErrNoRows {
			return e, fmt.Errorf("audit: read chain head: %w", err)
		}
		e.Seq = lastSeq.Int64 + 1
		e.PrevHash = genesis
		if lastHash.Valid {
			e.PrevHash = lastHash.String
		}
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if e.Result == "" {
		e.Result = OK
	}
	var key []byte
	e.KeyVersion = 0
	if c := chainOf(d); c != nil {
		var err error
		if e.KeyVersion, key, err = c.keys.use(); err != nil {
			return e, err
		}
	}
	e.Hash = e.hash(key)
	_, err := d.TxExec(ctx, tx, `INSERT INTO audit_log (seq, at, actor_id, actor_name, role, org_code, org_path,
		action, object_type, object_id, before_summary, after_summary, ip, result, prev_hash, hash, key_version)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
		e.Seq, e.At, e.ActorID, e.ActorName, e.Role, e.OrgCode, e.OrgPath, e.Action, e.ObjectType,
		e.ObjectID, e.Before, e.After, e.IP, string(e.Result), e.PrevHash, e.Hash, e.KeyVersion)
	if err != nil {
		return e, fmt.Errorf("audit: append: %w", err)
	}
	d.SetTxValue(tx, headKey, head{e.Seq, e.Hash})
	return e, nil
}

// headKey names the chain's head kept in a group-committed transaction.
const headKey = "audit.head"

type head struct {
	seq  int64
	hash string
}

// Record appends e in a transaction of its own (for events that change nothing else, such as a
// refused login).
func Record(ctx context.Context, d *db.DB, e Entry) error {
	return d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := Append(ctx, d, tx, e)
		return err
	})
}

const columns = `seq, at, actor_id, actor_name, role, org_code, org_path, action, object_type, object_id,
	before_summary, after_summary, ip, result, prev_hash, hash, key_version`

func scanEntry(rows interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var result string
	err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Role, &e.OrgCode, &e.OrgPath, &e.Action,
		&e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.IP, &result, &e.PrevHash, &e.Hash, &e.KeyVersion)
	e.Result = Result(result)
	e.At = e.At.UTC()
	return e, err
}

// For returns an entry pre-filled with who acted (from access.ActorOf) and when.
func For(a access.Actor, at time.Time, action, objectType, objectID string) Entry {
	path := a.OrgPath
	if path == "" || path == "/" {
		path = "/"
	}
	return Entry{At: at, ActorID: a.ID, ActorName: a.Name, Role: a.Role, OrgCode: a.OrgCode, OrgPath: path,
		Action: action, ObjectType: objectType, ObjectID: objectID, IP: a.IP, Result: OK}
}
