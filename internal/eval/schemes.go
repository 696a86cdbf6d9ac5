package eval

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
)

//go:embed schemes/*.json
var builtinFS embed.FS

// Builtin returns the schemes yiwang ships: the GB/T 30428.4 area, department and post
// composites and two local schemes (成都金牛, 12345 三率).
func Builtin() ([]Scheme, error) {
	entries, err := builtinFS.ReadDir("schemes")
	if err != nil {
		return nil, err
	}
	var out []Scheme
	for _, e := range entries {
		b, err := builtinFS.ReadFile("schemes/" + e.Name())
		if err != nil {
			return nil, err
		}
		var s Scheme
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("scheme %s: %w", e.Name(), err)
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("scheme %s: %w", e.Name(), err)
		}
		out = append(out, s)
	}
	return out, nil
}

// LoadDefaults stores the shipped schemes a database does not have yet (as version 1; a district's
// own versions stay as they are).
func (s *Service) LoadDefaults(ctx context.Context) error {
	schemes, err := Builtin()
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, sc := range schemes {
			body, _ := json.Marshal(sc)
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO eval_schemes (code, version, valid_from, body, created_at, created_by)
				VALUES ($1, 1, $2, $3, $4, 'yiwang') ON CONFLICT (code, version) DO NOTHING`, sc.Code, sc.ValidFrom, string(body), now); err != nil {
				return fmt.Errorf("shipped scheme %s: %w", sc.Code, err)
			}
		}
		return nil
	})
}

// schemeSet is every version of every scheme.
type schemeSet []Scheme

// Schemes reads every version of every scheme, by code and version.
func (s *Service) Schemes(ctx context.Context) (schemeSet, error) {
	rows, err := s.DB.Query(ctx, `SELECT code, version, valid_from, body FROM eval_schemes ORDER BY code, version`)
	if err != nil {
		return nil, fmt.Errorf("read schemes: %w", err)
	}
	defer rows.Close()
	var out schemeSet
	for rows.Next() {
		var code, from, body string
		var version int
		if err := rows.Scan(&code, &version, &from, &body); err != nil {
			return nil, err
		}
		var sc Scheme
		if err := json.Unmarshal([]byte(body), &sc); err != nil {
			return nil, fmt.Errorf("scheme %s v%d: %w", code, version, err)
		}
		sc.Code, sc.Version, sc.ValidFrom = code, version, from
		out = append(out, sc)
	}
	return out, rows.Err()
}

// at returns the version of code in force on day (YYYY-MM-DD): the newest whose valid_from is not
// after it, or the first version for a day before them all.
func (set schemeSet) at(code, day string) (Scheme, bool) {
	var found Scheme
	ok := false
	// set is in version order, and valid_from never decreases with the version (AddScheme
	// refuses back-dating): the last version in force on day is the one.
	for _, sc := range set {
		if sc.Code == code && (!ok || sc.ValidFrom <= day) {
			found, ok = sc, true
		}
	}
	return found, ok
}

// defaultFor returns, for a period starting on day, the default scheme for level (and role).
func (set schemeSet) defaultFor(level Level, role, day string) (Scheme, bool) {
	codes := map[string]bool{}
	for _, sc := range set {
		codes[sc.Code] = true
	}
	keys := make([]string, 0, len(codes))
	for c := range codes {
		keys = append(keys, c)
	}
	sort.Strings(keys)
	for _, code := range keys {
		if sc, ok := set.at(code, day); ok && sc.Default && sc.Applies(level, role) {
			return sc, true
		}
	}
	return Scheme{}, false
}

// latest lists the newest version of each scheme.
func (set schemeSet) latest() []Scheme {
	by := map[string]Scheme{}
	for _, sc := range set {
		if sc.Version > by[sc.Code].Version {
			by[sc.Code] = sc
		}
	}
	out := make([]Scheme, 0, len(by))
	for _, sc := range by {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// AddScheme stores a new version of a scheme (a new code starts at version 1): periods from its
// valid_from on are scored with it, earlier ones keep the version they had. Only a scope over the
// whole district may, since schemes apply to all of it; the change is audited.
func (s *Service) AddScheme(ctx context.Context, sc Scheme) (Scheme, error) {
	scope, err := access.NeedDistrict(ctx, access.EvalConfigure, "eval.district_only")
	if err != nil {
		return Scheme{}, err
	}
	sc.Code = strings.TrimSpace(sc.Code)
	if err := sc.Validate(); err != nil {
		return Scheme{}, err
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var newest int
		var lastFrom sql.NullString
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT COALESCE(max(version), 0), max(valid_from) FROM eval_schemes WHERE code = $1`,
			sc.Code).Scan(&newest, &lastFrom); err != nil {
			return err
		}
		if lastFrom.Valid && sc.ValidFrom < lastFrom.String {
			// A version may not reach back under a later one: the periods it would take over were
			// scored and published with that one.
			return apperr.New(apperr.Conflict, "eval.scheme_backdated", lastFrom.String)
		}
		sc.Version = newest + 1
		body, _ := json.Marshal(sc)
		actor := access.ActorOf(ctx, scope.Primary())
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO eval_schemes (code, version, valid_from, body, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, sc.Code, sc.Version, sc.ValidFrom, string(body), now, actor.ID); err != nil {
			return err
		}
		e := audit.For(actor, now, "eval.scheme", "eval_scheme", fmt.Sprintf("%s/%d", sc.Code, sc.Version))
		e.OrgPath, e.OrgCode = scope.Primary().OrgPath, scope.Primary().OrgCode
		e.After = audit.Summary(map[string]any{"code": sc.Code, "version": sc.Version, "valid_from": sc.ValidFrom})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	return sc, err
}
