package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// MaxRevealReason is the longest reason for a reveal, in characters.
const MaxRevealReason = 200

// Contact is a reporter's full contact details.
type Contact struct {
	Name  string `json:"reporter_name"`
	Phone string `json:"reporter_phone"`
}

// ContactReach decides whether the caller may reveal the contact of case id, and as which grant:
// the handler asks before it reads the body, so a refusal says nothing about the body and a
// malformed body says nothing about the case.
func (s *Service) ContactReach(ctx context.Context, id string) (Case, access.Grant, error) {
	c, _, err := s.readable(ctx, id)
	if err != nil {
		return c, access.Grant{}, err
	}
	p, _ := access.From(ctx)
	// Seeing the contact is a permission of its own (roles that call reporters back); among the
	// departments, only the lead one calls.
	contact, err := access.Need(ctx, access.CaseContact)
	if err != nil {
		return c, access.Grant{}, err
	}
	for _, g := range contact.Grants {
		if access.GrantReaches(p.UserID, g, access.CaseContact, c.object()) &&
			(g.Role != access.DepartmentStaff || g.OrgCode == c.LeadDepartment) {
			if c.Anonymous {
				return c, g, apperr.New(apperr.Conflict, "case.anonymous")
			}
			return c, g, nil
		}
	}
	return c, access.Grant{}, apperr.New(apperr.Forbidden, "auth.forbidden")
}

// RevealContact shows the reporter's full phone number to a role that must call them back (the
// desk, the grid worker, the lead department). Every reveal is recorded in the audit log with the
// reason the caller gave (等保 2.0 level 3: access to personal information is justified and
// traceable).
func (s *Service) RevealContact(ctx context.Context, id, reason string) (Contact, error) {
	c, grant, err := s.ContactReach(ctx, id)
	if err != nil {
		return Contact{}, err
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > MaxRevealReason {
		return Contact{}, apperr.New(apperr.Invalid, "case.reveal_reason", MaxRevealReason).
			WithDetails([]apperr.Detail{{Field: "reason", Message: "case.reveal_reason", Args: []any{MaxRevealReason}}})
	}
	var enc string
	if err := s.DB.QueryRow(ctx, `SELECT reporter_phone_enc FROM cases WHERE id = $1`, id).Scan(&enc); err != nil {
		return Contact{}, err
	}
	phone, err := s.Vault.Open(enc)
	if err != nil {
		return Contact{}, err
	}
	// The name is sealed like the phone; rows written before names were sealed hold it plain.
	var name, nameEnc string
	if err := s.DB.QueryRow(ctx, `SELECT reporter_name, reporter_name_enc FROM cases WHERE id = $1`, id).Scan(&name, &nameEnc); err != nil {
		return Contact{}, err
	}
	if nameEnc != "" {
		if name, err = s.Vault.Open(nameEnc); err != nil {
			return Contact{}, err
		}
	}
	e := audit.For(access.ActorOf(ctx, grant), s.Now(), "case.reveal_contact", "case", id)
	e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
	e.After = audit.Summary(map[string]string{"reason": reason})
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	}); err != nil {
		return Contact{}, err
	}
	return Contact{Name: name, Phone: phone}, nil
}

// SealNames seals the reporters' names of cases written before names were sealed (migration
// 00016), in batches, each in a transaction; it returns how many it sealed. The application calls
// it at start: on a database sealed already it reads nothing.
func (s *Service) SealNames(ctx context.Context) (int, error) {
	sealed := 0
	for {
		type row struct{ id, name string }
		var batch []row
		rows, err := s.DB.Query(ctx, `SELECT id, reporter_name FROM cases WHERE reporter_name_enc = '' AND reporter_name <> '' LIMIT 500`)
		if err != nil {
			return sealed, fmt.Errorf("names to seal: %w", err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name); err != nil {
				rows.Close()
				return sealed, err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(batch) == 0 {
			return sealed, err
		}
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, r := range batch {
				if _, err := s.DB.TxExec(ctx, tx, `UPDATE cases SET reporter_name_enc = $1, reporter_name = $2
					WHERE id = $3 AND reporter_name_enc = ''`, s.Vault.For(pii.Cases).Seal(r.name), pii.MaskName(r.name), r.id); err != nil {
					return fmt.Errorf("seal name of %s: %w", r.id, err)
				}
			}
			return nil
		})
		if err != nil {
			return sealed, err
		}
		sealed += len(batch)
	}
}
