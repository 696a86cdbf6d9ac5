package category

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
)

// Limits returns the time limits of one category at one urgency: its own limit for each stage that
// has one, the catalogue-wide default for the others. Time limits are local configuration, per
// minor × urgency, in working hours or days (GB/T 30428.8 / CJ/T 315 scope; reference §1.4).
func (s *Service) Limits(ctx context.Context, class Class, code string, urgency Urgency) (Limits, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	if !urgency.Valid() {
		return nil, apperr.New(apperr.Invalid, "category.bad_urgency", string(urgency))
	}
	if _, err := s.get(ctx, s.DB.Read, class, code); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT class, code, urgency, stage, value, unit FROM category_limits
		WHERE urgency = $1 AND ((class = $2 AND code = $3) OR (class = $4 AND code = $5))`,
		string(urgency), string(class), code, string(DefaultClass), DefaultCode)
	if err != nil {
		return nil, fmt.Errorf("limits of %s/%s: %w", class, code, err)
	}
	stored, err := scanLimits(rows)
	if err != nil {
		return nil, fmt.Errorf("limits of %s/%s: %w", class, code, err)
	}
	l := Resolve(stored[Key{DefaultClass, DefaultCode}][urgency], stored[Key{class, code}][urgency])
	if !l.Complete() {
		return l, apperr.New(apperr.NotFound, "category.no_limits", string(class), code, string(urgency))
	}
	return l, nil
}

func scanLimits(rows *sql.Rows) (map[Key]LimitSet, error) {
	defer rows.Close()
	out := map[Key]LimitSet{}
	for rows.Next() {
		var class, code, urgency, stage, unit string
		var value int
		if err := rows.Scan(&class, &code, &urgency, &stage, &value, &unit); err != nil {
			return nil, err
		}
		k := Key{Class(class), code}
		if out[k] == nil {
			out[k] = LimitSet{}
		}
		if out[k][Urgency(urgency)] == nil {
			out[k][Urgency(urgency)] = Limits{}
		}
		out[k][Urgency(urgency)][Stage(stage)] = Limit{Value: value, Unit: Unit(unit)}
	}
	return out, rows.Err()
}

// LimitSets returns the resolved limits (own over default) of every category in cats, every urgency.
func (s *Service) LimitSets(ctx context.Context, cats []Category) (map[Key]LimitSet, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT class, code, urgency, stage, value, unit FROM category_limits`)
	if err != nil {
		return nil, fmt.Errorf("list limits: %w", err)
	}
	stored, err := scanLimits(rows)
	if err != nil {
		return nil, fmt.Errorf("list limits: %w", err)
	}
	defaults := stored[Key{DefaultClass, DefaultCode}]
	out := make(map[Key]LimitSet, len(cats))
	for _, c := range cats {
		k := Key{c.Class, c.Code}
		set := LimitSet{}
		for _, u := range Urgencies {
			set[u] = Resolve(defaults[u], stored[k][u])
		}
		out[k] = set
	}
	return out, nil
}

// DefaultLimits returns the catalogue-wide default limits.
func (s *Service) DefaultLimits(ctx context.Context) (LimitSet, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT class, code, urgency, stage, value, unit FROM category_limits
		WHERE class = $1 AND code = $2`, string(DefaultClass), DefaultCode)
	if err != nil {
		return nil, fmt.Errorf("default limits: %w", err)
	}
	stored, err := scanLimits(rows)
	if err != nil {
		return nil, fmt.Errorf("default limits: %w", err)
	}
	set := stored[Key{DefaultClass, DefaultCode}]
	if set == nil {
		set = LimitSet{}
	}
	return set, nil
}

// PutLimits sets the given stages of the given urgencies of one category (class "*" and code "*":
// the catalogue-wide defaults); stages not named keep their value.
func (s *Service) PutLimits(ctx context.Context, class Class, code string, set LimitSet) error {
	scope, err := NeedWrite(ctx)
	if err != nil {
		return err
	}
	if problems := CheckLimits(set); len(problems) > 0 {
		return invalid("category.limits_invalid", problems)
	}
	isDefault := class == DefaultClass && code == DefaultCode
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if !isDefault {
			if _, err := s.get(ctx, tx, class, code); err != nil {
				return err
			}
		}
		rows, err := s.DB.TxQuery(ctx, tx, `SELECT class, code, urgency, stage, value, unit FROM category_limits
			WHERE class = $1 AND code = $2`, string(class), code)
		if err != nil {
			return fmt.Errorf("put limits of %s/%s: %w", class, code, err)
		}
		before, err := scanLimits(rows)
		if err != nil {
			return fmt.Errorf("put limits of %s/%s: %w", class, code, err)
		}
		if err := s.writeLimits(ctx, tx, Key{class, code}, set, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "category.limits", "category", Key{class, code}.String())
		e.Before = audit.Summary(limitSummary(before[Key{class, code}]))
		e.After = audit.Summary(limitSummary(set))
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
}

func (s *Service) writeLimits(ctx context.Context, tx *sql.Tx, k Key, set LimitSet, now time.Time) error {
	for _, u := range sortedKeys(set) {
		for _, st := range sortedKeys(set[u]) {
			l := set[u][st]
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO category_limits (class, code, urgency, stage, value, unit, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7)
				ON CONFLICT (class, code, urgency, stage) DO UPDATE SET value = excluded.value, unit = excluded.unit,
				updated_at = excluded.updated_at`, string(k.Class), k.Code, string(u), string(st), l.Value, string(l.Unit), now); err != nil {
				return fmt.Errorf("write limit %s %s %s: %w", k, u, st, err)
			}
		}
	}
	return nil
}

// limitSummary renders a limit set compactly for the audit log: {"normal":{"handle":"4h",…},…}.
func limitSummary(set LimitSet) map[Urgency]map[Stage]string {
	out := map[Urgency]map[Stage]string{}
	for u, limits := range set {
		out[u] = map[Stage]string{}
		for st, l := range limits {
			out[u][st] = l.String()
		}
	}
	return out
}
