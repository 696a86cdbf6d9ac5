package db

import (
	"context"
	"database/sql"
)

// Scanner is one row being read: a *sql.Row, or *sql.Rows at a row.
type Scanner = interface{ Scan(dest ...any) error }

// QueryAll runs query on q (a pool or a transaction) and reads every row with scan. No rows is an
// empty list, not nil, so that a JSON answer shows [] rather than null.
func QueryAll[T any](ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// String reads a one-column row of text.
func String(r Scanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

// Strings runs a query of one text column and returns its values.
func Strings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	return QueryAll(ctx, q, String, query, args...)
}
