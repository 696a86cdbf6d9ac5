package whistle

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/flow"
)

// The shared thread of a whistle (联动联治): the whistler's side and every summoned unit write to
// one another while the whistle is open; everyone who reads the whistle reads the thread.

// Post is one message of the thread.
type Post struct {
	ID         string    `json:"id"`
	AuthorID   string    `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Role       string    `json:"role"`
	OrgCode    string    `json:"org_code"`
	Body       string    `json:"body"`
	At         time.Time `json:"at"`
}

// PostInput is the body of POST /api/v1/whistles/{id}/messages.
type PostInput struct {
	Body string `json:"body"`
}

// maxThread bounds a thread as read at once.
const maxThread = 1000

// Say adds a message to an open whistle's thread, as the caller's role that reaches the whistle.
func (s *Service) Say(ctx context.Context, id string, in PostInput) (Post, error) {
	scope, err := access.Need(ctx, access.WhistleRead)
	if err != nil {
		return Post{}, err
	}
	body := strings.TrimSpace(in.Body)
	if utf8.RuneCountInString(body) > MaxNote {
		return Post{}, apperr.New(apperr.Invalid, "whistle.too_long", MaxNote)
	}
	p, _ := access.From(ctx)
	now := s.Now().UTC()
	post := Post{ID: db.NewID(), AuthorID: p.UserID, AuthorName: p.DisplayName, Body: body, At: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		w, err := s.loadForUpdate(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		g, ok := grantFor(p, w, access.WhistleRead, slices.Concat(whistlers, answerers), "")
		if !ok {
			return apperr.New(apperr.Forbidden, "auth.out_of_scope")
		}
		if _, err := whistleFlow.Next(w.Status, Message, g.Role, flow.Inputs{"note": body}); err != nil {
			return err
		}
		post.Role, post.OrgCode = string(g.Role), g.OrgCode
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO whistle_messages (id, whistle_id, author_id, author_name, role,
			org_code, body, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, post.ID, w.ID, post.AuthorID, post.AuthorName,
			post.Role, post.OrgCode, post.Body, now); err != nil {
			return fmt.Errorf("post to whistle thread: %w", err)
		}
		return s.audit(ctx, tx, g, w, Message, "", post.ID, now)
	})
	if err != nil {
		return Post{}, err
	}
	return post, nil
}

// Thread returns the messages of a whistle the caller reaches, oldest first (at most maxThread).
func (s *Service) Thread(ctx context.Context, id string) ([]Post, error) {
	scope, err := access.Need(ctx, access.WhistleRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.load(ctx, nil, scope, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT id, author_id, author_name, role, org_code, body, at FROM whistle_messages
		WHERE whistle_id = $1 ORDER BY at, id LIMIT $2`, id, maxThread)
	if err != nil {
		return nil, fmt.Errorf("read whistle thread: %w", err)
	}
	defer rows.Close()
	out := []Post{}
	for rows.Next() {
		var m Post
		if err := rows.Scan(&m.ID, &m.AuthorID, &m.AuthorName, &m.Role, &m.OrgCode, &m.Body, &m.At); err != nil {
			return nil, fmt.Errorf("read whistle thread: %w", err)
		}
		m.At = m.At.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}
