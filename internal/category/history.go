package category

import (
	"context"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Change is one recorded change of the configuration, as the settings page lists it.
type Change struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Action   string    `json:"action"`
	ObjectID string    `json:"object_id"`
}

// historyLimit is how many changes a history shows, newest first.
const historyLimit = 50

// History lists the latest recorded changes whose audit action starts with prefix ("category.",
// "routing."): who changed what and when. It reads the audit log the changes were recorded in
// (the audit log's own search needs audit.read, which a sys_admin lacks), for whoever may make
// such changes.
func History(ctx context.Context, d *db.DB, prefix string) ([]Change, error) {
	if _, err := NeedWrite(ctx); err != nil {
		return nil, err
	}
	rows, err := d.Query(ctx, `SELECT at, actor_name, action, object_id FROM audit_log
		WHERE substr(action, 1, $1) = $2 AND result = 'ok' ORDER BY seq DESC LIMIT $3`, len(prefix), prefix, historyLimit)
	if err != nil {
		return nil, fmt.Errorf("read %s history: %w", prefix, err)
	}
	defer rows.Close()
	out := []Change{}
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.At, &c.By, &c.Action, &c.ObjectID); err != nil {
			return nil, fmt.Errorf("read %s history: %w", prefix, err)
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
