package category

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
)

// Evidence for 反馈 (issue 13): a category may require photo evidence — a photo taken after the
// fix (处置后) — before a handling unit reports back. The case desk reads the flag through
// the catalogue adapter (internal/app) and refuses report_back without such a photo.

// RequiresPhoto reports whether a category asks for an after-photo before report_back. A
// category that does not exist asks for none (the case desk checks the category on its own).
func (s *Service) RequiresPhoto(ctx context.Context, class Class, code string) (bool, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return false, err
	}
	var on bool
	err := s.DB.QueryRow(ctx, `SELECT requires_photo FROM categories WHERE class = $1 AND code = $2`, string(class), code).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("requires photo %s/%s: %w", class, code, err)
	}
	return on, nil
}

// PhotoRequired lists the categories that ask for an after-photo (for the catalogue's pages).
func (s *Service) PhotoRequired(ctx context.Context) (map[Key]bool, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT class, code FROM categories WHERE requires_photo ORDER BY class, code`)
	if err != nil {
		return nil, fmt.Errorf("photo-required categories: %w", err)
	}
	defer rows.Close()
	out := map[Key]bool{}
	for rows.Next() {
		var class, code string
		if err := rows.Scan(&class, &code); err != nil {
			return nil, fmt.Errorf("photo-required categories: %w", err)
		}
		out[Key{Class(class), code}] = true
	}
	return out, rows.Err()
}

// SetRequiresPhoto turns the after-photo requirement of one category on or off: district-wide
// configuration like the rest of the catalogue (NeedWrite), audited with the value before and
// after.
func (s *Service) SetRequiresPhoto(ctx context.Context, class Class, code string, on bool) error {
	scope, err := NeedWrite(ctx)
	if err != nil {
		return err
	}
	if !class.Valid() {
		return apperr.New(apperr.Invalid, "category.bad_class", string(class))
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var before bool
		err := s.DB.TxQueryRow(ctx, tx, `SELECT requires_photo FROM categories WHERE class = $1 AND code = $2`, string(class), code).Scan(&before)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "category.not_found", string(class), code)
		}
		if err != nil {
			return fmt.Errorf("set requires photo %s/%s: %w", class, code, err)
		}
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE categories SET requires_photo = $1, updated_at = $2 WHERE class = $3 AND code = $4`,
			on, now, string(class), code); err != nil {
			return fmt.Errorf("set requires photo %s/%s: %w", class, code, err)
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "category.requires_photo", "category", Key{class, code}.String())
		e.Before = fmt.Sprintf(`{"requires_photo":%t}`, before)
		e.After = fmt.Sprintf(`{"requires_photo":%t}`, on)
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
}
