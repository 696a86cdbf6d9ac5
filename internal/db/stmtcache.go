package db

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements, kept per query text. SQLite (modernc) parses every statement it is given
// afresh, which costs more than running it on the hot paths (a case intake runs about a dozen
// statements); a prepared statement is parsed once per connection.
//
// Reads keep their statements for the life of the pool. Writes run inside transactions on the
// one write connection, which a statement of the pool could not borrow while the transaction
// holds it; so a group-committed transaction keeps statements of its own, prepared on it and
// reused by every job of the batch.
type stmtCache struct {
	mu   sync.Mutex
	read map[string]*sql.Stmt
	txs  map[*sql.Tx]*txState
}

// maxPrepared bounds the read statements kept: the texts of the hot paths are few, while a list
// whose filters vary makes a new text per combination.
const maxPrepared = 1000

// prepared returns the read pool's statement for q; nil (and no error) when the cache is full.
func (d *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	d.stmts.mu.Lock()
	st, ok := d.stmts.read[q]
	d.stmts.mu.Unlock()
	if ok {
		return st, nil
	}
	d.stmts.mu.Lock()
	full := len(d.stmts.read) >= maxPrepared
	d.stmts.mu.Unlock()
	if full {
		return nil, nil // queries built from many filters: run unprepared rather than keep them all
	}
	st, err := d.Read.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	d.stmts.mu.Lock()
	defer d.stmts.mu.Unlock()
	if d.stmts.read == nil {
		d.stmts.read = map[string]*sql.Stmt{}
	}
	if prev, ok := d.stmts.read[q]; ok {
		st.Close() // another goroutine prepared it meanwhile
		return prev, nil
	}
	d.stmts.read[q] = st
	return st, nil
}

// cacheTx gives tx a statement cache of its own until forgetTx.
func (d *DB) cacheTx(tx *sql.Tx) {
	d.stmts.mu.Lock()
	if d.stmts.txs == nil {
		d.stmts.txs = map[*sql.Tx]*txState{}
	}
	d.stmts.txs[tx] = &txState{stmts: map[string]*sql.Stmt{}}
	d.stmts.mu.Unlock()
}

func (d *DB) forgetTx(tx *sql.Tx) {
	d.stmts.mu.Lock()
	delete(d.stmts.txs, tx)
	d.stmts.mu.Unlock()
}

// txStmt returns tx's prepared statement for q, or nil when tx keeps no cache.
func (d *DB) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	d.stmts.mu.Lock()
	state, ok := d.stmts.txs[tx]
	var st *sql.Stmt
	if ok {
		st = state.stmts[q]
	}
	d.stmts.mu.Unlock()
	if !ok || st != nil {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, q) // closed by database/sql when tx ends
	if err != nil {
		return nil, err
	}
	d.stmts.mu.Lock()
	state.stmts[q] = st
	d.stmts.mu.Unlock()
	return st, nil
}

// QueryRow runs a read query through a prepared statement.
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := d.prepared(ctx, q)
	if err != nil || st == nil {
		return d.Read.QueryRowContext(ctx, q, args...) // reports the same error through Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// Query runs a read query through a prepared statement.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := d.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return d.Read.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// TxExec runs a statement inside tx, prepared once per group-committed transaction.
//
// In a group-committed transaction the caller's cancellation is ignored: the job is awaited
// once queued, and one caller going away must not interrupt a transaction others share (the
// SQLite driver also watches every cancellable statement with a goroutine of its own).
func (d *DB) TxExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := d.txStmt(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.ExecContext(ctx, q, args...)
	}
	return st.ExecContext(context.WithoutCancel(ctx), args...)
}

// TxQueryRow runs a query inside tx, prepared once per group-committed transaction (where, as
// in TxExec, the caller's cancellation is ignored).
func (d *DB) TxQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	st, err := d.txStmt(ctx, tx, q)
	if err != nil || st == nil {
		return tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(context.WithoutCancel(ctx), args...)
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.read {
		st.Close()
	}
	c.read = nil
}

// PreparedReader is the read pool seen through prepared statements, as a Querier (for code that
// serves a pool and a transaction alike).
type PreparedReader struct{ d *DB }

// Prepared returns the read pool through prepared statements.
func (d *DB) Prepared() PreparedReader { return PreparedReader{d} }

// QueryContext runs a read query through a prepared statement.
func (p PreparedReader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.d.Query(ctx, q, args...)
}

// QueryRowContext runs a read query through a prepared statement.
func (p PreparedReader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.d.QueryRow(ctx, q, args...)
}

// TxQuery runs a query inside tx, prepared once per group-committed transaction (where, as in
// TxExec, the caller's cancellation is ignored).
func (d *DB) TxQuery(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st, err := d.txStmt(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(context.WithoutCancel(ctx), args...)
}

// Exec runs one write outside a transaction (it commits on its own), on the write pool.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.Write.ExecContext(ctx, q, args...)
}
