package cases

import (
	"context"
	"database/sql"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
)

// Contact is a reporter's full contact details.
type Contact struct {
	Name  string `json:"reporter_name"`
	Phone string `json:"reporter_phone"`
}

// RevealContact shows the reporter's full phone number to a role that must call them back (the
// desk, the grid worker, the lead department). Every reveal is recorded in the audit log.
func (s *Service) RevealContact(ctx context.Context, id string) (Contact, error) {
	c, _, err := s.readable(ctx, id)
	if err != nil {
		return Contact{}, err
	}
	p, _ := access.From(ctx)
	// Seeing the contact is a permission of its own (roles that call reporters back); among the
	// departments, only the lead one calls.
	contact, err := access.Need(ctx, access.CaseContact)
	if err != nil {
		return Contact{}, err
	}
	var grant access.Grant
	ok := false
	for _, g := range contact.Grants {
		if access.GrantReaches(p.UserID, g, access.CaseContact, c.object()) &&
			(g.Role != access.DepartmentStaff || g.OrgCode == c.LeadDepartment) {
			grant, ok = g, true
			break
		}
	}
	if !ok {
		return Contact{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	if c.Anonymous {
		return Contact{}, apperr.New(apperr.Conflict, "case.anonymous")
	}
	var enc string
	if err := s.DB.QueryRow(ctx, `SELECT reporter_phone_enc FROM cases WHERE id = $1`, id).Scan(&enc); err != nil {
		return Contact{}, err
	}
	phone, err := s.Vault.Open(enc)
	if err != nil {
		return Contact{}, err
	}
	var name string
	s.DB.QueryRow(ctx, `SELECT reporter_name FROM cases WHERE id = $1`, id).Scan(&name)
	e := audit.For(access.ActorOf(ctx, grant), s.Now(), "case.reveal_contact", "case", id)
	e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	}); err != nil {
		return Contact{}, err
	}
	return Contact{Name: name, Phone: phone}, nil
}
