// Package casegen writes synthetic case histories straight into the database, for benchmarks and
// demos of a district with years of data (yiwang gen cases, yiwang serve --demo). It bypasses the
// intake pipeline on purpose: millions of historic cases are written in large transactions
// through prepared statements, in the same rows the case desk writes — each step by a member of
// the subdistrict's or department's staff, with the stage clock it ended and that clock's
// deadline, so that the indicators (package eval) tell units apart as they would in a district.
//
// The history itself is drawn by World.Case, a pure function of a random source: the indicators
// benchmark computes it in memory without writing case rows.
package casegen

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/textsearch"
)

// Options shape a synthetic case history.
type Options struct {
	Count int
	Days  int   // spread over this many days before now
	Seed  int64 // the same seed gives the same history
	Batch int   // cases per transaction
	// Now is the end of the history (zero: the wall clock).
	Now time.Time
}

// shanghai is the time zone of case numbers (YYYYMMDD-NNNN by the Beijing day).
var shanghai = time.FixedZone("CST", 8*3600)

// ReportTime is when the i-th of count cases spread over span before now is reported: cases come
// in report-time order, as a district's history does, so every index that grows with time is
// appended to, not written all over.
func ReportTime(rng *rand.Rand, now time.Time, span time.Duration, i, count int) time.Time {
	age := span - time.Duration((float64(i)+rng.Float64())/float64(count)*float64(span))
	return now.Add(-age)
}

// Generate writes a realistic synthetic case history straight into the database: cases spread
// over the district's grids and categories, taken through the workflow by its staff up to now
// (most older ones closed, recent ones at every stage), with their events and search tokens.
func Generate(ctx context.Context, d *db.DB, opts Options, progress func(done, total int)) error {
	if opts.Days <= 0 {
		opts.Days = 365
	}
	if opts.Batch <= 0 {
		opts.Batch = 5000
	}
	w, err := LoadWorld(ctx, d, opts.Seed)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(opts.Seed))
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	counters := map[string]int{}
	if err := loadCounters(ctx, d, w.District, counters); err != nil {
		return err
	}
	// A bigger page cache for the length of the load (the writer's own connection).
	if d.Engine == db.SQLite {
		if _, err := d.Write.ExecContext(ctx, `PRAGMA cache_size = -1048576`); err != nil {
			return err
		}
		defer d.Write.ExecContext(context.Background(), `PRAGMA cache_size = -16384`)
	}
	span := time.Duration(opts.Days) * 24 * time.Hour
	for done := 0; done < opts.Count; {
		n := min(opts.Batch, opts.Count-done)
		first := done
		touched := map[string]bool{}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			st, err := genStatements(ctx, tx, d.Engine)
			if err != nil {
				return err
			}
			defer st.close()
			for i := 0; i < n; i++ {
				c := w.Case(rng, ReportTime(rng, now, span, first+i, opts.Count), now)
				if err := st.write(ctx, c, counters, touched); err != nil {
					return err
				}
			}
			for day := range touched {
				if _, err := tx.ExecContext(ctx, `INSERT INTO case_counters (district_code, day, n) VALUES ($1,$2,$3)
					ON CONFLICT (district_code, day) DO UPDATE SET n = excluded.n`, w.District, day, counters[day]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		done += n
		if progress != nil {
			progress(done, opts.Count)
		}
	}
	return nil
}

func loadCounters(ctx context.Context, d *db.DB, district string, into map[string]int) error {
	rows, err := d.Read.QueryContext(ctx, `SELECT day, n FROM case_counters WHERE district_code = $1`, district)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			return err
		}
		into[day] = n
	}
	return rows.Err()
}

func genGrids(ctx context.Context, d *db.DB) ([]Grid, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT g.code, g.community_code, c.parent_code, COALESCE(g.zone_code, ''), g.path, c.name,
		g.min_lat, g.min_lng, g.max_lat, g.max_lng FROM grids g JOIN org_nodes c ON c.code = g.community_code ORDER BY g.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grid
	for rows.Next() {
		var g Grid
		var minLat, minLng, maxLat, maxLng float64
		if err := rows.Scan(&g.Code, &g.Community, &g.Subdistrict, &g.Zone, &g.Path, &g.CommunityName, &minLat, &minLng, &maxLat, &maxLng); err != nil {
			return nil, err
		}
		// Points in the middle half of the bounding box fall inside these convex cells.
		g.Lat, g.Lng = (minLat+maxLat)/2, (minLng+maxLng)/2
		g.DLat, g.DLng = (maxLat-minLat)/4, (maxLng-minLng)/4
		out = append(out, g)
	}
	return out, rows.Err()
}

func genCategories(ctx context.Context, d *db.DB) ([]Category, error) {
	var cats []Category
	rows, err := d.Read.QueryContext(ctx, `SELECT class, code, name FROM categories WHERE class = 'event' AND active ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Class, &c.Code, &c.Name); err != nil {
			return nil, err
		}
		cats = append(cats, c)
	}
	return cats, rows.Err()
}

type genStmts struct {
	ctx                            context.Context
	tx                             *sql.Tx
	engine                         db.Engine
	caseStmt, searchStmt, deptStmt *sql.Stmt
	// events writes a case's n events in one statement (by n): one round through the driver
	// per case instead of one per event keeps the generator's speed with richer histories.
	events map[int]*sql.Stmt
	args   []any
	buf    []byte
}

// eventColumns are the columns of a generated event (public is always true).
const eventColumns = 11

// eventsStmt returns the statement that inserts n events.
func (st *genStmts) eventsStmt(n int) (*sql.Stmt, error) {
	if s, ok := st.events[n]; ok {
		return s, nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO case_events (id, case_id, seq, action, status, actor_id, actor_name, role, org_code, at, data, public) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range eventColumns {
			fmt.Fprintf(&b, "$%d,", i*eventColumns+j+1)
		}
		b.WriteString("true)")
	}
	s, err := st.tx.PrepareContext(st.ctx, b.String())
	if err != nil {
		return nil, err
	}
	st.events[n] = s
	return s, nil
}

func genStatements(ctx context.Context, tx *sql.Tx, engine db.Engine) (*genStmts, error) {
	st := genStmts{ctx: ctx, tx: tx, engine: engine, events: map[int]*sql.Stmt{}}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.PrepareContext(ctx, q)
		return s
	}
	st.caseStmt = prep(`INSERT INTO cases (id, number, status, channel, kind, category_class, category_code, urgency, lat, lng,
		description, grid_code, community_code, subdistrict_code, zone_code, path, follow_token_hash, lead_department,
		rework_count, rating, rated, stage, stage_started_at, stage_due, handle_due, reported_at, registered_at,
		dispatched_at, closed_at, updated_at, overdue_stage)
		VALUES ($1,$2,$3,$4,'report',$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30)`)
	search := `INSERT INTO case_search (rowid, case_id, tokens) VALUES ($1, $2, $3)`
	if engine == db.Postgres {
		search = `INSERT INTO case_search (case_id, tokens, reported_at) VALUES ($1, to_tsvector('simple', $2), $3)`
	}
	st.searchStmt = prep(search)
	st.deptStmt = prep(`INSERT INTO case_departments (case_id, department_code, role, since) VALUES ($1,$2,'lead',$3)`)
	return &st, err
}

func (st *genStmts) close() {
	for _, s := range []*sql.Stmt{st.caseStmt, st.searchStmt, st.deptStmt} {
		if s != nil {
			s.Close()
		}
	}
	for _, s := range st.events {
		s.Close()
	}
}

// timeArg is a nullable time column.
func timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// eventData is the data JSON of a step: its result or rating, the lead department of a
// dispatch, and the stage clock it ended with that clock's deadline (as stampEnded writes them).
// Built by hand: json.Marshal of a map is most of the cost of a step at millions of cases.
func (st *genStmts) eventData(s Step) string {
	b := append(st.buf[:0], '{')
	field := func(k, v string) {
		if v == "" {
			return
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(append(strconv.AppendQuote(b, k), ':'), v)
	}
	field("result", s.Result)
	field("rating", s.Rating)
	field("department_code", s.Department)
	field("stage", s.Stage)
	if s.Stage != "" && s.Due != nil {
		field("due", s.Due.UTC().Format(time.RFC3339Nano))
	}
	b = append(b, '}')
	st.buf = b
	return string(b)
}

// write writes one synthetic case, numbered on its report day.
func (st *genStmts) write(ctx context.Context, c Case, counters map[string]int, touched map[string]bool) error {
	day := c.ReportedAt.In(shanghai).Format("20060102")
	counters[day]++
	touched[day] = true
	number := fmt.Sprintf("%s-%04d", day, counters[day])
	id := db.NewID()
	g := c.Grid
	due := cases.NoClockDue()
	if c.StageDue != nil {
		due = c.StageDue.UTC()
	}
	res, err := st.caseStmt.ExecContext(ctx, id, number, c.Status, c.Channel, c.Category.Class, c.Category.Code, c.Urgency,
		c.Lat, c.Lng, c.Description, g.Code, g.Community, g.Subdistrict, g.Zone, g.Path, "-"+id, c.LeadDepartment,
		c.Reworks, c.Rating, c.Rating != "", c.Stage, c.StageStartedAt.UTC(), due, timeArg(c.HandleDue), c.ReportedAt.UTC(),
		timeArg(c.RegisteredAt), timeArg(c.DispatchedAt), timeArg(c.ClosedAt), c.UpdatedAt.UTC(), c.OverdueStage)
	if err != nil {
		return err
	}
	events, err := st.eventsStmt(len(c.Steps))
	if err != nil {
		return err
	}
	args := st.args[:0]
	for i, s := range c.Steps {
		args = append(args, db.NewID(), id, i+1, s.Action, s.Status, s.Actor.ID, s.Actor.Name,
			s.Actor.Role, s.Actor.OrgCode, s.At.UTC(), st.eventData(s))
	}
	st.args = args
	if _, err := events.ExecContext(ctx, args...); err != nil {
		return err
	}
	if c.LeadDepartment != "" {
		if _, err := st.deptStmt.ExecContext(ctx, id, c.LeadDepartment, timeArg(c.DispatchedAt)); err != nil {
			return err
		}
	}
	doc := textsearch.Document(c.Description + " " + c.Category.Name)
	if st.engine == db.SQLite {
		rowid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = st.searchStmt.ExecContext(ctx, cases.SearchKey(c.ReportedAt, rowid), id, doc)
		return err
	}
	_, err = st.searchStmt.ExecContext(ctx, id, doc, c.ReportedAt)
	return err
}
