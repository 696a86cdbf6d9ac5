package routing

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Service stores the routing rules and decides from a cached copy that follows changes made by any
// node sharing the database (settings key routing_version, as grids do).
type Service struct {
	DB  *db.DB
	Now func() time.Time
	// RecheckEvery is how often Decide asks the database whether the rules changed.
	RecheckEvery time.Duration

	cache db.Versioned[[]Rule] // ordered as Decide tries them
}

// File is the JSON shape of a rule list: the body of PUT /api/v1/routing/rules and data/rules.json.
type File struct {
	Rules []Rule `json:"rules"`
}

//go:embed data/rules.json
var defaultRules []byte

// UnmarshalJSON reads a rule; "active" defaults to true when omitted.
func (r *Rule) UnmarshalJSON(b []byte) error {
	type plain Rule
	var in struct {
		plain
		Active *bool `json:"active"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return err
	}
	*r = Rule(in.plain)
	r.Active = in.Active == nil || *in.Active
	return nil
}

const ruleColumns = `id, priority, name, category_class, category_code, org_code, urgency, time_window,
	department_code, assisting, active`

func (s *Service) load(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]Rule, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+ruleColumns+` FROM routing_rules ORDER BY priority, id`)
	if err != nil {
		return nil, fmt.Errorf("load routing rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var r Rule
		var class, urgency, window, assisting string
		if err := rows.Scan(&r.ID, &r.Priority, &r.Name, &class, &r.CategoryCode, &r.OrgCode, &urgency, &window,
			&r.DepartmentCode, &assisting, &r.Active); err != nil {
			return nil, fmt.Errorf("load routing rules: %w", err)
		}
		r.CategoryClass, r.Urgency, r.TimeWindow = category.Class(class), category.Urgency(urgency), TimeWindow(window)
		r.Assisting = []string{}
		if assisting != "" {
			r.Assisting = strings.Split(assisting, "|")
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	Sort(out) // the database's collation may order IDs differently from Go
	return out, nil
}

// Rules lists every rule in the order Decide tries them.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	return s.load(ctx, s.DB.Read)
}

// current returns the cached rules, reloading them when another node changed them since (the
// change bumps routing_version).
func (s *Service) current(ctx context.Context) ([]Rule, error) {
	return s.cache.Get(ctx, db.VersionSource[[]Rule]{DB: s.DB, Key: "routing_version", Every: s.RecheckEvery, Now: s.Now,
		Load: func(ctx context.Context) ([]Rule, error) { return s.load(ctx, s.DB.Read) }})
}

// Decide returns the department for a case from the first active matching rule; ok is false when no
// rule matches (the dispatcher then chooses).
func (s *Service) Decide(ctx context.Context, in Input) (d Decision, ok bool, err error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return d, false, err
	}
	rules, err := s.current(ctx)
	if err != nil {
		return d, false, err
	}
	d, ok = Decide(rules, in)
	return d, ok, nil
}

// Explain tries the cached rules on a case and says how each fared (see Explain).
func (s *Service) Explain(ctx context.Context, in Input) ([]Trial, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	rules, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return Explain(rules, in), nil
}

// known reads what rules may refer to.
func (s *Service) known(ctx context.Context, tx *sql.Tx) (Known, error) {
	k := Known{Departments: map[string]bool{}, OrgNodes: map[string]bool{}, Categories: map[category.Key]bool{},
		Majors: map[category.Key]bool{}}
	pairs := func(q string, fn func(a, b string)) error {
		rows, err := s.DB.TxQuery(ctx, tx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b string
			if err := rows.Scan(&a, &b); err != nil {
				return err
			}
			fn(a, b)
		}
		return rows.Err()
	}
	if err := pairs(`SELECT code, kind FROM org_nodes`, func(code, kind string) {
		if kind == "department" {
			k.Departments[code] = true
		} else {
			k.OrgNodes[code] = true
		}
	}); err != nil {
		return k, err
	}
	if err := pairs(`SELECT class, code FROM categories`, func(class, code string) {
		k.Categories[category.Key{Class: category.Class(class), Code: code}] = true
	}); err != nil {
		return k, err
	}
	err := pairs(`SELECT class, code FROM category_majors`, func(class, code string) {
		k.Majors[category.Key{Class: category.Class(class), Code: code}] = true
	})
	return k, err
}

// ProblemsError is a refused rule list: every problem found. The HTTP layer translates them.
type ProblemsError struct {
	Problems []Problem
}

func (e *ProblemsError) Error() string {
	parts := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		parts = append(parts, fmt.Sprintf("rule %d %s: %s%v", p.Rule, p.Field, p.Key, p.Args))
	}
	return "routing rules refused: " + strings.Join(parts, "; ")
}

// Unwrap makes the error a 400 for httpx.
func (e *ProblemsError) Unwrap() error {
	return apperr.New(apperr.Invalid, "routing.invalid", len(e.Problems))
}

// Replace replaces the whole rule list, all or nothing, after checking every rule against the org
// tree (departments, areas) and the catalogue. Rules without an ID get one. It returns the saved
// list in the order Decide tries it.
func (s *Service) Replace(ctx context.Context, rules []Rule) ([]Rule, error) {
	scope, err := category.NeedWrite(ctx)
	if err != nil {
		return nil, err
	}
	rules = slicesClone(rules)
	for i := range rules {
		rules[i].Normalize()
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		k, err := s.known(ctx, tx)
		if err != nil {
			return fmt.Errorf("replace routing rules: %w", err)
		}
		if problems := Check(rules, k); len(problems) > 0 {
			return &ProblemsError{Problems: problems}
		}
		before, err := s.load(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM routing_rules`); err != nil {
			return fmt.Errorf("replace routing rules: %w", err)
		}
		for i := range rules {
			r := &rules[i]
			if r.ID == "" {
				r.ID = db.NewID()
			}
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO routing_rules (`+ruleColumns+`, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)`, r.ID, r.Priority, r.Name, string(r.CategoryClass),
				r.CategoryCode, r.OrgCode, string(r.Urgency), string(r.TimeWindow), r.DepartmentCode,
				strings.Join(r.Assisting, "|"), r.Active, now); err != nil {
				return fmt.Errorf("save routing rule %d: %w", i+1, err)
			}
		}
		if err := db.BumpVersion(ctx, tx, "routing_version"); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "routing.replace", "routing_rules", fmt.Sprintf("%d rules", len(rules)))
		e.Before = audit.Summary(before)
		e.After = audit.Summary(rules)
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.cache.Forget() // this node sees its own change at once
	Sort(rules)
	return rules, nil
}

func slicesClone(rules []Rule) []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		r.Assisting = append([]string(nil), r.Assisting...)
		out[i] = r
	}
	return out
}

// DefaultRules returns the shipped demo rules (data/rules.json).
func DefaultRules() ([]Rule, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(defaultRules))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("shipped routing rules: %w", err)
	}
	return f.Rules, nil
}

// LoadDefaults loads the shipped demo rules into an empty store (it does nothing when any rule
// exists). The rules name the demo district's departments, so call it from the demo loader only,
// after the org file and the category catalogue are loaded.
func (s *Service) LoadDefaults(ctx context.Context) error {
	if _, err := category.NeedWrite(ctx); err != nil {
		return err
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM routing_rules`).Scan(&n); err != nil {
		return fmt.Errorf("load default routing rules: %w", err)
	}
	if n > 0 {
		return nil
	}
	rules, err := DefaultRules()
	if err != nil {
		return err
	}
	if _, err := s.Replace(ctx, rules); err != nil {
		return fmt.Errorf("shipped routing rules: %w", err)
	}
	return nil
}
