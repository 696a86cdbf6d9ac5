package directive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/photo"
)

// A grid's done report carries photos of what was done (participation.md §4: "action taken",
// with location and photo). They are taken before the report itself, from whoever may report
// for the grid, re-encoded by package photo (no EXIF, no GPS) and shown to those who see the
// grid's figures.

// MaxPhotosPerGrid bounds a grid's photos on one directive.
const MaxPhotosPerGrid = 9

// Photo is a photo of a grid's done report.
type Photo struct {
	ID        string    `json:"id"`
	GridCode  string    `json:"grid_code"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
	Thumbnail string    `json:"thumbnail_url"`
}

func photoOf(directiveID, id, grid string, w, h int, at time.Time) Photo {
	url := "/api/v1/directives/" + directiveID + "/photos/" + id
	return Photo{ID: id, GridCode: grid, Width: w, Height: h, CreatedAt: at, URL: url, Thumbnail: url + "?size=thumb"}
}

// photoTarget checks that the caller may add photos to grid's report on directive id: the
// directive is active and asks for action, it targets the grid, the caller reports for the grid,
// and the grid has room for n more. It answers the directive, the grid's path and the grant.
func (s *Service) photoTarget(ctx context.Context, tx *sql.Tx, id, grid string, n int) (Directive, access.Grant, error) {
	scope, err := access.Need(ctx, access.DirectiveAck)
	if err != nil {
		return Directive{}, access.Grant{}, err
	}
	d, err := s.load(ctx, tx, scope, id)
	if err != nil {
		return d, access.Grant{}, err
	}
	var path string
	q := `SELECT path FROM directive_targets WHERE directive_id = $1 AND grid_code = $2`
	var row *sql.Row
	if tx != nil {
		row = s.DB.TxQueryRow(ctx, tx, q, id, grid)
	} else {
		row = s.DB.QueryRow(ctx, q, id, grid)
	}
	if err := row.Scan(&path); errors.Is(err, sql.ErrNoRows) {
		return d, access.Grant{}, apperr.New(apperr.NotFound, "directive.grid_not_targeted", grid)
	} else if err != nil {
		return d, access.Grant{}, fmt.Errorf("load target: %w", err)
	}
	p, _ := access.From(ctx)
	grant, ok := ackGrant(p, path)
	if !ok {
		return d, access.Grant{}, apperr.New(apperr.Forbidden, "directive.grid_out_of_reach", grid)
	}
	if d.Status != Active {
		return d, grant, apperr.New(apperr.Conflict, "directive.not_active", string(d.Status))
	}
	if !d.ActionRequired {
		return d, grant, apperr.New(apperr.Invalid, "directive.no_action_required")
	}
	var have int
	q = `SELECT count(*) FROM directive_photos WHERE directive_id = $1 AND grid_code = $2`
	if tx != nil {
		row = s.DB.TxQueryRow(ctx, tx, q, id, grid)
	} else {
		row = s.DB.QueryRow(ctx, q, id, grid)
	}
	if err := row.Scan(&have); err != nil {
		return d, grant, fmt.Errorf("count photos: %w", err)
	}
	if have+n > MaxPhotosPerGrid {
		return d, grant, apperr.New(apperr.Invalid, "photo.too_many", MaxPhotosPerGrid)
	}
	return d, grant, nil
}

// CheckPhotoUpload is photoTarget for one photo, before the upload's body is read.
func (s *Service) CheckPhotoUpload(ctx context.Context, id, grid string) error {
	_, _, err := s.photoTarget(ctx, nil, id, grid, 1)
	return err
}

// AddPhotos stores photos of grid's done report on directive id.
func (s *Service) AddPhotos(ctx context.Context, id, grid string, files [][]byte) ([]Photo, error) {
	if len(files) == 0 {
		return nil, apperr.New(apperr.Invalid, "photo.none")
	}
	if len(files) > photo.MaxPerAction {
		return nil, apperr.New(apperr.Invalid, "photo.too_many", photo.MaxPerAction)
	}
	if _, _, err := s.photoTarget(ctx, nil, id, grid, len(files)); err != nil {
		return nil, err
	}
	processed, err := photo.ProcessAll(ctx, files)
	if err != nil {
		return nil, err
	}
	p, _ := access.From(ctx)
	now := s.Now().UTC()
	var out []Photo
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		out = nil
		d, grant, err := s.photoTarget(ctx, tx, id, grid, len(processed)) // again, in the transaction
		if err != nil {
			return err
		}
		for _, ph := range processed {
			pid := db.NewID()
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO directive_photos (id, directive_id, grid_code, content_type, width,
				height, size, sha256, data, thumbnail, created_by, created_at) VALUES ($1,$2,$3,'image/jpeg',$4,$5,$6,$7,$8,$9,$10,$11)`,
				pid, id, grid, ph.Width, ph.Height, len(ph.JPEG), ph.SHA256(), ph.JPEG, ph.Thumbnail, p.UserID, now); err != nil {
				return fmt.Errorf("store photo: %w", err)
			}
			out = append(out, photoOf(id, pid, grid, ph.Width, ph.Height, now))
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "directive.photos", ObjectKind.Name, d.ID)
		e.After = audit.Summary(map[string]any{"grid_code": grid, "count": len(processed)})
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("photos of directive %s: %w", id, err)
	}
	return out, nil
}

// Photos lists the photos of directive id's done reports that the caller sees: all of them on
// the issuer's side, those of the caller's grids otherwise; grid narrows them to one grid.
func (s *Service) Photos(ctx context.Context, id, grid string) ([]Photo, error) {
	scope, d, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	cond, args := targetFilter(scope, d, 3)
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.grid_code, p.width, p.height, p.created_at FROM directive_photos p
		JOIN directive_targets t ON t.directive_id = p.directive_id AND t.grid_code = p.grid_code
		WHERE p.directive_id = $1 AND ($2 = '' OR p.grid_code = $2) AND `+cond+` ORDER BY p.grid_code, p.created_at, p.id`,
		append([]any{id, grid}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("photos of directive %s: %w", id, err)
	}
	defer rows.Close()
	out := []Photo{}
	for rows.Next() {
		var pid, g string
		var w, h int
		var at time.Time
		if err := rows.Scan(&pid, &g, &w, &h, &at); err != nil {
			return nil, err
		}
		out = append(out, photoOf(id, pid, g, w, h, at))
	}
	return out, rows.Err()
}

// PhotoBytes answers one photo (or its thumbnail) to a caller who sees its grid.
func (s *Service) PhotoBytes(ctx context.Context, id, photoID string, thumb bool) ([]byte, error) {
	scope, d, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	col := "p.data"
	if thumb {
		col = "p.thumbnail"
	}
	cond, args := targetFilter(scope, d, 3)
	var b []byte
	err = s.DB.QueryRow(ctx, `SELECT `+col+` FROM directive_photos p
		JOIN directive_targets t ON t.directive_id = p.directive_id AND t.grid_code = p.grid_code
		WHERE p.directive_id = $1 AND p.id = $2 AND `+cond, append([]any{id, photoID}, args...)...).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "directive.photo_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("photo of directive %s: %w", id, err)
	}
	return b, nil
}
