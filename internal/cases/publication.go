package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Publication is what staff set for a case's public view (issue 14): the public text (edited
// before publishing), the handling unit's public reply, and which photos are public. A field
// left out stays as it is.
type Publication struct {
	// Text replaces the description in public; "" goes back to the description. Either way it
	// passes through the one redaction function when read.
	Text *string `json:"public_text"`
	// Reply is the handling unit's reply to the public (答复).
	Reply *string `json:"public_reply"`
	// Photos are the ids of the case's photos to show in public; the others are hidden.
	Photos *[]string `json:"public_photos"`
}

// publishers are the roles that set a case's public view, where their case.act reaches the case:
// the desk edits the text before it is published, the handling unit writes its reply.
var publishers = []access.Role{access.IntakeOperator, access.ShiftLead, access.Dispatcher, access.DepartmentStaff}

// SetPublication sets what the public sees of a case (audited with the values before and after).
func (s *Service) SetPublication(ctx context.Context, id string, in Publication) (Case, error) {
	scope, err := access.Need(ctx, access.CaseAct)
	if err != nil {
		return Case{}, err
	}
	p, _ := access.From(ctx)
	for _, t := range []*string{in.Text, in.Reply} {
		if t != nil && len([]rune(*t)) > MaxDescription {
			return Case{}, apperr.New(apperr.Invalid, "case.too_long")
		}
	}
	if in.Text == nil && in.Reply == nil && in.Photos == nil {
		return Case{}, apperr.New(apperr.Invalid, "case.publication_empty")
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.loadForUpdate(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		grant, ok := publisherFor(p, c)
		if !ok {
			return apperr.New(apperr.Forbidden, "case.cannot_publish")
		}
		before, _ := s.publicationOf(ctx, tx, c)
		if in.Text != nil {
			var text any // NULL: the description
			if t := strings.TrimSpace(*in.Text); t != "" {
				text = t
			}
			if _, err := s.DB.TxExec(ctx, tx, `UPDATE cases SET public_text = $2 WHERE id = $1`, c.ID, text); err != nil {
				return fmt.Errorf("public text: %w", err)
			}
		}
		if in.Reply != nil {
			if _, err := s.DB.TxExec(ctx, tx, `UPDATE cases SET public_reply = $2 WHERE id = $1`, c.ID, strings.TrimSpace(*in.Reply)); err != nil {
				return fmt.Errorf("public reply: %w", err)
			}
		}
		if in.Photos != nil {
			if err := s.setPublicPhotos(ctx, tx, c.ID, *in.Photos); err != nil {
				return err
			}
		}
		after, err := s.publicationOf(ctx, tx, c)
		if err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "case.publication", "case", c.ID)
		e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
		e.Before, e.After = before, after
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.Get(ctx, id)
}

// publisherFor picks a grant of a publishing role that reaches the case for case.act; a
// follower or the reporter never sets the public view.
func publisherFor(p *access.Principal, c Case) (access.Grant, bool) {
	o := c.object()
	o.Users = nil
	for _, g := range p.Grants {
		if slices.Contains(publishers, g.Role) && access.GrantReaches(p.UserID, g, access.CaseAct, o) {
			return g, true
		}
	}
	return access.Grant{}, false
}

// setPublicPhotos marks exactly the given photos of the case public; an id that is not one of
// the case's photos is refused.
func (s *Service) setPublicPhotos(ctx context.Context, tx *sql.Tx, caseID string, ids []string) error {
	if len(ids) > 50 {
		return apperr.New(apperr.Invalid, "case.unknown_photo", "")
	}
	for _, pid := range ids {
		var n int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT COUNT(*) FROM case_photos WHERE id = $1 AND case_id = $2`, pid, caseID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Invalid, "case.unknown_photo", pid)
		}
	}
	if _, err := s.DB.TxExec(ctx, tx, `UPDATE case_photos SET public = false WHERE case_id = $1`, caseID); err != nil {
		return err
	}
	for _, pid := range ids {
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE case_photos SET public = true WHERE id = $1 AND case_id = $2`, pid, caseID); err != nil {
			return err
		}
	}
	return nil
}

// publicationOf is the case's publication as JSON, for the audit log.
func (s *Service) publicationOf(ctx context.Context, tx *sql.Tx, c Case) (string, error) {
	var text sql.NullString
	var reply string
	if err := s.DB.TxQueryRow(ctx, tx, `SELECT public_text, public_reply FROM cases WHERE id = $1`, c.ID).Scan(&text, &reply); err != nil {
		return "", err
	}
	ids, err := db.Strings(ctx, tx, `SELECT id FROM case_photos WHERE case_id = $1 AND public ORDER BY id`, c.ID)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{"public_text": text.String, "public_reply": reply, "public_photos": ids})
	return string(b), err
}
