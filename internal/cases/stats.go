package cases

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

// StatsQuery asks for the cases reported in a period, grouped by category or by place.
type StatsQuery struct {
	From, To    time.Time // reports in [From, To)
	Level, Code string    // "" = the caller's whole scope; else grid|community|zone|subdistrict|department + code
	Group       string    // "category" | "place"
	Limit       int       // 1..50
}

// StatGroup is one category or one place with its cases of the period: all reported (Count),
// still open now (Open) and closed (Closed; voided and merged cases count in neither).
type StatGroup struct {
	Key      string  `json:"key"`               // category: its code; place: grid code:cell row:cell column
	Name     string  `json:"name"`              // category: its name; place: the most frequent address (redacted), else the grid's name
	NameEn   string  `json:"name_en,omitempty"` // category: its English name
	Count    int     `json:"count"`
	Open     int     `json:"open"`
	Closed   int     `json:"closed"`
	Lat      float64 `json:"lat,omitempty"` // place: the centre of its cases
	Lng      float64 `json:"lng,omitempty"`
	GridCode string  `json:"grid_code,omitempty"` // place
}

// MaxStatGroups bounds a stats answer.
const MaxStatGroups = 50

// levelColumns are the units a stats or overdue question may narrow to, and the case column
// that places a case in each (a department: the lead department).
var levelColumns = map[string]string{"grid": "c.grid_code", "community": "c.community_code", "zone": "c.zone_code",
	"subdistrict": "c.subdistrict_code", "department": "c.lead_department"}

// cellsPerDegree sizes the cells "recurring places" are counted in: 1/2000 degree is 55.6 m
// north–south and 50.4 m east–west at the district's latitude (about 24.9° N, cos = 0.907), so
// a cell is about the 50 m within which the duplicate check also treats reports as one place.
// A fixed lat/lng grid (not a projection) keeps the key a pure function of the point, the same
// in SQL on both engines. Two reports a few metres apart may fall on either side of a cell edge;
// for a "where does it keep happening" list that is acceptable.
const cellsPerDegree = 2000

// openCondition is true of a case still being worked on: the same words as the partial index
// cases_open_due, so that both engines can use it.
const openCondition = `c.status NOT IN ('closed','voided','merged')`

// unitCondition narrows to a unit (level, code) after the caller's scope, whose arguments are
// args; outside the scope a unit simply has no cases (its existence is not revealed).
func unitCondition(scope access.Scope, level, code string) ([]string, []any, error) {
	cond, args := scopeCondition(scope, 1)
	conds := []string{cond}
	if level == "" && code == "" {
		return conds, args, nil
	}
	col, ok := levelColumns[level]
	if !ok {
		return nil, nil, apperr.New(apperr.Invalid, "request.bad_param", "level", "grid|community|zone|subdistrict|department")
	}
	if code == "" {
		return nil, nil, apperr.New(apperr.Invalid, "request.bad_param", "code", "≠ \"\"")
	}
	args = append(args, code)
	return append(conds, fmt.Sprintf("%s = $%d", col, len(args))), args, nil
}

// Stats counts the cases reported in [q.From, q.To) in the caller's read scope (narrowed to a
// unit when asked), by category or by place, most cases first, at most q.Limit groups. Both read
// the period along cases_reported and aggregate in SQL: a year of a district's cases is one
// index range scan, and only the top groups leave the database.
func (s *Service) Stats(ctx context.Context, q StatsQuery) ([]StatGroup, error) {
	scope, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return nil, err
	}
	if q.Limit < 1 || q.Limit > MaxStatGroups {
		return nil, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–"+strconv.Itoa(MaxStatGroups))
	}
	if !q.From.Before(q.To) {
		return nil, apperr.New(apperr.Invalid, "request.bad_param", "to", "≥ from")
	}
	conds, args, err := unitCondition(scope, q.Level, q.Code)
	if err != nil {
		return nil, err
	}
	args = append(args, q.From.UTC(), q.To.UTC())
	conds = append(conds, fmt.Sprintf("c.reported_at >= $%d AND c.reported_at < $%d", len(args)-1, len(args)))
	where := strings.Join(conds, " AND ")
	switch q.Group {
	case "category":
		return s.statsByCategory(ctx, where, args, q.Limit)
	case "place":
		return s.statsByPlace(ctx, where, args, q.Limit)
	}
	return nil, apperr.New(apperr.Invalid, "request.bad_param", "group", "category|place")
}

// tally is the SQL of a group's counts.
const tally = `count(*) AS n, SUM(CASE WHEN ` + openCondition + ` THEN 1 ELSE 0 END) AS open,
	SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END) AS closed`

func (s *Service) statsByCategory(ctx context.Context, where string, args []any, limit int) ([]StatGroup, error) {
	args = append(args, limit)
	// Grouped first, named after: only the top groups look up their category.
	rows, err := s.DB.Query(ctx, `SELECT g.class, g.code, g.n, g.open, g.closed,
		COALESCE(cat.name, ''), COALESCE(cat.name_en, '')
		FROM (SELECT c.category_class AS class, c.category_code AS code, `+tally+`
			FROM cases c WHERE `+where+` GROUP BY c.category_class, c.category_code
			ORDER BY count(*) DESC, c.category_code, c.category_class LIMIT $`+strconv.Itoa(len(args))+`) g
		LEFT JOIN categories cat ON cat.class = g.class AND cat.code = g.code
		ORDER BY g.n DESC, g.code, g.class`, args...)
	if err != nil {
		return nil, fmt.Errorf("case stats by category: %w", err)
	}
	defer rows.Close()
	out := []StatGroup{}
	for rows.Next() {
		var g StatGroup
		var class string
		if err := rows.Scan(&class, &g.Key, &g.Count, &g.Open, &g.Closed, &g.Name, &g.NameEn); err != nil {
			return nil, fmt.Errorf("case stats by category: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// cellSQL are a case's place cell (row, column); floor, not CAST alone, which rounds on
// PostgreSQL and truncates on SQLite.
var cellSQL = fmt.Sprintf(`CAST(floor(c.lat * %d) AS BIGINT), CAST(floor(c.lng * %d) AS BIGINT)`, cellsPerDegree, cellsPerDegree)

type cellKey struct {
	grid     string
	row, col int64
}

func (k cellKey) String() string {
	return k.grid + ":" + strconv.FormatInt(k.row, 10) + ":" + strconv.FormatInt(k.col, 10)
}

func (s *Service) statsByPlace(ctx context.Context, where string, args []any, limit int) ([]StatGroup, error) {
	// Grouped by the expressions' positions: PostgreSQL would take a bare alias in GROUP BY for
	// an input column, SQLite the other way round.
	rows, err := s.DB.Query(ctx, `SELECT c.grid_code, `+cellSQL+`, `+tally+`, avg(c.lat), avg(c.lng)
		FROM cases c WHERE `+where+` GROUP BY 1, 2, 3
		ORDER BY 4 DESC, 1, 2, 3 LIMIT $`+strconv.Itoa(len(args)+1), append(slices.Clip(args), limit)...)
	if err != nil {
		return nil, fmt.Errorf("case stats by place: %w", err)
	}
	out := []StatGroup{}
	index := map[cellKey]int{}
	var grids []string
	for rows.Next() {
		var g StatGroup
		var k cellKey
		if err := rows.Scan(&k.grid, &k.row, &k.col, &g.Count, &g.Open, &g.Closed, &g.Lat, &g.Lng); err != nil {
			rows.Close()
			return nil, fmt.Errorf("case stats by place: %w", err)
		}
		g.Key, g.GridCode = k.String(), k.grid
		index[k] = len(out)
		out = append(out, g)
		if !slices.Contains(grids, k.grid) {
			grids = append(grids, k.grid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	if err := s.placeNames(ctx, where, args, grids, index, out); err != nil {
		return nil, err
	}
	return out, nil
}

// placeNames names each place by the address its cases give most often (blacked out as any
// public text: an address may name a flat), else by its grid's name.
func (s *Service) placeNames(ctx context.Context, where string, args []any, grids []string, index map[cellKey]int, out []StatGroup) error {
	ph := make([]string, len(grids))
	for i, g := range grids {
		args = append(slices.Clip(args), g)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := s.DB.Query(ctx, `SELECT c.grid_code, `+cellSQL+`, c.address, count(*) FROM cases c
		WHERE `+where+` AND c.address <> '' AND c.grid_code IN (`+strings.Join(ph, ",")+`) GROUP BY 1, 2, 3, 4`, args...)
	if err != nil {
		return fmt.Errorf("case stats place names: %w", err)
	}
	defer rows.Close()
	best := make([]int, len(out))
	for rows.Next() {
		var k cellKey
		var address string
		var n int
		if err := rows.Scan(&k.grid, &k.row, &k.col, &address, &n); err != nil {
			return fmt.Errorf("case stats place names: %w", err)
		}
		i, ok := index[k]
		// The most frequent address; between equals the first in text order, so the name is stable.
		if ok && (n > best[i] || (n == best[i] && address < out[i].Name)) {
			best[i], out[i].Name = n, address
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("case stats place names: %w", err)
	}
	var missing []string
	for i := range out {
		out[i].Name = redact.Public(out[i].Name)
		if out[i].Name == "" {
			missing = append(missing, out[i].GridCode)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names, err := s.gridNames(ctx, missing)
	if err != nil {
		return err
	}
	for i := range out {
		if out[i].Name == "" {
			out[i].Name = names[out[i].GridCode]
		}
	}
	return nil
}

func (s *Service) gridNames(ctx context.Context, codes []string) (map[string]string, error) {
	ph := make([]string, len(codes))
	args := make([]any, len(codes))
	for i, c := range codes {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), c
	}
	rows, err := s.DB.Query(ctx, `SELECT code, name FROM grids WHERE code IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("grid names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, fmt.Errorf("grid names: %w", err)
		}
		out[code] = name
	}
	return out, rows.Err()
}

// OverdueCase is an open case whose running stage is past its deadline.
type OverdueCase struct {
	ID             string        `json:"id"`
	Number         string        `json:"number"`
	Status         string        `json:"status"`
	Stage          string        `json:"stage"`
	Category       string        `json:"category"` // the category's name
	Address        string        `json:"address,omitempty"`
	GridCode       string        `json:"grid_code"`
	LeadDepartment string        `json:"department_code,omitempty"`
	Due            time.Time     `json:"due"`
	Late           time.Duration `json:"-"`
	LateMinutes    int64         `json:"late_minutes"` // Late, for the JSON answer
}

// MaxOverdue bounds an overdue answer.
const MaxOverdue = 200

// Overdue lists the open cases in the caller's read scope (narrowed to a unit when asked)
// whose running stage is past its due, most late first, at most limit (1..MaxOverdue). Lateness
// is wall-clock time since the due moment, which the deadline itself was computed on working
// time (the desk's SLA light uses the same due). The query walks the partial index
// cases_open_due from its oldest deadline and stops after limit cases.
func (s *Service) Overdue(ctx context.Context, level, code string, limit int) ([]OverdueCase, error) {
	scope, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxOverdue {
		return nil, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–"+strconv.Itoa(MaxOverdue))
	}
	conds, args, err := unitCondition(scope, level, code)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	args = append(args, now, limit)
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.number, c.status, c.stage, c.address, c.grid_code,
		c.lead_department, c.stage_due,
		COALESCE((SELECT cat.name FROM categories cat WHERE cat.class = c.category_class AND cat.code = c.category_code), c.category_code)
		FROM cases c WHERE `+strings.Join(conds, " AND ")+` AND `+openCondition+`
		AND c.stage_due < $`+strconv.Itoa(len(args)-1)+` ORDER BY c.stage_due, c.id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("overdue cases: %w", err)
	}
	defer rows.Close()
	out := []OverdueCase{}
	for rows.Next() {
		var o OverdueCase
		if err := rows.Scan(&o.ID, &o.Number, &o.Status, &o.Stage, &o.Address, &o.GridCode, &o.LeadDepartment, &o.Due, &o.Category); err != nil {
			return nil, fmt.Errorf("overdue cases: %w", err)
		}
		o.Due, o.Address = o.Due.UTC(), redact.Public(o.Address)
		o.Late = now.Sub(o.Due)
		o.LateMinutes = int64(o.Late / time.Minute)
		out = append(out, o)
	}
	return out, rows.Err()
}

// stats answers GET /api/v1/cases/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&group=category|place
// [&level=&code=][&limit=]: both dates included, days in the district's time zone.
func (h *HTTP) stats(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	var q StatsQuery
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		t, err := time.ParseInLocation(time.DateOnly, v.Get(d.name), shanghai)
		if err != nil {
			h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", d.name, "YYYY-MM-DD"))
			return
		}
		*d.dst = t
	}
	q.To = q.To.AddDate(0, 0, 1) // the last day is included
	if q.To.Sub(q.From) > maxStatsDays*24*time.Hour {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "to", "≤ "+strconv.Itoa(maxStatsDays)))
		return
	}
	q.Level, q.Code, q.Group = v.Get("level"), strings.TrimSpace(v.Get("code")), v.Get("group")
	limit, err := intParam(v.Get("limit"), 10)
	if err != nil {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–"+strconv.Itoa(MaxStatGroups)))
		return
	}
	q.Limit = limit
	groups, err := h.Cases.Stats(r.Context(), q)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"groups": groups})
}

// maxStatsDays bounds a stats period (ten years, as the indicators').
const maxStatsDays = 3660

// overdue answers GET /api/v1/cases/overdue?[level=&code=][&limit=].
func (h *HTTP) overdue(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	limit, err := intParam(v.Get("limit"), 50)
	if err != nil {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–"+strconv.Itoa(MaxOverdue)))
		return
	}
	list, err := h.Cases.Overdue(r.Context(), v.Get("level"), strings.TrimSpace(v.Get("code")), limit)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"cases": list})
}

// intParam reads an optional integer parameter.
func intParam(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}
