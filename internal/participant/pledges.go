package participant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// PledgeInput is a pledge as POST and PATCH take it; on PATCH an absent field is kept.
type PledgeInput struct {
	Title       *string `json:"title,omitempty"`
	Kind        string  `json:"kind,omitempty"`
	Description *string `json:"description,omitempty"`
	Status      string  `json:"status,omitempty"`
}

func (in *PledgeInput) clean() error {
	if in.Title != nil {
		*in.Title = strings.TrimSpace(*in.Title)
		if n := utf8.RuneCountInString(*in.Title); n < 2 || n > 100 {
			return bad("title", "participant.bad_pledge_title")
		}
	}
	if in.Description != nil {
		*in.Description = strings.TrimSpace(*in.Description)
		if utf8.RuneCountInString(*in.Description) > 1000 {
			return bad("description", "participant.bad_pledge_description")
		}
	}
	if in.Kind != "" && !slices.Contains(PledgeKinds, in.Kind) {
		return bad("kind", "participant.bad_pledge_kind", in.Kind)
	}
	if in.Status != "" && !slices.Contains(PledgeStatuses, in.Status) {
		return bad("status", "participant.bad_pledge_status", in.Status)
	}
	return nil
}

// AddPledge adds a pledge (共建项目 or 资源清单 entry) to a participant; it starts as pledged
// unless the input says otherwise.
func (s *Service) AddPledge(ctx context.Context, participantID string, in PledgeInput) (Pledge, error) {
	_, z, grant, err := s.managed(ctx, participantID)
	if err != nil {
		return Pledge{}, err
	}
	if in.Title == nil {
		return Pledge{}, bad("title", "participant.bad_pledge_title")
	}
	if in.Kind == "" {
		return Pledge{}, bad("kind", "participant.bad_pledge_kind", in.Kind)
	}
	if err := in.clean(); err != nil {
		return Pledge{}, err
	}
	if in.Status == "" {
		in.Status = "pledged"
	}
	now := s.Now().UTC()
	pl := Pledge{ID: db.NewID(), Title: *in.Title, Kind: in.Kind, Description: deref(in.Description), Status: in.Status, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO participant_pledges (id, participant_id, title, kind, description, status, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7)`, pl.ID, participantID, pl.Title, pl.Kind, pl.Description, pl.Status, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "participant.pledge_add", "pledge", pl.ID)
		e.OrgPath, e.After = z.path, audit.Summary(map[string]string{"participant": participantID, "title": pl.Title, "status": pl.Status})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Pledge{}, fmt.Errorf("add pledge: %w", err)
	}
	return pl, nil
}

// UpdatePledge changes a pledge: its progress (pledged → in_progress → delivered), title or text.
func (s *Service) UpdatePledge(ctx context.Context, id string, in PledgeInput) (Pledge, error) {
	if _, err := access.Need(ctx, access.ParticipantManage); err != nil {
		return Pledge{}, err
	}
	var owner string
	var pl Pledge
	err := s.DB.QueryRow(ctx, `SELECT participant_id, id, title, kind, description, status, updated_at FROM participant_pledges WHERE id = $1`, id).
		Scan(&owner, &pl.ID, &pl.Title, &pl.Kind, &pl.Description, &pl.Status, &pl.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Pledge{}, apperr.New(apperr.NotFound, "participant.pledge_not_found")
	}
	if err != nil {
		return Pledge{}, fmt.Errorf("read pledge: %w", err)
	}
	_, z, grant, err := s.managed(ctx, owner)
	if apperr.CodeOf(err) == apperr.NotFound {
		return Pledge{}, apperr.New(apperr.NotFound, "participant.pledge_not_found")
	} else if err != nil {
		return Pledge{}, err
	}
	if err := in.clean(); err != nil {
		return Pledge{}, err
	}
	before := pl.Status
	if in.Title != nil {
		pl.Title = *in.Title
	}
	if in.Description != nil {
		pl.Description = *in.Description
	}
	if in.Kind != "" {
		pl.Kind = in.Kind
	}
	if in.Status != "" {
		pl.Status = in.Status
	}
	now := s.Now().UTC()
	pl.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE participant_pledges SET title = $2, kind = $3, description = $4, status = $5, updated_at = $6 WHERE id = $1`,
			id, pl.Title, pl.Kind, pl.Description, pl.Status, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "participant.pledge_update", "pledge", id)
		e.OrgPath, e.Before, e.After = z.path, before, pl.Status
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Pledge{}, fmt.Errorf("update pledge: %w", err)
	}
	return pl, nil
}
