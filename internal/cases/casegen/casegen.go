// Package casegen writes synthetic case histories straight into the database, for benchmarks and
// demos of a district with years of data (yiwang gen cases). It bypasses the intake pipeline on
// purpose: millions of historic cases are written in large transactions through prepared
// statements, in the same rows the case desk writes.
package casegen

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
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
}

type genGrid struct {
	code, community, subdistrict, zone, path, communityName string
	lat, lng, dLat, dLng                                    float64
}

type genCategory struct{ class, code, name string }

// shanghai is the time zone of case numbers (YYYYMMDD-NNNN by the Beijing day).
var shanghai = time.FixedZone("CST", 8*3600)

var places = []string{"小区门口", "菜市场旁", "学校附近", "公交站台", "背街小巷", "商业街", "公园入口", "河道边", "十字路口", "社区广场"}
var details = []string{"影响居民出行", "已持续多日", "夜间尤为严重", "多次反映未解决", "存在安全隐患", "气味难闻", "影响市容", "请尽快处理"}

// Generate writes a realistic synthetic case history straight into the database (for
// benchmarks and demos of a district with years of data): cases spread over the district's grids
// and categories, most of the older ones closed, with their events and search tokens.
func Generate(ctx context.Context, d *db.DB, opts Options, progress func(done, total int)) error {
	if opts.Days <= 0 {
		opts.Days = 365
	}
	if opts.Batch <= 0 {
		opts.Batch = 5000
	}
	grids, err := genGrids(ctx, d)
	if err != nil {
		return err
	}
	cats, depts, err := genCatalogue(ctx, d)
	if err != nil {
		return err
	}
	if len(grids) == 0 || len(cats) == 0 || len(depts) == 0 {
		return fmt.Errorf("generate: the database needs grids, categories and departments (load the demo first)")
	}
	var district string
	if err := d.Read.QueryRowContext(ctx, `SELECT code FROM org_nodes WHERE kind = 'district' LIMIT 1`).Scan(&district); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(opts.Seed))
	now := time.Now().UTC()
	counters := map[string]int{}
	if err := loadCounters(ctx, d, district, counters); err != nil {
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
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			st, err := genStatements(ctx, tx, d.Engine)
			if err != nil {
				return err
			}
			defer st.close()
			for i := 0; i < n; i++ {
				// Cases come in report-time order, as a district's history does: every index that
				// grows with time is appended to, not written all over.
				age := span - time.Duration((float64(first+i)+rng.Float64())/float64(opts.Count)*float64(span))
				if err := st.one(ctx, rng, now, age, grids, cats, depts, counters); err != nil {
					return err
				}
			}
			for day, n := range counters {
				if _, err := tx.ExecContext(ctx, `INSERT INTO case_counters (district_code, day, n) VALUES ($1,$2,$3)
					ON CONFLICT (district_code, day) DO UPDATE SET n = excluded.n`, district, day, n); err != nil {
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

func genGrids(ctx context.Context, d *db.DB) ([]genGrid, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT g.code, g.community_code, c.parent_code, COALESCE(g.zone_code, ''), g.path, c.name,
		g.min_lat, g.min_lng, g.max_lat, g.max_lng FROM grids g JOIN org_nodes c ON c.code = g.community_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []genGrid
	for rows.Next() {
		var g genGrid
		var minLat, minLng, maxLat, maxLng float64
		if err := rows.Scan(&g.code, &g.community, &g.subdistrict, &g.zone, &g.path, &g.communityName, &minLat, &minLng, &maxLat, &maxLng); err != nil {
			return nil, err
		}
		// Points in the middle half of the bounding box fall inside these convex cells.
		g.lat, g.lng = (minLat+maxLat)/2, (minLng+maxLng)/2
		g.dLat, g.dLng = (maxLat-minLat)/4, (maxLng-minLng)/4
		out = append(out, g)
	}
	return out, rows.Err()
}

func genCatalogue(ctx context.Context, d *db.DB) ([]genCategory, []string, error) {
	var cats []genCategory
	rows, err := d.Read.QueryContext(ctx, `SELECT class, code, name FROM categories WHERE class = 'event' AND active`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var c genCategory
		if err := rows.Scan(&c.class, &c.code, &c.name); err != nil {
			rows.Close()
			return nil, nil, err
		}
		cats = append(cats, c)
	}
	rows.Close()
	var depts []string
	rows, err = d.Read.QueryContext(ctx, `SELECT code FROM org_nodes WHERE kind = 'department'`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, nil, err
		}
		depts = append(depts, code)
	}
	return cats, depts, rows.Err()
}

type genStmts struct {
	engine                                    db.Engine
	caseStmt, eventStmt, searchStmt, deptStmt *sql.Stmt
}

func genStatements(ctx context.Context, tx *sql.Tx, engine db.Engine) (*genStmts, error) {
	st := genStmts{engine: engine}
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
		dispatched_at, closed_at, updated_at)
		VALUES ($1,$2,$3,$4,'report',$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29)`)
	st.eventStmt = prep(`INSERT INTO case_events (id, case_id, seq, action, status, actor_name, role, at, data, public)
		VALUES ($1,$2,$3,$4,$5,'synthetic',$6,$7,$8,true)`)
	search := `INSERT INTO case_search (rowid, case_id, tokens) VALUES ($1, $2, $3)`
	if engine == db.Postgres {
		search = `INSERT INTO case_search (case_id, tokens, reported_at) VALUES ($1, to_tsvector('simple', $2), $3)`
	}
	st.searchStmt = prep(search)
	st.deptStmt = prep(`INSERT INTO case_departments (case_id, department_code, role, since) VALUES ($1,$2,'lead',$3)`)
	return &st, err
}

func (st *genStmts) close() {
	for _, s := range []*sql.Stmt{st.caseStmt, st.eventStmt, st.searchStmt, st.deptStmt} {
		if s != nil {
			s.Close()
		}
	}
}

// one writes one synthetic case.
func (st *genStmts) one(ctx context.Context, rng *rand.Rand, now time.Time, age time.Duration, grids []genGrid,
	cats []genCategory, depts []string, counters map[string]int) error {
	g := grids[rng.Intn(len(grids))]
	cat := cats[rng.Intn(len(cats))]
	reported := now.Add(-age).Truncate(time.Second)
	day := reported.In(shanghai).Format("20060102")
	counters[day]++
	number := fmt.Sprintf("%s-%04d", day, counters[day])
	id := db.NewID()
	channels := []cases.Channel{cases.ResidentApp, cases.ResidentApp, cases.Hotline, cases.Hotline, cases.Patrol, cases.Patrol, cases.Patrol, cases.Open311}
	urgencies := []cases.Urgency{"normal", "normal", "normal", "normal", "urgent", "emergency"}
	desc := fmt.Sprintf("%s%s%s，%s", g.communityName, places[rng.Intn(len(places))], cat.name, details[rng.Intn(len(details))])
	// Nearly every case older than a month is finished (a few voided, a handful still open);
	// recent ones are spread over the workflow.
	var path []cases.Action
	r := rng.Float64()
	if age > 30*24*time.Hour {
		switch {
		case r < 0.97:
			r = -1 // finished
		case r < 0.995:
			r = 0 // voided
		default:
			r = 0.25 + rng.Float64()*0.75 // still open somewhere
		}
	}
	switch {
	case r < 0:
		path = []cases.Action{cases.Register, cases.Dispatch, cases.Sign, cases.ReportBack, cases.Verify, cases.Close, cases.Rate}
	case r < 0.05:
		path = []cases.Action{cases.Void}
	case r < 0.25:
		path = []cases.Action{}
	case r < 0.40:
		path = []cases.Action{cases.Register}
	case r < 0.55:
		path = []cases.Action{cases.Register, cases.Dispatch}
	case r < 0.85:
		path = []cases.Action{cases.Register, cases.Dispatch, cases.Sign}
	case r < 0.93:
		path = []cases.Action{cases.Register, cases.Dispatch, cases.Sign, cases.ReportBack}
	default:
		path = []cases.Action{cases.Register, cases.Dispatch, cases.Sign, cases.ReportBack, cases.Verify, cases.Close}
	}
	status := cases.Reported
	at := reported
	dept := depts[rng.Intn(len(depts))]
	var registered, dispatched, closed, handleDue any
	var rating string
	events := []struct {
		a  cases.Action
		s  cases.Status
		at time.Time
	}{{cases.Report, cases.Reported, reported}}
	for _, a := range path {
		at = at.Add(time.Duration(10+rng.Intn(600)) * time.Minute)
		if at.After(now) {
			at = now
		}
		switch a {
		case cases.Register:
			status, registered = cases.Registered, at
		case cases.Void:
			status = cases.Voided
		case cases.Dispatch:
			status, dispatched = cases.Dispatched, at
		case cases.Sign:
			status, handleDue = cases.Handling, at.Add(time.Duration(4+rng.Intn(72))*time.Hour)
		case cases.ReportBack:
			status = cases.ReportedBack
		case cases.Verify:
			status = cases.Verified
		case cases.Close:
			status, closed = cases.Closed, at
		case cases.Rate:
			rating = []string{"satisfied", "satisfied", "satisfied", "mostly", "unsatisfied"}[rng.Intn(5)]
		}
		events = append(events, struct {
			a  cases.Action
			s  cases.Status
			at time.Time
		}{a, status, at})
	}
	stage := cases.StageOf(status)
	due := cases.NoClockDue()
	if stage != cases.StageNone {
		// Open stages run 1–72 working hours; some recent cases are already overdue.
		due = at.Add(time.Duration(1+rng.Intn(72)) * time.Hour)
	}
	leadDept := ""
	if dispatched != nil {
		leadDept = dept
	}
	lat := g.lat + (rng.Float64()*2-1)*g.dLat
	lng := g.lng + (rng.Float64()*2-1)*g.dLng
	res, err := st.caseStmt.ExecContext(ctx, id, number, string(status), string(channels[rng.Intn(len(channels))]),
		cat.class, cat.code, string(urgencies[rng.Intn(len(urgencies))]), lat, lng, desc, g.code, g.community, g.subdistrict,
		g.zone, g.path, "-"+id, leadDept, 0, rating, rating != "", string(stage), at, due, handleDue, reported,
		registered, dispatched, closed, at)
	if err != nil {
		return err
	}
	for i, e := range events {
		if _, err := st.eventStmt.ExecContext(ctx, db.NewID(), id, i+1, string(e.a), string(e.s), "synthetic", e.at, "{}"); err != nil {
			return err
		}
	}
	if leadDept != "" {
		if _, err := st.deptStmt.ExecContext(ctx, id, leadDept, dispatched); err != nil {
			return err
		}
	}
	doc := textsearch.Document(desc + " " + cat.name)
	if st.engine == db.SQLite {
		rowid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = st.searchStmt.ExecContext(ctx, cases.SearchKey(reported, rowid), id, doc)
		return err
	}
	_, err = st.searchStmt.ExecContext(ctx, id, doc, reported)
	return err
}
