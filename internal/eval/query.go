package eval

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Query asks for the indicators of one level and period, scored with one scheme (empty: each
// unit's default scheme).
type Query struct {
	Period Period
	Level  Level
	Scheme string
}

// Row is one unit's figures (contract: code, name, counts, rates, score, grade).
type Row struct {
	Code   string              `json:"code"`
	Name   string              `json:"name"`
	NameEn string              `json:"name_en,omitempty"`
	Role   string              `json:"role,omitempty"`
	Counts map[string]int64    `json:"counts"`
	Rates  map[string]*float64 `json:"rates"`
	Score  *float64            `json:"score"`
	Grade  *string             `json:"grade"`
	// Scheme is the scheme and version the score comes from ("gbt30428-area v1").
	Scheme string `json:"scheme,omitempty"`
	// Ranked is false when the unit is below the scheme's minimum sample: listed, not ranked.
	Ranked bool `json:"ranked"`
	// CheckIns are a department's 报到 figures (the whistles that summoned it), when any.
	CheckIns *CheckInFigures `json:"check_ins,omitempty"`

	raw  Counts
	path string
}

// Table is the answer to a Query.
type Table struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Level Level  `json:"level"`
	Rows  []Row  `json:"rows"`
}

// member is a unit in reach, with its role for a person.
type member struct {
	UnitInfo
	role string
}

// ParseLevel reads a level name.
func ParseLevel(s string) (Level, error) {
	if l := Level(s); slices.Contains(Levels, l) {
		return l, nil
	}
	return "", apperr.New(apperr.Invalid, "eval.bad_level", s)
}

// readScope is the caller's scope for a level: the person tables need eval.people.
func readScope(ctx context.Context, level Level) (access.Scope, error) {
	if level == LevelPerson {
		return access.Need(ctx, access.EvalPeople)
	}
	return access.Need(ctx, access.EvalRead)
}

// members lists the units of level in scope: one row each, whether or not anything happened there.
func (s *Service) members(ctx context.Context, scope access.Scope, level Level) ([]member, error) {
	var out []member
	if level != LevelPerson {
		units, err := s.Directory.Units(ctx, level)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			if scope.Covers(u.Path) || (level == LevelDepartment && slices.Contains(scope.Departments, u.Code)) {
				out = append(out, member{UnitInfo: u})
			}
		}
		return out, nil
	}
	rows, err := s.DB.Query(ctx, `SELECT user_id, name, role, org_code FROM eval_people ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	type person struct{ id, name, role, org string }
	var people []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.name, &p.role, &p.org); err != nil {
			rows.Close()
			return nil, err
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := s.Directory.Names(ctx)
	if err != nil {
		return nil, err
	}
	paths := map[string]string{}
	for _, p := range people {
		if n := names[p.id]; n != "" {
			p.name = n
		}
		path, ok := paths[p.org]
		if !ok {
			n, found, err := s.Directory.Node(ctx, p.org)
			if err != nil {
				return nil, err
			}
			if found {
				path = n.Path
			}
			paths[p.org] = path
		}
		if (path != "" && scope.Covers(path)) || slices.Contains(scope.Departments, p.org) {
			out = append(out, member{UnitInfo: UnitInfo{Code: p.id, Name: p.name, Path: path}, role: p.role})
		}
	}
	return out, nil
}

// Indicators answers GET /api/v1/indicators: one row per unit of the level in the caller's scope.
func (s *Service) Indicators(ctx context.Context, q Query) (Table, error) {
	scope, err := readScope(ctx, q.Level)
	if err != nil {
		return Table{}, err
	}
	set, err := s.Schemes(ctx)
	if err != nil {
		return Table{}, err
	}
	if err := checkScheme(set, q); err != nil {
		return Table{}, err
	}
	members, err := s.members(ctx, scope, q.Level)
	if err != nil {
		return Table{}, err
	}
	return s.table(ctx, q, members, set)
}

// checkScheme refuses a scheme that does not exist or does not score the level.
func checkScheme(set schemeSet, q Query) error {
	if q.Scheme == "" {
		return nil
	}
	sc, ok := set.at(q.Scheme, q.Period.From.Format(time.DateOnly))
	if !ok {
		return apperr.New(apperr.Invalid, "eval.unknown_scheme", q.Scheme)
	}
	if !slices.Contains(sc.Levels, q.Level) {
		return apperr.New(apperr.Invalid, "eval.scheme_level", q.Scheme, string(q.Level))
	}
	return nil
}

// table computes the rows of members over q's period.
func (s *Service) table(ctx context.Context, q Query, members []member, set schemeSet) (Table, error) {
	t, err := s.tableOf(ctx, q, members, set, true)
	if err != nil {
		return t, err
	}
	return t, s.withCheckIns(ctx, &t)
}

// tableOf is table; without full, rows carry their score and sample only (a ranking's previous
// period needs no more, and a thousand grids' maps are most of its time).
func (s *Service) tableOf(ctx context.Context, q Query, members []member, set schemeSet, full bool) (Table, error) {
	from, to := q.Period.From.Format(time.DateOnly), q.Period.To.Format(time.DateOnly)
	sums, err := s.sums(ctx, s.DB.Prepared(), q.Level, from, to)
	if err != nil {
		return Table{}, err
	}
	t := Table{From: from, To: to, Level: q.Level, Rows: make([]Row, 0, len(members))}
	// The scheme depends only on the level and, for persons, the post: chosen once per post.
	type choice struct {
		sc   Scheme
		name string
		ok   bool
	}
	chosen := map[string]choice{}
	schemeFor := func(role string) choice {
		if c, ok := chosen[role]; ok {
			return c
		}
		var c choice
		if q.Scheme != "" {
			c.sc, c.ok = set.at(q.Scheme, from)
			c.ok = c.ok && c.sc.Applies(q.Level, role)
		} else {
			c.sc, c.ok = set.defaultFor(q.Level, role, from)
		}
		c.name = c.sc.String()
		chosen[role] = c
		return c
	}
	for _, m := range members {
		c := sums[m.Code]
		r := Row{Code: m.Code, Name: m.Name, NameEn: m.NameEn, Role: m.role, raw: c, path: m.Path}
		if full {
			r.Counts, r.Rates = c.Map(), RatesOf(c)
		}
		if ch := schemeFor(m.role); ch.ok {
			score, grade, _ := ch.sc.Score(c)
			r.Score, r.Scheme = score, ch.name
			if score != nil {
				r.Grade = &grade
				r.Ranked = ch.sc.Sampled(c)
			}
		}
		t.Rows = append(t.Rows, r)
	}
	sort.Slice(t.Rows, func(i, j int) bool { return t.Rows[i].Code < t.Rows[j].Code })
	return t, nil
}
