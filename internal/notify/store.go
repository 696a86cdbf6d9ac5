package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Notification is one entry of a user's in-app list.
type Notification struct {
	ID        string     `json:"id"`
	CaseID    string     `json:"case_id,omitempty"`
	Kind      string     `json:"kind"`
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	template  string
	params    []string
}

// Service keeps each user's notifications and the hub of this node's open pages. Notifications
// are written by Outbox.Record, in the transaction of the change they tell of.
type Service struct {
	DB     *db.DB
	Hub    *Hub
	Outbox *Outbox
	Now    func() time.Time
}

// List returns the caller's newest notifications and how many are unread.
func (s *Service) List(ctx context.Context, limit int) ([]Notification, int, error) {
	p, ok := access.From(ctx)
	if !ok || p.System {
		return nil, 0, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.DB.Query(ctx, `SELECT id, case_id, kind, text, created_at, read_at, template, params FROM notifications
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, p.UserID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		var params string
		if err := rows.Scan(&n.ID, &n.CaseID, &n.Kind, &n.Text, &n.CreatedAt, &read, &n.template, &params); err != nil {
			return nil, 0, err
		}
		_ = json.Unmarshal([]byte(params), &n.params)
		n.CreatedAt = n.CreatedAt.UTC()
		if read.Valid {
			t := read.Time.UTC()
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	var unread int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, p.UserID).Scan(&unread); err != nil {
		return nil, 0, err
	}
	return out, unread, rows.Err()
}

// MarkRead marks the caller's notification read ("all" marks every one).
func (s *Service) MarkRead(ctx context.Context, id string) error {
	p, ok := access.From(ctx)
	if !ok || p.System {
		return apperr.New(apperr.Unauthenticated, "auth.required")
	}
	q, args := `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND id = $3`, []any{s.Now().UTC(), p.UserID, id}
	if id == "all" {
		q, args = `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, args[:2]
	}
	res, err := s.DB.Exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 && id != "all" {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	return nil
}
