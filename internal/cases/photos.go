package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/photo"
)

// Photo describes a stored photo (the bytes are fetched separately).
type Photo struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // report | evidence
	// Stage is the side of the fix a handling unit's photo shows: before (处置前) or after
	// (处置后); empty for the reporter's and the grid workers' photos.
	Stage     string    `json:"stage,omitempty"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	URL       string    `json:"url"`
	ThumbURL  string    `json:"thumbnail_url"`
	CreatedAt time.Time `json:"created_at"`
	// Public: staff marked the photo for the public view (publicview.go).
	Public bool `json:"public"`
}

// PhotoStages are the sides of a fix a handling unit's photo may show ("" for none).
var PhotoStages = []string{"", "before", "after"}

// CheckPhotoUpload answers, before any photo is read, whether the caller may add photos to
// the case now: 404 when the case does not exist or is out of the caller's reach, 403 when the
// caller sees it but may not add photos, 400 when it already has its photos or the stage is not
// the caller's to give. Decoding a photo costs up to photo.MaxDecodedBytes and a core (issue 10),
// so nobody pays it for a refusal.
func (s *Service) CheckPhotoUpload(ctx context.Context, id, stage string) error {
	_, err := s.photoTarget(ctx, id, stage, 1)
	return err
}

// photoTarget loads the case and checks the caller's role, the stage and the case's photo count
// for adding n photos, outside any transaction (AddPhotos checks again in its own).
func (s *Service) photoTarget(ctx context.Context, id, stage string, n int) (access.Scope, error) {
	scope, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return scope, err
	}
	if !slices.Contains(PhotoStages, stage) {
		return scope, apperr.New(apperr.Invalid, "dispatch.bad_photo_stage", stage)
	}
	c, err := s.load(ctx, s.DB.Read, scope, id)
	if err != nil {
		return scope, err
	}
	p, _ := access.From(ctx)
	kind, grant, ok := photoRole(p, c)
	if !ok {
		return scope, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	if err := stageFits(grant, stage); err != nil {
		return scope, err
	}
	var have int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM case_photos WHERE case_id = $1`, id).Scan(&have); err != nil {
		return scope, fmt.Errorf("count photos: %w", err)
	}
	return scope, photosFit(kind, have, n)
}

// stageFits: only a handling unit marks its photos before or after the fix (the side
// report_back and verification read).
func stageFits(g access.Grant, stage string) error {
	if stage != "" && g.Role != access.DepartmentStaff {
		return apperr.New(apperr.Invalid, "dispatch.stage_handlers_only")
	}
	return nil
}

// photosFit: a reporter adds up to MaxPerCase photos, the handling side as many again.
func photosFit(kind string, have, n int) error {
	if have+n > photo.MaxPerCase*2 || (kind == "report" && have+n > photo.MaxPerCase) {
		return apperr.New(apperr.Invalid, "photo.too_many", photo.MaxPerCase)
	}
	return nil
}

// AddPhotos cleans and stores photos of a case: the reporter's own (kind report) while the case
// is new, a department's evidence while it handles the case, a grid worker's from the site.
// A handling unit marks them with the stage they show (before or after the fix; "" for none).
// The case and the caller's right are checked before any photo is decoded.
func (s *Service) AddPhotos(ctx context.Context, id, stage string, files [][]byte) ([]Photo, error) {
	if len(files) > photo.MaxPerAction {
		return nil, apperr.New(apperr.Invalid, "photo.too_many", photo.MaxPerCase)
	}
	scope, err := s.photoTarget(ctx, id, stage, max(len(files), 1))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, apperr.New(apperr.Invalid, "photo.none")
	}
	processed, err := photo.ProcessAll(ctx, files)
	if err != nil {
		return nil, err
	}
	p, _ := access.From(ctx)
	now := s.Now().UTC()
	var out []Photo
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		kind, grant, ok := photoRole(p, c)
		if !ok {
			return apperr.New(apperr.Forbidden, "auth.forbidden")
		}
		if err := stageFits(grant, stage); err != nil {
			return err
		}
		var have int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM case_photos WHERE case_id = $1`, id).Scan(&have); err != nil {
			return err
		}
		if err := photosFit(kind, have, len(processed)); err != nil {
			return err
		}
		for _, ph := range processed {
			pid := db.NewID()
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_photos (id, case_id, kind, stage, content_type, width, height, size,
				sha256, data, thumbnail, created_at) VALUES ($1,$2,$3,$4,'image/jpeg',$5,$6,$7,$8,$9,$10,$11)`,
				pid, id, kind, stage, ph.Width, ph.Height, len(ph.JPEG), ph.SHA256(), ph.JPEG, ph.Thumbnail, now); err != nil {
				return fmt.Errorf("store photo: %w", err)
			}
			out = append(out, photoOf(id, pid, kind, stage, ph.Width, ph.Height, now))
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "case.photos", "case", id)
		e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
		e.After = fmt.Sprintf(`{"kind":%q,"stage":%q,"count":%d}`, kind, stage, len(processed))
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	return out, err
}

// photoRole decides whether the caller may add photos to c now, and of which kind.
func photoRole(p *access.Principal, c Case) (string, access.Grant, bool) {
	for _, a := range []Action{ReportBack, Verify, Confirm, Comment} {
		g, ok := actorFor(p, c, a)
		if !ok {
			continue
		}
		switch {
		case g.Role == access.DepartmentStaff && (c.Status == Handling || c.Status == Dispatched):
			return "evidence", g, true
		case g.Role == access.GridWorker && c.Status.Open():
			return "evidence", g, true
		case c.reporter == p.UserID && (c.Status == Confirming || c.Status == Reported || c.Status == Registered):
			return "report", g, true
		case (g.Role == access.IntakeOperator || g.Role == access.ShiftLead) && (c.Status == Confirming || c.Status == Reported):
			return "report", g, true
		}
	}
	return "", access.Grant{}, false
}

func photoOf(caseID, id, kind, stage string, w, h int, at time.Time) Photo {
	base := "/api/v1/cases/" + caseID + "/photos/" + id
	return Photo{ID: id, Kind: kind, Stage: stage, Width: w, Height: h, URL: base, ThumbURL: base + "?size=thumb", CreatedAt: at}
}

// Photos lists a case's photos.
func (s *Service) Photos(ctx context.Context, id string) ([]Photo, error) {
	scope, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return nil, err
	}
	c, err := s.load(ctx, s.DB.Read, scope, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT id, kind, stage, width, height, created_at, public FROM case_photos WHERE case_id = $1 AND `+
		photoReach(ctx, scope, c)+` ORDER BY created_at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Photo{}
	for rows.Next() {
		var pid, kind, stage string
		var w, h int
		var at time.Time
		var public bool
		if err := rows.Scan(&pid, &kind, &stage, &w, &h, &at, &public); err != nil {
			return nil, err
		}
		p := photoOf(id, pid, kind, stage, w, h, at.UTC())
		p.Public = public
		out = append(out, p)
	}
	return out, rows.Err()
}

// PhotoBytes returns a photo or its thumbnail, to a caller who reaches the case.
func (s *Service) PhotoBytes(ctx context.Context, caseID, photoID string, thumb bool) ([]byte, error) {
	scope, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return nil, err
	}
	c, err := s.load(ctx, s.DB.Read, scope, caseID)
	if err != nil {
		return nil, err
	}
	col := "data"
	if thumb {
		col = "thumbnail"
	}
	var b []byte
	err = s.DB.QueryRow(ctx, `SELECT `+col+` FROM case_photos WHERE id = $1 AND case_id = $2 AND `+photoReach(ctx, scope, c),
		photoID, caseID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "photo.not_found")
	}
	return b, err
}

// photoReach is the condition on a case's photos for the caller: a follower sees what the public
// sees (the photos staff marked public, see PublicPhoto), anyone else who reaches the case sees
// them all.
func photoReach(ctx context.Context, scope access.Scope, c Case) string {
	p, _ := access.From(ctx)
	if !followsOnly(p, scope, c) {
		return "1 = 1"
	}
	return "public"
}
