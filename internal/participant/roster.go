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
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// zone is a zone as scope sees it: its path and the paths of its grids.
type zone struct {
	code, name, subdistrict, path string
	gridPaths                     []string
}

func (z zone) object() access.Object {
	return access.Object{Kind: ObjectKind.Name, ID: z.code, Path: z.path, Places: z.gridPaths}
}

func (s *Service) zone(ctx context.Context, code string) (zone, error) {
	z := zone{code: code}
	err := s.DB.QueryRow(ctx, `SELECT name, subdistrict_code, path FROM zones WHERE code = $1`, code).Scan(&z.name, &z.subdistrict, &z.path)
	if errors.Is(err, sql.ErrNoRows) {
		return z, apperr.New(apperr.NotFound, "participant.zone_not_found", code)
	}
	if err != nil {
		return z, fmt.Errorf("read zone %s: %w", code, err)
	}
	z.gridPaths, err = db.Strings(ctx, s.DB.Prepared(), `SELECT path FROM grids WHERE zone_code = $1`, code)
	return z, err
}

// reach loads a zone the caller reaches with perm (not found otherwise: its existence is not
// revealed) and returns the grant that reaches it.
func (s *Service) reach(ctx context.Context, code string, perm access.Permission) (zone, access.Grant, error) {
	scope, err := access.Need(ctx, perm)
	if err != nil {
		return zone{}, access.Grant{}, err
	}
	z, err := s.zone(ctx, code)
	if err != nil {
		return z, access.Grant{}, err
	}
	p, _ := access.From(ctx)
	for _, g := range scope.Grants {
		if access.GrantReaches(p.UserID, g, perm, z.object()) {
			return z, g, nil
		}
	}
	if perm == access.ParticipantManage {
		if _, err := s.reachRead(ctx, z); err == nil {
			return z, access.Grant{}, apperr.New(apperr.Forbidden, "auth.forbidden")
		}
	}
	return z, access.Grant{}, apperr.New(apperr.NotFound, "participant.zone_not_found", code)
}

// reachRead reports whether the caller may read z's roster.
func (s *Service) reachRead(ctx context.Context, z zone) (access.Scope, error) {
	scope, err := access.Need(ctx, access.ParticipantRead)
	if err != nil {
		return scope, err
	}
	if !scope.Reaches(z.object()) {
		return scope, apperr.New(apperr.NotFound, "participant.zone_not_found", z.code)
	}
	return scope, nil
}

// manages reports whether the caller manages z's roster (sees full contacts, confirms hours).
func manages(ctx context.Context, z zone) bool {
	scope, err := access.Need(ctx, access.ParticipantManage)
	return err == nil && scope.Reaches(z.object())
}

// Roster reads a zone's 1+N roster with each participant's pledges. Contacts are masked (138****1234,
// 张**) unless the caller manages the roster (participant.manage).
func (s *Service) Roster(ctx context.Context, code string) (Roster, error) {
	z, _, err := s.reach(ctx, code, access.ParticipantRead)
	if err != nil {
		return Roster{}, err
	}
	full := manages(ctx, z)
	list, err := s.participants(ctx, `p.zone_code = $1`, code)
	if err != nil {
		return Roster{}, err
	}
	r := Roster{ZoneCode: z.code, ZoneName: z.name, Subdistrict: z.subdistrict, Participants: []Participant{}}
	for _, p := range list {
		p.participant.show(s.Vault, full, p.enc)
		if p.Kind == Lead && r.Lead == nil {
			lead := p.participant
			r.Lead = &lead
			continue
		}
		r.Participants = append(r.Participants, p.participant)
	}
	return r, nil
}

// stored is a participant with its sealed contact.
type stored struct {
	participant Participant
	Kind        Kind
	enc         [2]string
	path        string
}

func (p *Participant) show(v Vault, full bool, enc [2]string) {
	p.Masked = !full
	if !full {
		return
	}
	// A value that does not open stays masked rather than failing the whole roster.
	if name, err := v.Open(enc[0]); err == nil && enc[0] != "" {
		p.ContactName = name
	}
	if phone, err := v.Open(enc[1]); err == nil && enc[1] != "" {
		p.ContactPhone = phone
	}
}

// participants reads participants matching cond (on alias p) with their pledges and, for
// volunteer teams, their member counts.
func (s *Service) participants(ctx context.Context, cond string, args ...any) ([]stored, error) {
	list, err := db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (stored, error) {
		var st stored
		p := &st.participant
		err := r.Scan(&p.ID, &p.ZoneCode, &p.Kind, &p.Name, &p.ContactName, &p.ContactPhone, &st.enc[0], &st.enc[1],
			&p.CreatedAt, &p.UpdatedAt, &st.path)
		p.CreatedAt, p.UpdatedAt, st.Kind, p.Pledges = p.CreatedAt.UTC(), p.UpdatedAt.UTC(), p.Kind, []Pledge{}
		return st, err
	}, `SELECT p.id, p.zone_code, p.kind, p.name, p.contact_name_masked, p.contact_phone_masked, p.contact_name_enc,
		p.contact_phone_enc, p.created_at, p.updated_at, p.path FROM participants p WHERE `+cond+` ORDER BY p.zone_code, p.created_at, p.id`, args...)
	if err != nil || len(list) == 0 {
		return list, err
	}
	index := map[string]int{}
	for i, st := range list {
		index[st.participant.ID] = i
	}
	rows, err := s.DB.Query(ctx, `SELECT pl.participant_id, pl.id, pl.title, pl.kind, pl.description, pl.status, pl.updated_at
		FROM participant_pledges pl JOIN participants p ON p.id = pl.participant_id WHERE `+cond+` ORDER BY pl.created_at, pl.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read pledges: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var owner string
		var pl Pledge
		if err := rows.Scan(&owner, &pl.ID, &pl.Title, &pl.Kind, &pl.Description, &pl.Status, &pl.UpdatedAt); err != nil {
			return nil, err
		}
		pl.UpdatedAt = pl.UpdatedAt.UTC()
		if i, ok := index[owner]; ok {
			list[i].participant.Pledges = append(list[i].participant.Pledges, pl)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts, err := s.DB.Query(ctx, `SELECT m.team_id, count(*) FROM volunteer_members m JOIN participants p ON p.id = m.team_id
		WHERE `+cond+` GROUP BY m.team_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	defer counts.Close()
	for i := range list {
		if list[i].Kind == VolunteerTeam {
			zero := 0
			list[i].participant.Members = &zero
		}
	}
	for counts.Next() {
		var team string
		var n int
		if err := counts.Scan(&team, &n); err != nil {
			return nil, err
		}
		if i, ok := index[team]; ok {
			list[i].participant.Members = &n
		}
	}
	return list, counts.Err()
}

// ParticipantInput is a participant as POST and PATCH take it; on PATCH an absent field is kept.
type ParticipantInput struct {
	Kind         Kind    `json:"kind,omitempty"`
	Name         *string `json:"name,omitempty"`
	ContactName  *string `json:"contact_name,omitempty"`
	ContactPhone *string `json:"contact_phone,omitempty"`
}

func bad(field, key string, args ...any) error {
	return apperr.New(apperr.Invalid, key, args...).WithDetails([]apperr.Detail{{Field: field, Message: key, Args: args}})
}

// clean checks the fields the input carries and normalises the phone.
func (in *ParticipantInput) clean() error {
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		if n := utf8.RuneCountInString(*in.Name); n < 2 || n > 100 {
			return bad("name", "participant.bad_name")
		}
	}
	if in.ContactName != nil {
		*in.ContactName = strings.TrimSpace(*in.ContactName)
		if utf8.RuneCountInString(*in.ContactName) > 64 {
			return bad("contact_name", "participant.bad_contact_name")
		}
	}
	if in.ContactPhone != nil && strings.TrimSpace(*in.ContactPhone) != "" {
		phone, ok := pii.NormalizeContact(*in.ContactPhone)
		if !ok {
			return bad("contact_phone", "participant.bad_phone")
		}
		*in.ContactPhone = phone
	}
	return nil
}

// AddParticipant adds the lead organisation (one per zone) or a participant to a zone's roster.
func (s *Service) AddParticipant(ctx context.Context, zoneCode string, in ParticipantInput) (Participant, error) {
	z, grant, err := s.reach(ctx, zoneCode, access.ParticipantManage)
	if err != nil {
		return Participant{}, err
	}
	if !slices.Contains(Kinds, in.Kind) {
		return Participant{}, bad("kind", "participant.bad_kind", in.Kind)
	}
	if in.Name == nil {
		return Participant{}, bad("name", "participant.bad_name")
	}
	if err := in.clean(); err != nil {
		return Participant{}, err
	}
	now := s.Now().UTC()
	p := Participant{ID: db.NewID(), ZoneCode: z.code, Kind: in.Kind, Name: *in.Name, Pledges: []Pledge{}, CreatedAt: now, UpdatedAt: now}
	if in.Kind == VolunteerTeam {
		zero := 0
		p.Members = &zero
	}
	name, phone := deref(in.ContactName), deref(in.ContactPhone)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if in.Kind == Lead {
			var n int
			if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM participants WHERE zone_code = $1 AND kind = 'lead'`, z.code).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.New(apperr.Conflict, "participant.lead_exists", z.name)
			}
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO participants (id, zone_code, path, kind, name, contact_name_enc, contact_name_masked,
			contact_phone_enc, contact_phone_masked, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)`,
			p.ID, z.code, z.path, p.Kind, p.Name, s.Vault.Seal(name), pii.MaskName(name), s.Vault.Seal(phone), mask(phone), now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "participant.add", ObjectKind.Name, p.ID)
		e.OrgPath, e.After = z.path, audit.Summary(map[string]string{"zone": z.code, "kind": string(p.Kind), "name": p.Name})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Participant{}, fmt.Errorf("add participant: %w", err)
	}
	p.ContactName, p.ContactPhone = name, phone
	return p, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func mask(phone string) string {
	if phone == "" {
		return ""
	}
	return pii.MaskPhone(phone)
}

// UpdateParticipant changes a participant's name or contact (its kind stays).
func (s *Service) UpdateParticipant(ctx context.Context, id string, in ParticipantInput) (Participant, error) {
	st, z, grant, err := s.managed(ctx, id)
	if err != nil {
		return Participant{}, err
	}
	if in.Kind != "" && in.Kind != st.Kind {
		return Participant{}, bad("kind", "participant.kind_fixed")
	}
	if err := in.clean(); err != nil {
		return Participant{}, err
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if in.Name != nil {
			if _, err := s.DB.TxExec(ctx, tx, `UPDATE participants SET name = $2, updated_at = $3 WHERE id = $1`, id, *in.Name, now); err != nil {
				return err
			}
		}
		if in.ContactName != nil {
			if _, err := s.DB.TxExec(ctx, tx, `UPDATE participants SET contact_name_enc = $2, contact_name_masked = $3, updated_at = $4 WHERE id = $1`,
				id, s.Vault.Seal(*in.ContactName), pii.MaskName(*in.ContactName), now); err != nil {
				return err
			}
		}
		if in.ContactPhone != nil {
			if _, err := s.DB.TxExec(ctx, tx, `UPDATE participants SET contact_phone_enc = $2, contact_phone_masked = $3, updated_at = $4 WHERE id = $1`,
				id, s.Vault.Seal(*in.ContactPhone), mask(*in.ContactPhone), now); err != nil {
				return err
			}
		}
		// The audit record names what changed, never the contact itself.
		e := audit.For(access.ActorOf(ctx, grant), now, "participant.update", ObjectKind.Name, id)
		e.OrgPath = z.path
		e.After = audit.Summary(map[string]bool{"name": in.Name != nil, "contact_name": in.ContactName != nil, "contact_phone": in.ContactPhone != nil})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Participant{}, fmt.Errorf("update participant: %w", err)
	}
	list, err := s.participants(ctx, `p.id = $1`, id)
	if err != nil || len(list) == 0 {
		return Participant{}, fmt.Errorf("read participant: %w", err)
	}
	list[0].participant.show(s.Vault, true, list[0].enc)
	return list[0].participant, nil
}

// managed loads a participant the caller manages.
func (s *Service) managed(ctx context.Context, id string) (stored, zone, access.Grant, error) {
	if _, err := access.Need(ctx, access.ParticipantManage); err != nil {
		return stored{}, zone{}, access.Grant{}, err
	}
	list, err := s.participants(ctx, `p.id = $1`, id)
	if err != nil {
		return stored{}, zone{}, access.Grant{}, err
	}
	if len(list) == 0 {
		return stored{}, zone{}, access.Grant{}, apperr.New(apperr.NotFound, "participant.not_found")
	}
	z, grant, err := s.reach(ctx, list[0].participant.ZoneCode, access.ParticipantManage)
	if apperr.CodeOf(err) == apperr.NotFound {
		err = apperr.New(apperr.NotFound, "participant.not_found")
	}
	return list[0], z, grant, err
}
