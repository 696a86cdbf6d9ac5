package db

import (
	"context"
	"database/sql"
)

// Querier is what reads need of either a pool or a transaction (*sql.DB, *sql.Tx), so one
// lookup serves a request's read and a change's transaction alike.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
