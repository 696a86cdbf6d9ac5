package db

import (
	"database/sql"
	"slices"
)

// A group-committed transaction carries, besides its prepared statements, values its jobs share
// and work to do once before it commits. Jobs use them to do per batch what would otherwise cost
// a statement per job: reading the audit chain's head once, numbering cases from one counter
// read and writing the counter back once.
type txState struct {
	stmts  map[string]*sql.Stmt
	values map[string]any
	hooks  []string
	before map[string]func() error
}

func (d *DB) txState(tx *sql.Tx) *txState {
	d.stmts.mu.Lock()
	defer d.stmts.mu.Unlock()
	return d.stmts.txs[tx]
}

// TxValue returns the value stored under key in tx, if tx is group-committed and has one.
func (d *DB) TxValue(tx *sql.Tx, key string) (any, bool) {
	st := d.txState(tx)
	if st == nil {
		return nil, false
	}
	v, ok := st.values[key]
	return v, ok
}

// SetTxValue stores v under key for the rest of tx. It reports false, storing nothing, when tx is
// not group-committed: the caller then has nothing to share and works statement by statement.
func (d *DB) SetTxValue(tx *sql.Tx, key string, v any) bool {
	st := d.txState(tx)
	if st == nil {
		return false
	}
	if st.values == nil {
		st.values = map[string]any{}
	}
	st.values[key] = v
	return true
}

// BeforeCommit makes fn run just before tx commits, after every job of the batch. A later call
// with the same key replaces fn (keeping its place in the order of first registration). It
// reports false, registering nothing, when tx is not group-committed.
func (d *DB) BeforeCommit(tx *sql.Tx, key string, fn func() error) bool {
	st := d.txState(tx)
	if st == nil {
		return false
	}
	if st.before == nil {
		st.before = map[string]func() error{}
	}
	if _, ok := st.before[key]; !ok {
		st.hooks = append(st.hooks, key)
	}
	st.before[key] = fn
	return true
}

// runBeforeCommit runs tx's registered work in order.
func (d *DB) runBeforeCommit(tx *sql.Tx) error {
	st := d.txState(tx)
	if st == nil {
		return nil
	}
	for _, key := range slices.Clone(st.hooks) {
		if err := st.before[key](); err != nil {
			return err
		}
	}
	return nil
}
