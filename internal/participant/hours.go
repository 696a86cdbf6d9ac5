package participant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Limits on logged hours.
const (
	MaxMinutes   = 24 * 60 // one day's entry
	MaxHoursDays = 366     // longest period read
)

// volunteer is a volunteer as hours see them: their memberships, and how the caller stands.
type volunteer struct {
	id          string
	teams       []Member
	own         bool         // the caller is the volunteer
	manager     access.Grant // a grant of the caller that manages one of the volunteer's teams
	managed     zone         // that team's zone
	managedTeam string
}

// volunteerFor finds a volunteer (a user ID, or a member ID for a person without an account) the
// caller may see the hours of: their own, or a volunteer of a team whose zone the caller manages.
// Anyone else is told the volunteer does not exist.
func (s *Service) volunteerFor(ctx context.Context, id string) (volunteer, error) {
	if _, err := access.Need(ctx, access.ParticipantRead); err != nil {
		if _, merr := access.Need(ctx, access.ParticipantManage); merr != nil {
			return volunteer{}, err
		}
	}
	p, _ := access.From(ctx)
	v := volunteer{id: id, own: p.UserID == id}
	members, err := db.QueryAll(ctx, s.DB.Prepared(), scanMember, `SELECT id, team_id, user_id, name, joined_at FROM volunteer_members
		WHERE (user_id = $1 OR (id = $1 AND user_id = '')) ORDER BY joined_at, id`, id)
	if err != nil {
		return v, fmt.Errorf("read volunteer: %w", err)
	}
	v.teams = members
	for _, m := range members {
		var zoneCode string
		if err := s.DB.QueryRow(ctx, `SELECT zone_code FROM participants WHERE id = $1`, m.TeamID).Scan(&zoneCode); err != nil {
			return v, fmt.Errorf("read volunteer team: %w", err)
		}
		z, g, err := s.reach(ctx, zoneCode, access.ParticipantManage)
		if err == nil {
			v.manager, v.managed, v.managedTeam = g, z, m.TeamID
			break
		}
	}
	if !v.own && v.manager.Role == "" {
		return v, apperr.New(apperr.NotFound, "participant.volunteer_not_found")
	}
	return v, nil
}

// period reads from/to dates (to inclusive; the current month when both are empty).
func period(fromDay, toDay string, now time.Time) (string, string, error) {
	today := now.In(calendar.Zone)
	if fromDay == "" && toDay == "" {
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, calendar.Zone)
		return first.Format(time.DateOnly), today.Format(time.DateOnly), nil
	}
	from, err1 := time.ParseInLocation(time.DateOnly, fromDay, calendar.Zone)
	to, err2 := time.ParseInLocation(time.DateOnly, toDay, calendar.Zone)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > MaxHoursDays*24*time.Hour {
		return "", "", apperr.New(apperr.Invalid, "participant.bad_period", MaxHoursDays)
	}
	return fromDay, toDay, nil
}

// Hours answers a volunteer's hours over [from, to]: their patrol time (counted from the patrols
// themselves) plus the logged hours a manager confirmed; pending hours are listed, not counted.
func (s *Service) Hours(ctx context.Context, volunteerID, fromDay, toDay string) (Hours, error) {
	v, err := s.volunteerFor(ctx, volunteerID)
	if err != nil {
		return Hours{}, err
	}
	from, to, err := period(fromDay, toDay, s.Now())
	if err != nil {
		return Hours{}, err
	}
	h := Hours{VolunteerID: v.id, From: from, To: to}
	start, _ := time.ParseInLocation(time.DateOnly, from, calendar.Zone)
	end, _ := time.ParseInLocation(time.DateOnly, to, calendar.Zone)
	if s.Patrols != nil {
		if h.PatrolMinutes, err = s.Patrols.PatrolMinutes(ctx, v.id, start, end.AddDate(0, 0, 1)); err != nil {
			return h, err
		}
	}
	h.Entries, err = db.QueryAll(ctx, s.DB.Prepared(), scanHours, `SELECT `+hoursColumns+` FROM volunteer_hours
		WHERE volunteer_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, created_at, id`, v.id, from, to)
	if err != nil {
		return h, fmt.Errorf("read hours: %w", err)
	}
	for _, e := range h.Entries {
		if e.Status == "confirmed" {
			h.ConfirmedMinutes += e.Minutes
		} else {
			h.PendingMinutes += e.Minutes
		}
	}
	h.TotalMinutes = h.PatrolMinutes + h.ConfirmedMinutes
	return h, nil
}

const hoursColumns = `id, volunteer_id, team_id, day, minutes, note, status, logged_by, confirmed_by, confirmed_at, created_at, path, zone_code`

func scanHours(r db.Scanner) (HoursEntry, error) {
	var e HoursEntry
	var confirmed sql.NullTime
	err := r.Scan(&e.ID, &e.VolunteerID, &e.TeamID, &e.Day, &e.Minutes, &e.Note, &e.Status, &e.LoggedBy, &e.ConfirmedBy, &confirmed,
		&e.CreatedAt, &e.path, &e.zone)
	e.CreatedAt = e.CreatedAt.UTC()
	if confirmed.Valid {
		t := confirmed.Time.UTC()
		e.ConfirmedAt = &t
	}
	return e, err
}

// HoursInput is hours worked outside patrols.
type HoursInput struct {
	TeamID  string `json:"team_id,omitempty"`
	Day     string `json:"day"`
	Minutes int    `json:"minutes"`
	Note    string `json:"note"`
}

// LogHours records hours a volunteer worked outside patrols. Logged by the volunteer they await a
// manager's confirmation (participation.md §5: hours verified by an admin; the managers are told);
// logged by a manager of their team they are confirmed at once.
func (s *Service) LogHours(ctx context.Context, volunteerID string, in HoursInput) (HoursEntry, error) {
	v, err := s.volunteerFor(ctx, volunteerID)
	if err != nil {
		return HoursEntry{}, err
	}
	if len(v.teams) == 0 {
		return HoursEntry{}, apperr.New(apperr.Conflict, "participant.no_team")
	}
	team := v.teams[0]
	if in.TeamID != "" {
		team.ID = ""
		for _, m := range v.teams {
			if m.TeamID == in.TeamID {
				team = m
			}
		}
		if team.ID == "" {
			return HoursEntry{}, bad("team_id", "participant.not_member")
		}
	}
	day, err := time.ParseInLocation(time.DateOnly, in.Day, calendar.Zone)
	now := s.Now()
	if err != nil || day.After(now.In(calendar.Zone)) || now.Sub(day) > MaxHoursDays*24*time.Hour {
		return HoursEntry{}, bad("day", "participant.bad_day")
	}
	if in.Minutes < 1 || in.Minutes > MaxMinutes {
		return HoursEntry{}, bad("minutes", "participant.bad_minutes", MaxMinutes)
	}
	in.Note = strings.TrimSpace(in.Note)
	if n := utf8.RuneCountInString(in.Note); n < 2 || n > 500 {
		return HoursEntry{}, bad("note", "participant.bad_note")
	}
	var zoneCode, zonePath string
	if err := s.DB.QueryRow(ctx, `SELECT zone_code, path FROM participants WHERE id = $1`, team.TeamID).Scan(&zoneCode, &zonePath); err != nil {
		return HoursEntry{}, fmt.Errorf("log hours: %w", err)
	}
	p, _ := access.From(ctx)
	byManager := v.manager.Role != "" && v.managedTeam == team.TeamID
	now = now.UTC()
	e := HoursEntry{ID: db.NewID(), VolunteerID: v.id, TeamID: team.TeamID, Day: in.Day, Minutes: in.Minutes, Note: in.Note,
		Status: "pending", LoggedBy: p.UserID, CreatedAt: now, path: zonePath, zone: zoneCode}
	grant := v.manager
	if byManager {
		e.Status, e.ConfirmedBy, e.ConfirmedAt = "confirmed", p.UserID, &now
	} else if read, err := access.Need(ctx, access.ParticipantRead); err == nil {
		grant = read.Primary()
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO volunteer_hours (id, volunteer_id, team_id, zone_code, path, day, minutes, note, status,
			logged_by, confirmed_by, confirmed_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
			e.ID, e.VolunteerID, e.TeamID, zoneCode, zonePath, e.Day, e.Minutes, e.Note, e.Status, e.LoggedBy, e.ConfirmedBy, e.ConfirmedAt, now); err != nil {
			return err
		}
		if !byManager {
			// The managers where the volunteer serves (their community and above) are told.
			at := grant.OrgPath
			if at == "" {
				at = zonePath
			}
			ev := notify.Event{Type: HoursEvent, Object: access.Object{Kind: ObjectKind.Name, ID: e.ID, Path: zonePath},
				Notices: []notify.Notice{{Template: "notify.participant.hours", Params: []string{team.Name, in.Day, fmt.Sprint(in.Minutes)},
					Audience: notify.Audience{RolesAt: []access.Role{access.CommunityStaff, access.ShiftLead}, Path: at}}}}
			if err := s.Outbox.Record(ctx, tx, now, ev); err != nil {
				return err
			}
		}
		a := audit.For(access.ActorOf(ctx, grant), now, "participant.hours_log", "volunteer", v.id)
		a.OrgPath, a.After = zonePath, audit.Summary(map[string]any{"entry": e.ID, "day": e.Day, "minutes": e.Minutes, "status": e.Status})
		_, err := audit.Append(ctx, s.DB, tx, a)
		return err
	})
	if err != nil {
		return HoursEntry{}, fmt.Errorf("log hours: %w", err)
	}
	if !byManager {
		s.Outbox.Wake()
	}
	return e, nil
}

// ConfirmHours confirms logged hours (participant.manage over the team's zone); from then on they
// count. A volunteer cannot confirm their own hours.
func (s *Service) ConfirmHours(ctx context.Context, entryID string) (HoursEntry, error) {
	if _, err := access.Need(ctx, access.ParticipantManage); err != nil {
		return HoursEntry{}, err
	}
	e, err := scanHours(s.DB.QueryRow(ctx, `SELECT `+hoursColumns+` FROM volunteer_hours WHERE id = $1`, entryID))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.New(apperr.NotFound, "participant.hours_not_found")
	} else if err != nil {
		return e, fmt.Errorf("read hours: %w", err)
	}
	z, grant, err := s.reach(ctx, e.zone, access.ParticipantManage)
	if err != nil {
		return HoursEntry{}, apperr.New(apperr.NotFound, "participant.hours_not_found")
	}
	p, _ := access.From(ctx)
	if p.UserID == e.VolunteerID {
		return HoursEntry{}, apperr.New(apperr.Forbidden, "participant.confirm_own")
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := s.DB.TxExec(ctx, tx, `UPDATE volunteer_hours SET status = 'confirmed', confirmed_by = $2, confirmed_at = $3
			WHERE id = $1 AND status = 'pending'`, entryID, p.UserID, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "participant.already_confirmed")
		}
		a := audit.For(access.ActorOf(ctx, grant), now, "participant.hours_confirm", "volunteer", e.VolunteerID)
		a.OrgPath, a.Before, a.After = z.path, "pending", audit.Summary(map[string]any{"entry": e.ID, "minutes": e.Minutes})
		_, err = audit.Append(ctx, s.DB, tx, a)
		return err
	})
	if err != nil {
		return HoursEntry{}, fmt.Errorf("confirm hours: %w", err)
	}
	e.Status, e.ConfirmedBy, e.ConfirmedAt = "confirmed", p.UserID, &now
	return e, nil
}
