package participant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Teams lists the volunteer teams (志愿服务队) of the zones in the caller's reach.
func (s *Service) Teams(ctx context.Context) ([]Team, error) {
	scope, err := access.Need(ctx, access.ParticipantRead)
	if err != nil {
		return nil, err
	}
	cond, args := scope.Where(ObjectKind, "p", 1)
	teams, err := db.QueryAll(ctx, s.DB.Prepared(), func(r db.Scanner) (Team, error) {
		var t Team
		return t, r.Scan(&t.ID, &t.ZoneCode, &t.ZoneName, &t.Name, &t.Members)
	}, `SELECT p.id, p.zone_code, z.name, p.name, (SELECT count(*) FROM volunteer_members m WHERE m.team_id = p.id)
		FROM participants p JOIN zones z ON z.code = p.zone_code
		WHERE p.kind = 'volunteer_team' AND `+cond+` ORDER BY p.zone_code, p.name, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list volunteer teams: %w", err)
	}
	return teams, nil
}

// team loads a volunteer team the caller reaches with perm.
func (s *Service) team(ctx context.Context, id string, perm access.Permission) (zone, access.Grant, error) {
	var zoneCode string
	err := s.DB.QueryRow(ctx, `SELECT zone_code FROM participants WHERE id = $1 AND kind = 'volunteer_team'`, id).Scan(&zoneCode)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := access.Need(ctx, perm); err != nil {
			return zone{}, access.Grant{}, err
		}
		return zone{}, access.Grant{}, apperr.New(apperr.NotFound, "participant.team_not_found")
	}
	if err != nil {
		return zone{}, access.Grant{}, fmt.Errorf("read team: %w", err)
	}
	z, g, err := s.reach(ctx, zoneCode, perm)
	if apperr.CodeOf(err) == apperr.NotFound {
		err = apperr.New(apperr.NotFound, "participant.team_not_found")
	}
	return z, g, err
}

func scanMember(r db.Scanner) (Member, error) {
	var m Member
	err := r.Scan(&m.ID, &m.TeamID, &m.UserID, &m.Name, &m.JoinedAt)
	m.JoinedAt = m.JoinedAt.UTC()
	return m, err
}

// Members lists a team's members.
func (s *Service) Members(ctx context.Context, teamID string) ([]Member, error) {
	if _, _, err := s.team(ctx, teamID, access.ParticipantRead); err != nil {
		return nil, err
	}
	return db.QueryAll(ctx, s.DB.Prepared(), scanMember, `SELECT id, team_id, user_id, name, joined_at FROM volunteer_members
		WHERE team_id = $1 ORDER BY joined_at, id`, teamID)
}

// MemberInput names a new member: an account (user_id; its display name is taken) or a person
// without one (name).
type MemberInput struct {
	UserID string `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
}

// AddMember adds a volunteer to a team (once per team).
func (s *Service) AddMember(ctx context.Context, teamID string, in MemberInput) (Member, error) {
	z, grant, err := s.team(ctx, teamID, access.ParticipantManage)
	if err != nil {
		return Member{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.UserID != "" && in.Name != "", in.UserID == "" && in.Name == "":
		return Member{}, bad("user_id", "participant.member_who")
	case in.UserID != "":
		err := s.DB.QueryRow(ctx, `SELECT display_name FROM users WHERE id = $1`, in.UserID).Scan(&in.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return Member{}, bad("user_id", "participant.unknown_user")
		} else if err != nil {
			return Member{}, fmt.Errorf("add member: %w", err)
		}
	default:
		if n := utf8.RuneCountInString(in.Name); n < 2 || n > 64 {
			return Member{}, bad("name", "participant.bad_name")
		}
	}
	now := s.Now().UTC()
	m := Member{ID: db.NewID(), TeamID: teamID, UserID: in.UserID, Name: in.Name, JoinedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if in.UserID != "" {
			var n int
			if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM volunteer_members WHERE team_id = $1 AND user_id = $2`, teamID, in.UserID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.New(apperr.Conflict, "participant.already_member")
			}
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO volunteer_members (id, team_id, user_id, name, joined_at) VALUES ($1,$2,$3,$4,$5)`,
			m.ID, teamID, m.UserID, m.Name, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "participant.member_add", "volunteer", m.VolunteerID())
		e.OrgPath, e.After = z.path, teamID
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Member{}, fmt.Errorf("add member: %w", err)
	}
	return m, nil
}
