package notify

import (
	"context"
	"database/sql"
	"fmt"
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
}

// Service stores notifications and publishes them live.
type Service struct {
	DB  *db.DB
	Hub *Hub
	Now func() time.Time
	// Writer, when set, gathers notification writes into shared transactions (group commit).
	Writer *db.GroupCommitter
}

// Add gives each user a notification and pushes it to their open pages.
func (s *Service) Add(ctx context.Context, userIDs []string, caseID, kind, text string) error {
	now := s.Now().UTC()
	ids := make([]string, len(userIDs))
	write := s.DB.Tx
	if s.Writer != nil {
		write = s.Writer.Do
	}
	err := write(ctx, func(tx *sql.Tx) error {
		for i, u := range userIDs {
			ids[i] = db.NewID()
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO notifications (id, user_id, case_id, kind, text, created_at)
				VALUES ($1,$2,$3,$4,$5,$6)`, ids[i], u, caseID, kind, text, now); err != nil {
				return fmt.Errorf("notify: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, u := range userIDs {
		s.Hub.Publish(Message{ID: ids[i], Kind: "notification", CaseID: caseID, Action: kind, Text: text, At: now, UserID: u})
	}
	return nil
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
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id, case_id, kind, text, created_at, read_at FROM notifications
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, p.UserID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.CaseID, &n.Kind, &n.Text, &n.CreatedAt, &read); err != nil {
			return nil, 0, err
		}
		n.CreatedAt = n.CreatedAt.UTC()
		if read.Valid {
			t := read.Time.UTC()
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	var unread int
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, p.UserID).Scan(&unread); err != nil {
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
	res, err := s.DB.Write.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 && id != "all" {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	return nil
}
