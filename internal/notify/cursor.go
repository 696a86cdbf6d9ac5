package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stored is an event of the outbox as a durable reader gets it.
type Stored struct {
	Seq        int64
	At         time.Time
	Type       string
	ObjectKind string
	ObjectID   string
}

// Follow applies the events committed after the named reader's cursor, in seq order, at most
// batch of them: fn runs in the transaction that moves the cursor past them, so a batch is
// applied once or not at all, whatever crashes. The cursor row is locked for the transaction,
// so with several nodes one applies a batch and the next sees where it stopped. It returns how
// many events it read (batch: there may be more).
func (o *Outbox) Follow(ctx context.Context, name string, batch int, fn func(ctx context.Context, tx *sql.Tx, events []Stored) error) (int, error) {
	var n int
	err := o.DB.Tx(ctx, func(tx *sql.Tx) error {
		from, err := o.lockCursor(ctx, tx, name)
		if err != nil {
			return err
		}
		rows, err := o.DB.TxQuery(ctx, tx, `SELECT seq, at, type, object_kind, object_id FROM outbox_events
			WHERE seq > $1 ORDER BY seq LIMIT $2`, from, batch)
		if err != nil {
			return fmt.Errorf("read the outbox: %w", err)
		}
		var events []Stored
		for rows.Next() {
			var e Stored
			if err := rows.Scan(&e.Seq, &e.At, &e.Type, &e.ObjectKind, &e.ObjectID); err != nil {
				rows.Close()
				return err
			}
			events = append(events, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(events)
		if n == 0 {
			return nil
		}
		if err := fn(ctx, tx, events); err != nil {
			return err
		}
		_, err = o.DB.TxExec(ctx, tx, `UPDATE outbox_cursors SET seq = $2 WHERE name = $1`, name, events[n-1].Seq)
		return err
	})
	return n, err
}

// lockCursor creates the reader's cursor at the start of the outbox when it has none, locks its
// row until tx ends and returns the seq it stands at.
func (o *Outbox) lockCursor(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	if _, err := o.DB.TxExec(ctx, tx, `INSERT INTO outbox_cursors (name, seq) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, name); err != nil {
		return 0, fmt.Errorf("outbox cursor %s: %w", name, err)
	}
	var seq int64
	// An UPDATE that changes nothing takes the row lock on PostgreSQL (SQLite's writer is one).
	err := o.DB.TxQueryRow(ctx, tx, `UPDATE outbox_cursors SET seq = seq WHERE name = $1 RETURNING seq`, name).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("outbox cursor %s: %w", name, err)
	}
	return seq, nil
}

// Skip moves the named reader's cursor, in tx, to the newest committed event (a reader that is
// about to recompute everything from the present state skips the past), and returns it. The
// cursor row stays locked until tx ends.
func (o *Outbox) Skip(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	if _, err := o.lockCursor(ctx, tx, name); err != nil {
		return 0, err
	}
	var newest int64
	if err := o.DB.TxQueryRow(ctx, tx, `SELECT COALESCE(max(seq), 0) FROM outbox_events`).Scan(&newest); err != nil {
		return 0, err
	}
	_, err := o.DB.TxExec(ctx, tx, `UPDATE outbox_cursors SET seq = $2 WHERE name = $1`, name, newest)
	return newest, err
}

// Lock locks the named reader's cursor until tx ends and says whether the reader has ever run
// (work that must not interleave with a batch, such as a rebuild's steps, takes it first).
func (o *Outbox) Lock(ctx context.Context, tx *sql.Tx, name string) (started bool, err error) {
	var n int
	if err := o.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM outbox_cursors WHERE name = $1`, name).Scan(&n); err != nil {
		return false, err
	}
	_, err = o.lockCursor(ctx, tx, name)
	return n > 0, err
}

// Behind reports whether events were committed after the named reader's cursor: a cheap read, so
// that an idle reader does not open a write transaction (and its commit) every poll.
func (o *Outbox) Behind(ctx context.Context, name string) (bool, error) {
	var cursor, newest int64
	err := o.DB.QueryRow(ctx, `SELECT COALESCE((SELECT seq FROM outbox_cursors WHERE name = $1), -1),
		COALESCE((SELECT max(seq) FROM outbox_events), 0)`, name).Scan(&cursor, &newest)
	return cursor < newest, err
}
