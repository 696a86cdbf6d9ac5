// Package directory is 一网速查, the district's daily-services directory: what a service is, where
// and when it is given (open now?), what to bring, fees, how long it takes, who to call, whether it
// can be done online, and which office serves a resident's address. Residents search it without
// signing in (package directory/search: segmentation, pinyin, initials, aliases, synonyms,
// typo-tolerant pinyin); each unit's editors keep their entries, and nothing is published until a
// second editor approves the change (双人审核), every step audited. Entries not reviewed for the
// district's stale_months are flagged, and what residents searched without finding anything is
// shown to the editors.
package directory

import (
	"context"
	"database/sql"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Where is the grid lookup of a resident's point.
type Where struct {
	GridCode, CommunityCode, CommunityName, SubdistrictCode, SubdistrictName string
}

// Locator finds the grid of a point (package grid, through app/adapters_directory.go): it is
// public geography, asked for anonymous residents too.
type Locator interface {
	Locate(ctx context.Context, lat, lng float64) (Where, bool, error)
}

// Calendars gives the district's work calendar in force (package calendar): opening hours follow
// its holidays and make-up workdays.
type Calendars interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Directory is the directory's rules and storage.
type Directory struct {
	DB        *db.DB
	Now       func() time.Time
	Calendars Calendars
	Locator   Locator
	// RecheckEvery is how often a node asks whether another node published a change (0: 10 s).
	RecheckEvery time.Duration

	cache   db.Versioned[*snapshot]
	queries queryLog
}

// versionKey is the settings key bumped with every published change (db.Versioned).
const versionKey = "directory_version"

// staleKey is the settings key of the district's stale_months.
const staleKey = "directory_stale_months"

// DefaultStaleMonths flags entries not reviewed for a year.
const DefaultStaleMonths = 12

func (d *Directory) now() time.Time {
	if d.Now == nil {
		return time.Now().UTC()
	}
	return d.Now().UTC()
}

// editor returns the caller's scope as a directory editor.
func editor(ctx context.Context) (access.Scope, error) {
	return access.Need(ctx, access.DirectoryEdit)
}

// grantFor is the caller's grant that reaches path, or a not-found error that does not reveal
// whether something exists outside the caller's units.
func grantFor(scope access.Scope, path, key string, args ...any) (access.Grant, error) {
	if !scope.Covers(path) {
		return access.Grant{}, apperr.New(apperr.NotFound, key, args...)
	}
	return scope.GrantCovering(path), nil
}

// unitInReach is the org node named code, with the caller's grant over it: entries and places
// are written for units in the caller's reach. The org tree is public, so a unit out of reach is
// refused as such (403), not hidden.
func unitInReach(s *snapshot, scope access.Scope, code string) (unit, access.Grant, error) {
	path, ok := s.unitPaths[code]
	if !ok {
		return unit{}, access.Grant{}, bad("unit_code", "directory.unknown_unit", code)
	}
	u := unit{code: code, name: s.units[code], path: path}
	if !scope.Covers(path) {
		return u, access.Grant{}, apperr.New(apperr.Forbidden, "directory.unit_out_of_reach", code).
			WithDetails([]apperr.Detail{{Field: "unit_code", Message: "directory.unit_out_of_reach", Args: []any{code}}})
	}
	return u, scope.GrantCovering(path), nil
}

// write runs fn in a transaction that also bumps the directory's version and appends the audit
// entry fn returns; after commit this node rebuilds its copy at once.
func (d *Directory) write(ctx context.Context, fn func(tx *sql.Tx) (audit.Entry, error)) error {
	err := d.DB.Tx(ctx, func(tx *sql.Tx) error {
		e, err := fn(tx)
		if err != nil {
			return err
		}
		if err := db.BumpVersion(ctx, tx, versionKey); err != nil {
			return err
		}
		_, err = audit.Append(ctx, d.DB, tx, e)
		return err
	})
	if err != nil {
		return err
	}
	_, err = d.cache.Reload(ctx, d.source())
	return err
}

// unit is an org node an entry or place belongs to.
type unit struct{ code, name, path string }

func (d *Directory) unitOf(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, code string) (unit, error) {
	u := unit{code: code}
	err := q.QueryRowContext(ctx, `SELECT name, path FROM org_nodes WHERE code = $1`, code).Scan(&u.name, &u.path)
	if err == sql.ErrNoRows {
		return u, bad("unit_code", "directory.unknown_unit", code)
	}
	return u, err
}

func bad(field, key string, args ...any) error {
	return apperr.New(apperr.Invalid, key, args...).WithDetails([]apperr.Detail{{Field: field, Message: key, Args: args}})
}
