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

// Flag is a yes/no setting of a category, set district-wide on the 类别与时限 page and audited.
type Flag string

const (
	// RequiresPhotoFlag (issue 13): a handling unit reports back (反馈) only with a photo taken
	// after the fix (处置后); the case desk reads it through the catalogue adapter (internal/app).
	RequiresPhotoFlag Flag = "requires_photo"
	// SensitiveFlag (issue 14): the category's cases are never public (a person's situation,
	// security); package cases reads the column in its one public rule (publicview.go).
	SensitiveFlag Flag = "sensitive"
)

// Flags lists every flag; each is a BOOLEAN column of categories with the flag's name.
var Flags = []Flag{RequiresPhotoFlag, SensitiveFlag}

// FlagOf reports whether a category has the flag. A category that does not exist has none (the
// case desk checks the category on its own).
func (s *Service) FlagOf(ctx context.Context, f Flag, class Class, code string) (bool, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return false, err
	}
	var on bool
	err := s.DB.QueryRow(ctx, `SELECT `+string(f)+` FROM categories WHERE class = $1 AND code = $2`, string(class), code).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s %s/%s: %w", f, class, code, err)
	}
	return on, nil
}

// Flagged lists the categories that have the flag (for the catalogue's pages).
func (s *Service) Flagged(ctx context.Context, f Flag) (map[Key]bool, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT class, code FROM categories WHERE `+string(f)+` ORDER BY class, code`)
	if err != nil {
		return nil, fmt.Errorf("%s categories: %w", f, err)
	}
	defer rows.Close()
	out := map[Key]bool{}
	for rows.Next() {
		var class, code string
		if err := rows.Scan(&class, &code); err != nil {
			return nil, fmt.Errorf("%s categories: %w", f, err)
		}
		out[Key{Class(class), code}] = true
	}
	return out, rows.Err()
}

// SetFlag turns a flag of one category on or off: district-wide configuration like the rest of
// the catalogue (NeedWrite), audited with the value before and after.
func (s *Service) SetFlag(ctx context.Context, f Flag, class Class, code string, on bool) error {
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
		err := s.DB.TxQueryRow(ctx, tx, `SELECT `+string(f)+` FROM categories WHERE class = $1 AND code = $2`, string(class), code).Scan(&before)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "category.not_found", string(class), code)
		}
		if err != nil {
			return fmt.Errorf("set %s %s/%s: %w", f, class, code, err)
		}
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE categories SET `+string(f)+` = $1, updated_at = $2 WHERE class = $3 AND code = $4`,
			on, now, string(class), code); err != nil {
			return fmt.Errorf("set %s %s/%s: %w", f, class, code, err)
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "category."+string(f), "category", Key{class, code}.String())
		e.Before = fmt.Sprintf(`{%q:%t}`, f, before)
		e.After = fmt.Sprintf(`{%q:%t}`, f, on)
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
}

// RequiresPhoto reports whether a category asks for an after-photo before report_back.
func (s *Service) RequiresPhoto(ctx context.Context, class Class, code string) (bool, error) {
	return s.FlagOf(ctx, RequiresPhotoFlag, class, code)
}

// PhotoRequired lists the categories that ask for an after-photo.
func (s *Service) PhotoRequired(ctx context.Context) (map[Key]bool, error) {
	return s.Flagged(ctx, RequiresPhotoFlag)
}

// SetRequiresPhoto turns the after-photo requirement of one category on or off.
func (s *Service) SetRequiresPhoto(ctx context.Context, class Class, code string, on bool) error {
	return s.SetFlag(ctx, RequiresPhotoFlag, class, code, on)
}
