package eval

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Pick is a leader's choice of a 担当者 candidate from the person tables (赛马场), with the reason
// and the period whose figures it rests on.
type Pick struct {
	ID       string    `json:"id"`
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Reason   string    `json:"reason"`
	PickedBy string    `json:"picked_by"`
	At       time.Time `json:"created_at"`
}

// PickInput is the body of POST /api/v1/eval/picks.
type PickInput struct {
	UserID string `json:"user_id"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// AddPick records a leader's pick: the person must be in the leader's reach, the reason said.
func (s *Service) AddPick(ctx context.Context, in PickInput) (Pick, error) {
	scope, err := access.Need(ctx, access.EvalPick)
	if err != nil {
		return Pick{}, err
	}
	period, err := ParsePeriod(in.From, in.To)
	if err != nil {
		return Pick{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if n := len([]rune(reason)); n < 2 || n > 500 {
		return Pick{}, apperr.New(apperr.Invalid, "eval.pick_reason")
	}
	members, err := s.members(ctx, scope, LevelPerson)
	if err != nil {
		return Pick{}, err
	}
	i := slices.IndexFunc(members, func(m member) bool { return m.Code == in.UserID })
	if i < 0 {
		return Pick{}, apperr.New(apperr.NotFound, "eval.unknown_unit", in.UserID)
	}
	now := s.Now().UTC()
	g := scope.Primary()
	actor := access.ActorOf(ctx, g)
	if pr, ok := access.From(ctx); ok && pr.DisplayName != "" {
		actor.Name = pr.DisplayName // the pick shows who made it by the name people know
	}
	p := Pick{ID: db.NewID(), UserID: in.UserID, Name: members[i].Name, From: period.From.Format(time.DateOnly),
		To: period.To.Format(time.DateOnly), Reason: reason, PickedBy: actor.Name, At: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO eval_picks (id, user_id, period_from, period_to, reason, picked_by, picked_by_name, picked_path, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, p.ID, p.UserID, p.From, p.To, p.Reason, actor.ID, actor.Name, g.OrgPath, now); err != nil {
			return err
		}
		e := audit.For(actor, now, "eval.pick", "user", p.UserID)
		e.OrgPath, e.OrgCode = g.OrgPath, g.OrgCode
		e.After = audit.Summary(map[string]any{"from": p.From, "to": p.To, "reason": p.Reason})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	return p, err
}

// Picks lists the picks of the people in the caller's reach, newest first.
func (s *Service) Picks(ctx context.Context) ([]Pick, error) {
	scope, err := access.Need(ctx, access.EvalPeople)
	if err != nil {
		return nil, err
	}
	members, err := s.members(ctx, scope, LevelPerson)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, m := range members {
		names[m.Code] = m.Name
	}
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.user_id, p.period_from, p.period_to, p.reason, p.picked_by_name, p.created_at
		FROM eval_picks p ORDER BY p.created_at DESC, p.id LIMIT 500`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Pick{}
	for rows.Next() {
		var p Pick
		if err := rows.Scan(&p.ID, &p.UserID, &p.From, &p.To, &p.Reason, &p.PickedBy, &p.At); err != nil {
			return nil, err
		}
		name, ok := names[p.UserID]
		if !ok {
			continue
		}
		p.Name = name
		out = append(out, p)
	}
	return out, rows.Err()
}
