package category

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Service reads and changes the catalogue and its time limits. Every signed-in role may read it;
// only a district-level sys_admin may change it (it is district-wide configuration), and every
// change is audited in the same transaction.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

// ListFilter narrows List. Empty fields do not filter.
type ListFilter struct {
	Class      Class
	Major      string // 2-digit major code
	Query      string // the start of a code, part of a name (zh or en), a keyword, a major's name, or an old code
	ActiveOnly bool
}

const categorySelect = `SELECT c.class, c.code, c.major_code, m.name, m.name_en, c.name, c.name_en, c.standard_ref,
	c.old_code, c.old_standard_ref, c.keywords, c.confirm_required, c.duplicate_radius_m, c.duplicate_window_hours, c.active
	FROM categories c JOIN category_majors m ON m.class = c.class AND m.code = c.major_code`

func scanCategory(row interface{ Scan(...any) error }) (Category, error) {
	var c Category
	var class, keywords string
	err := row.Scan(&class, &c.Code, &c.MajorCode, &c.MajorName, &c.MajorNameEN, &c.Name, &c.NameEN, &c.StandardRef,
		&c.OldCode, &c.OldStandardRef, &keywords, &c.ConfirmRequired, &c.DuplicateRadiusM, &c.DuplicateWindowHours, &c.Active)
	c.Class = Class(class)
	c.Keywords = splitKeywords(keywords)
	return c, err
}

func splitKeywords(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "|")
}

// List returns the categories matching f, by class then code.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Category, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Class != "" {
		where = append(where, "c.class = "+arg(string(f.Class)))
	}
	if f.Major != "" {
		where = append(where, "c.major_code = "+arg(f.Major))
	}
	if f.ActiveOnly {
		where = append(where, "c.active = "+arg(true))
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		like := arg("%" + escapeLike(q) + "%")
		where = append(where, fmt.Sprintf(`(c.code LIKE %[2]s ESCAPE '\' OR lower(c.name) LIKE %[1]s ESCAPE '\'
			OR lower(c.name_en) LIKE %[1]s ESCAPE '\' OR lower(c.keywords) LIKE %[1]s ESCAPE '\'
			OR lower(m.name) LIKE %[1]s ESCAPE '\' OR c.old_code = %[3]s)`, like, arg(escapeLike(q)+"%"), arg(q)))
	}
	q := categorySelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	out, err := db.QueryAll(ctx, s.DB.Read, scanCategory, q+" ORDER BY c.class, c.code", args...)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Get returns one category.
func (s *Service) Get(ctx context.Context, class Class, code string) (Category, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return Category{}, err
	}
	return s.get(ctx, s.DB.Prepared(), class, code)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) get(ctx context.Context, q queryer, class Class, code string) (Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, categorySelect+` WHERE c.class = $1 AND c.code = $2`, string(class), code))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "category.not_found", string(class), code)
	}
	if err != nil {
		return c, fmt.Errorf("get category %s/%s: %w", class, code, err)
	}
	return c, nil
}

// Find returns the category with code in either class, the event when both classes have it (a
// report names a situation more often than an object).
func (s *Service) Find(ctx context.Context, code string) (Category, error) {
	if _, err := access.Need(ctx, access.CategoryRead); err != nil {
		return Category{}, err
	}
	c, err := scanCategory(s.DB.QueryRow(ctx, categorySelect+` WHERE c.code = $1
		ORDER BY CASE c.class WHEN 'event' THEN 0 ELSE 1 END LIMIT 1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "category.not_found", "", code)
	}
	if err != nil {
		return c, fmt.Errorf("find category %s: %w", code, err)
	}
	return c, nil
}

// NeedWrite checks that the caller may change the catalogue or configuration that goes with it
// (routing rules): category.write over the whole district.
func NeedWrite(ctx context.Context) (access.Scope, error) {
	return access.NeedDistrict(ctx, access.CategoryWrite, "category.district_only")
}

func invalid(key string, problems []Problem) error {
	return &ProblemsError{Key: key, Problems: problems}
}

// ProblemsError is refused input: every problem found. The HTTP layer translates the problems.
type ProblemsError struct {
	Key      string // the message key of the whole refusal
	Problems []Problem
}

func (e *ProblemsError) Error() string {
	parts := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		parts = append(parts, p.String())
	}
	return e.Key + ": " + strings.Join(parts, "; ")
}

// Unwrap makes the error a 400 for httpx.
func (e *ProblemsError) Unwrap() error {
	return apperr.New(apperr.Invalid, e.Key, len(e.Problems))
}

// Put creates or updates one category (and its major, when c names it). It reports whether the
// category is new.
func (s *Service) Put(ctx context.Context, c Category) (created bool, err error) {
	scope, err := NeedWrite(ctx)
	if err != nil {
		return false, err
	}
	c.Normalize()
	if problems := c.Check(); len(problems) > 0 {
		return false, invalid("category.invalid", problems)
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.get(ctx, tx, c.Class, c.Code)
		created = apperr.CodeOf(err) == apperr.NotFound
		if err != nil && !created {
			return err
		}
		if err := s.writeMajors(ctx, tx, []Category{c}, nil); err != nil {
			return err
		}
		if err := s.writeCategory(ctx, tx, c, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "category.put", "category", Key{c.Class, c.Code}.String())
		if !created {
			e.Before = audit.Summary(before)
		}
		e.After = audit.Summary(c)
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	return created, err
}

// writeMajors makes sure every category's major exists, creating or renaming it where a category
// names it; a major no category names must exist already. lines are the file lines of cats (nil
// when cats is not from a file).
func (s *Service) writeMajors(ctx context.Context, tx *sql.Tx, cats []Category, lines []int) error {
	named := map[Key]Major{}
	first := map[Key]int{}
	var order []Key
	for i, c := range cats {
		k := Key{c.Class, c.MajorCode}
		if _, ok := first[k]; !ok {
			first[k] = i
			order = append(order, k)
		}
		if _, ok := named[k]; !ok && c.MajorName != "" {
			named[k] = Major{Class: c.Class, Code: c.MajorCode, Name: c.MajorName, NameEN: c.MajorNameEN}
		}
	}
	var problems []Problem
	for _, k := range order {
		m, ok := named[k]
		if !ok {
			var n int
			if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM category_majors WHERE class = $1 AND code = $2`,
				string(k.Class), k.Code).Scan(&n); err != nil {
				return fmt.Errorf("find major %s: %w", k, err)
			}
			if n == 0 {
				p := Problem{Field: "major_name", Key: "major_unknown", Args: []any{k.Code}}
				if lines != nil {
					p.Line = lines[first[k]]
				}
				problems = append(problems, p)
			}
			continue
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO category_majors (class, code, name, name_en) VALUES ($1,$2,$3,$4)
			ON CONFLICT (class, code) DO UPDATE SET name = excluded.name,
			name_en = CASE WHEN excluded.name_en = '' THEN category_majors.name_en ELSE excluded.name_en END`,
			string(m.Class), m.Code, m.Name, m.NameEN); err != nil {
			return fmt.Errorf("write major %s: %w", k, err)
		}
	}
	if len(problems) > 0 {
		key := "category.invalid"
		if lines != nil {
			key = "category.bad_csv"
		}
		return &ProblemsError{Key: key, Problems: problems}
	}
	return nil
}

func (s *Service) writeCategory(ctx context.Context, tx *sql.Tx, c Category, now time.Time) error {
	_, err := s.DB.TxExec(ctx, tx, `INSERT INTO categories (class, code, major_code, name, name_en, standard_ref, old_code,
		old_standard_ref, keywords, confirm_required, duplicate_radius_m, duplicate_window_hours, active, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14)
		ON CONFLICT (class, code) DO UPDATE SET major_code = excluded.major_code, name = excluded.name, name_en = excluded.name_en,
		standard_ref = excluded.standard_ref, old_code = excluded.old_code, old_standard_ref = excluded.old_standard_ref,
		keywords = excluded.keywords, confirm_required = excluded.confirm_required,
		duplicate_radius_m = excluded.duplicate_radius_m, duplicate_window_hours = excluded.duplicate_window_hours,
		active = excluded.active, updated_at = excluded.updated_at`,
		string(c.Class), c.Code, c.MajorCode, c.Name, c.NameEN, c.StandardRef, c.OldCode, c.OldStandardRef,
		strings.Join(c.Keywords, "|"), c.ConfirmRequired, c.DuplicateRadiusM, c.DuplicateWindowHours, c.Active, now)
	if err != nil {
		return fmt.Errorf("write category %s/%s: %w", c.Class, c.Code, err)
	}
	return nil
}

// ImportCSV reads a catalogue file and writes every category in it — all or nothing. Categories
// missing from the file are kept. It returns how many categories the file held.
func (s *Service) ImportCSV(ctx context.Context, r io.Reader) (int, error) {
	scope, err := NeedWrite(ctx)
	if err != nil {
		return 0, err
	}
	cats, lines, problems := parseCSV(r)
	if len(problems) > 0 {
		return 0, refuse(problems)
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.writeMajors(ctx, tx, cats, lines); err != nil {
			return err
		}
		for _, c := range cats {
			if err := s.writeCategory(ctx, tx, c, now); err != nil {
				return err
			}
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "category.import", "categories", fmt.Sprintf("%d categories", len(cats)))
		e.After = fmt.Sprintf(`{"categories":%d}`, len(cats))
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return 0, err
	}
	return len(cats), nil
}

// ExportCSV writes the whole catalogue, inactive categories included, in the import format.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer) error {
	cats, err := s.List(ctx, ListFilter{})
	if err != nil {
		return err
	}
	return WriteCSV(w, cats)
}
