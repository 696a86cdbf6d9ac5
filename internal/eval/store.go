package eval

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// stored is what one case added to the aggregates, kept in eval_cases so that the next change of
// the case subtracts exactly that before it adds its new facts.
type stored struct {
	Day    string   `json:"d"`
	Units  []Unit   `json:"u,omitempty"`
	Counts Counts   `json:"c"`
	People []Person `json:"p,omitempty"`
}

type bucket struct {
	level Level
	unit  string
	day   string
}

// delta gathers what a batch of cases changes, per unit and day.
type delta map[bucket]*Counts

func (d delta) add(b bucket, c Counts, sign int64) {
	if c.Zero() {
		return
	}
	acc, ok := d[b]
	if !ok {
		acc = &Counts{}
		d[b] = acc
	}
	for i, v := range c {
		acc[i] += sign * v
	}
}

func (d delta) apply(s stored, sign int64) {
	for _, u := range s.Units {
		d.add(bucket{u.Level, u.Code, s.Day}, s.Counts, sign)
	}
	for _, p := range s.People {
		d.add(bucket{LevelPerson, p.ID, s.Day}, p.Counts, sign)
	}
}

// refresh recomputes the facts of the cases ids in tx and moves the aggregates by the difference.
func (s *Service) refresh(ctx context.Context, tx *sql.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	histories, err := s.Cases.Histories(ctx, tx, ids)
	if err != nil {
		return err
	}
	old, err := s.storedFacts(ctx, tx, ids)
	if err != nil {
		return err
	}
	d := delta{}
	people := map[string]Person{}
	fresh := map[string]stored{}
	for _, h := range histories {
		f := Compute(h)
		st := stored(f)
		fresh[h.ID] = st
		d.apply(st, 1)
		for _, p := range f.People {
			people[p.ID] = p
		}
	}
	for id, st := range old {
		d.apply(st, -1)
		if _, ok := fresh[id]; !ok {
			// The case is gone (never in practice: cases are not deleted); its share goes with it.
			if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM eval_cases WHERE case_id = $1`, id); err != nil {
				return err
			}
		}
	}
	for id, st := range fresh {
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO eval_cases (case_id, day, contributions) VALUES ($1, $2, $3)
			ON CONFLICT (case_id) DO UPDATE SET day = excluded.day, contributions = excluded.contributions`, id, st.Day, string(b)); err != nil {
			return fmt.Errorf("eval case %s: %w", id, err)
		}
	}
	for _, p := range people {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO eval_people (user_id, name, role, org_code) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, role = excluded.role, org_code = excluded.org_code`,
			p.ID, p.Name, p.Role, p.OrgCode); err != nil {
			return err
		}
	}
	return s.addAll(ctx, tx, d)
}

// storedFacts reads what the cases ids added last time.
func (s *Service) storedFacts(ctx context.Context, tx *sql.Tx, ids []string) (map[string]stored, error) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := s.DB.TxQuery(ctx, tx, `SELECT case_id, contributions FROM eval_cases WHERE case_id IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]stored{}
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		var st stored
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			return nil, fmt.Errorf("eval case %s: %w", id, err)
		}
		out[id] = st
	}
	return out, rows.Err()
}

// upsertSQL adds a row of counts to a table keyed by (level, period column, unit).
func upsertSQL(table, period string) string {
	cols := CountCodes()
	ph := make([]string, len(cols))
	set := make([]string, len(cols))
	for i, c := range cols {
		ph[i] = fmt.Sprintf("$%d", i+4)
		set[i] = fmt.Sprintf("%s = %s.%s + excluded.%s", c, table, c, c)
	}
	return fmt.Sprintf(`INSERT INTO %s (level, unit, %s, %s) VALUES ($1, $2, $3, %s) ON CONFLICT (level, %s, unit) DO UPDATE SET %s`,
		table, period, strings.Join(cols, ", "), strings.Join(ph, ", "), period, strings.Join(set, ", "))
}

var (
	dailySQL   = upsertSQL("eval_daily", "day")
	monthlySQL = upsertSQL("eval_monthly", "month")
)

// addAll adds the batch's differences to the daily and monthly sums, in a fixed order (two nodes
// never lock the same rows in opposite orders).
func (s *Service) addAll(ctx context.Context, tx *sql.Tx, d delta) error {
	keys := make([]bucket, 0, len(d))
	for b, c := range d {
		if !c.Zero() {
			keys = append(keys, b)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.level != b.level {
			return a.level < b.level
		}
		if a.day != b.day {
			return a.day < b.day
		}
		return a.unit < b.unit
	})
	months := delta{}
	for _, b := range keys {
		if err := s.addRow(ctx, tx, dailySQL, b.level, b.unit, b.day, *d[b]); err != nil {
			return err
		}
		months.add(bucket{b.level, b.unit, b.day[:7]}, *d[b], 1)
	}
	mkeys := make([]bucket, 0, len(months))
	for b := range months {
		mkeys = append(mkeys, b)
	}
	sort.Slice(mkeys, func(i, j int) bool {
		a, b := mkeys[i], mkeys[j]
		return string(a.level)+a.day+a.unit < string(b.level)+b.day+b.unit
	})
	var touched []bucket // each (level, month) once, in mkeys' order
	seen := map[bucket]bool{}
	for _, b := range mkeys {
		if err := s.addRow(ctx, tx, monthlySQL, b.level, b.unit, b.day, *months[b]); err != nil {
			return err
		}
		if k := (bucket{level: b.level, day: b.day}); !seen[k] {
			seen[k], touched = true, append(touched, k)
		}
	}
	return s.touchMonths(ctx, tx, touched)
}

func (s *Service) addRow(ctx context.Context, tx *sql.Tx, q string, level Level, unit, period string, c Counts) error {
	args := make([]any, 0, 3+len(c))
	args = append(args, string(level), unit, period)
	for _, v := range c {
		args = append(args, v)
	}
	if _, err := s.DB.TxExec(ctx, tx, q, args...); err != nil {
		return fmt.Errorf("eval %s %s %s: %w", level, unit, period, err)
	}
	return nil
}

// sums reads the counts of every unit of level over the dates from..to (inclusive, YYYY-MM-DD):
// whole months from eval_monthly (through the month cache, months.go), the days at either end
// from eval_daily.
func (s *Service) sums(ctx context.Context, q db.Querier, level Level, from, to string) (map[string]Counts, error) {
	out := map[string]Counts{}
	sumsOf := make([]string, numCounts)
	for i, c := range CountCodes() {
		sumsOf[i] = "CAST(sum(" + c + ") AS BIGINT)" // summed by the database: a row per unit comes back
	}
	cols := "unit, " + strings.Join(sumsOf, ", ")
	read := func(query string, args ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("read indicators: %w", err)
		}
		defer rows.Close()
		var c Counts
		dest := make([]any, 1+len(c))
		var unit string
		dest[0] = &unit
		for i := range c {
			dest[i+1] = &c[i]
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			acc := out[unit]
			acc.Add(c)
			out[unit] = acc
		}
		return rows.Err()
	}
	sp := split(from, to)
	if sp.firstMonth != "" {
		if err := s.monthSums(ctx, q, level, sp.firstMonth, sp.lastMonth, out); err != nil {
			return nil, err
		}
	}
	for _, r := range sp.days {
		if err := read(`SELECT `+cols+` FROM eval_daily WHERE level = $1 AND day >= $2 AND day <= $3 GROUP BY unit`,
			string(level), r[0], r[1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
