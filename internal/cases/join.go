package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

// Joining (我也遇到) is how a resident says "this is my problem too" about a case anyone can see:
// they follow it — its public face and its public updates, as the public map and Open311 show
// them — and nothing more. Residents do not merge: a merge used to make the resident a reporter
// of the other case and showed them its internal notes, staff names and photos (issue 10.1).
// Only the desk merges, and only cases its scope reaches on both sides.

// Join makes the caller a follower of an open case (by id or number). Joining twice is harmless;
// the reporter of the case is already its follower.
func (s *Service) Join(ctx context.Context, idOrNumber string) (Case, error) {
	if _, err := access.Need(ctx, access.CaseReport); err != nil {
		return Case{}, err
	}
	p, _ := access.From(ctx)
	if p == nil || p.UserID == "" {
		return Case{}, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	id, err := s.joinableID(ctx, idOrNumber)
	if err != nil {
		return Case{}, err
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, access.Scope{Paths: []string{"/"}}, id)
		if err != nil {
			return err
		}
		if !c.Status.Open() {
			return apperr.New(apperr.Conflict, "case.join_closed", c.Number)
		}
		if c.reporter == p.UserID || slices.Contains(c.followers, p.UserID) {
			return nil
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_reporters (case_id, reporter_id, follow_token_hash, reported_at, original_case)
			VALUES ($1, $2, '', $3, '')`, id, p.UserID, now); err != nil {
			return fmt.Errorf("join: %w", err)
		}
		e := audit.For(access.ActorOf(ctx, access.Grant{}), now, "case.join", "case", id)
		e.OrgPath = c.path
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.Get(ctx, id)
}

// Leave stops following a case the caller joined. A case the caller reported, or one their own
// report was merged into, stays theirs.
func (s *Service) Leave(ctx context.Context, idOrNumber string) error {
	if _, err := access.Need(ctx, access.CaseReport); err != nil {
		return err
	}
	p, _ := access.From(ctx)
	if p == nil || p.UserID == "" {
		return apperr.New(apperr.Unauthenticated, "auth.required")
	}
	id, err := s.publicID(ctx, idOrNumber)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Only a row Join wrote: not the reporter's own, not one a merge brought.
		res, err := s.DB.TxExec(ctx, tx, `DELETE FROM case_reporters WHERE case_id = $1 AND reporter_id = $2 AND original_case = ''
			AND follow_token_hash = '' AND reporter_id <> (SELECT reporter_id FROM cases WHERE id = $1)`, id, p.UserID)
		if err != nil {
			return fmt.Errorf("leave: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "case.not_joined")
		}
		e := audit.For(access.ActorOf(ctx, access.Grant{}), s.Now().UTC(), "case.leave", "case", id)
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
}

// joinableID finds a case a resident may follow. Case numbers run in sequence and are no secret:
// by number, only a case of the public view (publicview.go). By id — learned only from the
// duplicates offered beside the resident's own report — also an open case not yet registered,
// but never one its reporter kept private or one of a sensitive category.
func (s *Service) joinableID(ctx context.Context, idOrNumber string) (string, error) {
	district := s.districtCode(ctx)
	rule := `c.id = $1 AND NOT c.private AND NOT COALESCE(cat.sensitive, false)`
	if numberPattern.MatchString(idOrNumber) {
		rule = `c.number = $1 AND ` + publicWhere
	}
	var id string
	err := s.DB.QueryRow(ctx, `SELECT c.id FROM cases c LEFT JOIN categories cat ON cat.class = c.category_class AND cat.code = c.category_code
		WHERE `+rule+` AND substr(c.path, 1, $2) = $3`, idOrNumber, len(district)+2, "/"+district+"/").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || district == "" {
		return "", apperr.New(apperr.NotFound, "case.not_found")
	}
	return id, err
}

// publicID finds a case of the district by id or number, to stop following it (whatever became
// of it since).
func (s *Service) publicID(ctx context.Context, idOrNumber string) (string, error) {
	district := s.districtCode(ctx)
	var id string
	err := s.DB.QueryRow(ctx, `SELECT id FROM cases WHERE (id = $1 OR number = $1) AND substr(path, 1, $2) = $3`,
		idOrNumber, len(district)+2, "/"+district+"/").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || district == "" {
		return "", apperr.New(apperr.NotFound, "case.not_found")
	}
	return id, err
}

// followsOnly tells whether the caller sees c only as one of its followers (joined, or their
// own report was merged into it): they get the public face of it, as the public list shows it.
func followsOnly(p *access.Principal, scope access.Scope, c Case) bool {
	if p == nil || p.UserID == c.reporter {
		return false
	}
	return len(scope.Paths) == 0 && len(scope.Departments) == 0
}

// publicFace is a case as its followers see it: what the public list shows (place, kind,
// progress and its SLA light, the handling department, the text with contact details blacked
// out) — nobody's name or phone (not even whether they gave one), no internal counts or notes.
func publicFace(c Case) Case {
	text := c.Description
	if c.PublicText != nil {
		text = *c.PublicText
	}
	// As the public view shows a case (publicview.go): the public text, the place rounded to
	// about 100 m and named by its grid, never the exact address.
	return Case{ID: c.ID, Number: c.Number, Status: c.Status, Step: c.Step, CategoryClass: c.CategoryClass, CategoryCode: c.CategoryCode,
		CategoryName: c.CategoryName, Lat: roundPlace(c.Lat), Lng: roundPlace(c.Lng), Description: redact.Public(text),
		PublicReply: redact.Public(c.PublicReply), Public: c.Public,
		GridCode: c.GridCode, GridName: c.GridName, CommunityCode: c.CommunityCode, CommunityName: c.CommunityName,
		SubdistrictCode: c.SubdistrictCode, SubdistrictName: c.SubdistrictName, LeadDepartment: c.LeadDepartment,
		Deadline: c.Deadline, ExpectedDays: c.ExpectedDays, ReportedAt: c.ReportedAt, ClosedAt: c.ClosedAt, UpdatedAt: c.UpdatedAt, Light: c.Light,
		MergedInto: c.MergedInto, Urgency: c.Urgency, Kind: c.Kind, Channel: c.Channel, Following: true, AllowedActions: []Action{},
		path: c.path, reporter: c.reporter, followers: c.followers}
}
