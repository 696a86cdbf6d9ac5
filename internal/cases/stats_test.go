package cases_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

type statGroup struct {
	Key, Name, NameEn   string
	GridCode            string `json:"grid_code"`
	Count, Open, Closed int
	Lat, Lng            float64
}

type overdueCase struct {
	Number      string
	Status      string
	Stage       string
	Category    string
	GridCode    string `json:"grid_code"`
	Due         time.Time
	LateMinutes int64 `json:"late_minutes"`
}

// handGrid is a grid the hand-made cases are placed in.
type handGrid struct {
	code, community, subdistrict, zone, path, name string
	lat, lng                                       float64 // the middle of the 50 m cell at the grid's centre
}

func handGrids(t *testing.T, d *db.DB, subdistrict string, n int) []handGrid {
	t.Helper()
	rows, err := d.Read.Query(`SELECT g.code, g.community_code, n.parent_code, COALESCE(g.zone_code, ''), g.path, g.name,
		(g.min_lat + g.max_lat) / 2, (g.min_lng + g.max_lng) / 2
		FROM grids g JOIN org_nodes n ON n.code = g.community_code WHERE n.parent_code = $1 ORDER BY g.code LIMIT $2`, subdistrict, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []handGrid
	for rows.Next() {
		var g handGrid
		if err := rows.Scan(&g.code, &g.community, &g.subdistrict, &g.zone, &g.path, &g.name, &g.lat, &g.lng); err != nil {
			t.Fatal(err)
		}
		g.lat, g.lng = (math.Floor(g.lat*2000)+0.5)/2000, (math.Floor(g.lng*2000)+0.5)/2000
		out = append(out, g)
	}
	if len(out) < n {
		t.Fatalf("%d grids in %s, want %d", len(out), subdistrict, n)
	}
	return out
}

// handCase is a case written straight into the table, with the time, status and place a test
// needs.
type handCase struct {
	number, status, category, address string
	grid                              handGrid
	reported                          time.Time
	dLat                              float64 // offset from the grid's cell middle
	due                               time.Time
}

func insertCases(t *testing.T, d *db.DB, list []handCase) {
	t.Helper()
	for _, c := range list {
		stage, due := "handle", c.due
		if due.IsZero() {
			stage, due = "", farFuture
		}
		var closed any
		if c.status == "closed" {
			closed = c.reported.Add(time.Hour).UTC()
		}
		dbtest.MustExec(t, d, `INSERT INTO cases (id, number, status, channel, kind, category_class, category_code, urgency,
			lat, lng, address, description, grid_code, community_code, subdistrict_code, zone_code, path, follow_token_hash,
			lead_department, stage, stage_started_at, stage_due, reported_at, closed_at, updated_at)
			VALUES ($1,$2,$3,'patrol','report','event',$4,'normal',$5,$6,$7,'手工案件',$8,$9,$10,$11,$12,$13,'350503D01',$14,$15,$16,$15,$17,$15)`,
			db.NewID(), c.number, c.status, c.category, c.grid.lat+c.dLat, c.grid.lng, c.address, c.grid.code, c.grid.community,
			c.grid.subdistrict, c.grid.zone, c.grid.path, "-"+c.number, stage, c.reported.UTC(), due.UTC(), closed)
	}
}

// TestCaseStats counts hand-made cases by category and by place on both engines, with known
// answers: the period's ends (district days, both included), open and closed, the most frequent
// address (blacked out), a unit asked for, and scope — another subdistrict's cases never count
// for 东海's shift lead, and count for the district's leader.
func TestCaseStats(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			d := srv.App.DB
			dongs := handGrids(t, d, "350503001", 2)
			a, b := dongs[0], dongs[1]
			c := handGrids(t, d, "350503002", 1)[0]
			cst := time.FixedZone("CST", 8*3600)
			day := func(dd, h, m, s int) time.Time { return time.Date(2026, 3, dd, h, m, s, 0, cst) }
			const flat = "东海花园3幢502室"
			insertCases(t, d, []handCase{
				{number: "H-A1", status: "closed", category: "06010", grid: a, reported: day(10, 0, 0, 0), address: flat},
				{number: "H-A2", status: "handling", category: "06010", grid: a, reported: day(11, 9, 0, 0), address: flat, dLat: 0.0001},
				{number: "H-A3", status: "reported", category: "06012", grid: a, reported: day(12, 23, 59, 59), address: "东海花园北门", dLat: -0.0001},
				{number: "H-A4", status: "closed", category: "06010", grid: a, reported: day(9, 23, 59, 59)}, // the day before
				{number: "H-A5", status: "reported", category: "06010", grid: a, reported: day(13, 0, 0, 0)}, // the day after
				{number: "H-A6", status: "voided", category: "06012", grid: a, reported: day(11, 10, 0, 0), dLat: 0.001},
				{number: "H-A7", status: "closed", category: "06013", grid: a, reported: day(11, 11, 0, 0), dLat: 0.001},
				{number: "H-B1", status: "closed", category: "06010", grid: b, reported: day(11, 12, 0, 0)},
				{number: "H-C1", status: "handling", category: "06013", grid: c, reported: day(11, 8, 0, 0)},
				{number: "H-C2", status: "handling", category: "06013", grid: c, reported: day(11, 8, 0, 0)},
				{number: "H-C3", status: "registered", category: "06013", grid: c, reported: day(11, 8, 0, 0)},
			})
			lead, leader := srv.Login(t, "donghai.shift_lead"), srv.Login(t, "district.leader")
			stats := func(client *apptest.Client, q string) []statGroup {
				t.Helper()
				var out struct{ Groups []statGroup }
				if st, raw := client.Raw("GET", "/api/v1/cases/stats?from=2026-03-10&to=2026-03-12&"+q, nil); st != 200 {
					t.Fatalf("%s: %d %s", q, st, raw)
				} else {
					jsonUnmarshal(raw, &out)
				}
				return out.Groups
			}
			tally := func(groups []statGroup) []string {
				var out []string
				for _, g := range groups {
					out = append(out, fmt.Sprintf("%s %d/%d/%d", g.Key, g.Count, g.Open, g.Closed))
				}
				return out
			}
			for _, tc := range []struct {
				name   string
				client *apptest.Client
				q      string
				want   []string
			}{
				{"东海 by category", lead, "group=category", []string{"06010 3/1/2", "06012 2/1/0", "06013 1/0/1"}},
				{"district by category", leader, "group=category", []string{"06013 4/3/1", "06010 3/1/2", "06012 2/1/0"}},
				{"top one", leader, "group=category&limit=1", []string{"06013 4/3/1"}},
				{"one grid", leader, "group=category&level=grid&code=" + b.code, []string{"06010 1/0/1"}},
				{"another subdistrict, from 东海", lead, "group=category&level=subdistrict&code=350503002", nil},
				{"another subdistrict, from the district", leader, "group=category&level=subdistrict&code=350503002", []string{"06013 3/3/0"}},
				{"a department", leader, "group=category&level=department&code=350503D01&limit=2", []string{"06013 4/3/1", "06010 3/1/2"}},
			} {
				if got := tally(stats(tc.client, tc.q)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
				}
			}
			byCategory := stats(lead, "group=category")
			if byCategory[0].Name == "" || byCategory[0].Name == byCategory[0].Key {
				t.Errorf("category without its name: %+v", byCategory[0])
			}

			places := stats(lead, "group=place")
			cell := func(g handGrid, dLat float64) string {
				return fmt.Sprintf("%s:%d:%d", g.code, int64(math.Floor((g.lat+dLat)*2000)), int64(math.Floor(g.lng*2000)))
			}
			want := []string{cell(a, 0) + " 3/2/1", cell(a, 0.001) + " 2/0/1", cell(b, 0) + " 1/0/1"}
			if got := tally(places); !slices.Equal(got, want) {
				t.Fatalf("places: %q, want %q", got, want)
			}
			if p := places[0]; p.Name != redact.Public(flat) || p.Name == flat || p.GridCode != a.code ||
				math.Abs(p.Lat-a.lat) > 1e-6 || math.Abs(p.Lng-a.lng) > 1e-6 {
				t.Errorf("the top place: %+v, want %q at %v,%v", p, redact.Public(flat), a.lat, a.lng)
			}
			if places[1].Name != a.name {
				t.Errorf("a place without addresses is named %q, want its grid's name %q", places[1].Name, a.name)
			}
			// For the district another subdistrict's place ties with the top one: equals go by key.
			if got, want := tally(stats(leader, "group=place&limit=2")), []string{cell(a, 0) + " 3/2/1", cell(c, 0) + " 3/3/0"}; !slices.Equal(got, want) {
				t.Errorf("the district's top places: %q, want %q", got, want)
			}
		})
	}
}

// TestCaseStatsRefusals: bad parameters are 400s in the caller's language.
func TestCaseStatsRefusals(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	lead := srv.Login(t, "donghai.shift_lead")
	for _, q := range []string{
		"stats?from=2026-03-10&to=2026-03-12&group=street",
		"stats?from=2026-03-10&to=2026-03-12",
		"stats?from=2026-3-10&to=2026-03-12&group=category",
		"stats?from=2026-03-12&to=2026-03-10&group=category",
		"stats?from=2000-01-01&to=2026-03-10&group=category",
		"stats?from=2026-03-10&to=2026-03-12&group=category&level=planet&code=x",
		"stats?from=2026-03-10&to=2026-03-12&group=category&level=grid",
		"stats?from=2026-03-10&to=2026-03-12&group=category&limit=51",
		"stats?from=2026-03-10&to=2026-03-12&group=category&limit=ten",
		"overdue?limit=0",
		"overdue?limit=201",
		"overdue?level=planet&code=x",
	} {
		var e struct{ Key, Message string }
		if st := lead.Do("GET", "/api/v1/cases/"+q, nil, &e); st != 400 || e.Message == "" || e.Message == e.Key {
			t.Errorf("%s: %d %+v", q, st, e)
		}
	}
	for _, path := range []string{"stats?from=2026-03-10&to=2026-03-12&group=category", "overdue"} {
		if st, _ := srv.Anonymous(t).Raw("GET", "/api/v1/cases/"+path, nil); st != 401 {
			t.Errorf("anonymous %s: %d", path, st)
		}
	}
}

// TestOverdueCases lists the open cases past their running stage's due, most late first, in
// scope, on both engines: closed and voided cases and cases not yet due never appear.
func TestOverdueCases(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			d := srv.App.DB
			dongs := handGrids(t, d, "350503001", 2)
			a, b := dongs[0], dongs[1]
			c := handGrids(t, d, "350503002", 1)[0]
			now := time.Now().UTC().Truncate(time.Second)
			reported := now.Add(-48 * time.Hour)
			insertCases(t, d, []handCase{
				{number: "H-O1", status: "handling", category: "06010", grid: a, reported: reported, due: now.Add(-3 * time.Hour), address: "东海花园3幢502室"},
				{number: "H-O2", status: "reported", category: "06012", grid: b, reported: reported, due: now.Add(-time.Hour)},
				{number: "H-O3", status: "handling", category: "06013", grid: c, reported: reported, due: now.Add(-5 * time.Hour)},
				{number: "H-O4", status: "closed", category: "06010", grid: a, reported: reported, due: now.Add(-10 * time.Hour)},
				{number: "H-O5", status: "voided", category: "06010", grid: a, reported: reported, due: now.Add(-10 * time.Hour)},
				{number: "H-O6", status: "handling", category: "06010", grid: a, reported: reported, due: now.Add(time.Hour)},
			})
			overdue := func(client *apptest.Client, q string) []overdueCase {
				t.Helper()
				var out struct{ Cases []overdueCase }
				if st, raw := client.Raw("GET", "/api/v1/cases/overdue?"+q, nil); st != 200 {
					t.Fatalf("%s: %d %s", q, st, raw)
				} else {
					jsonUnmarshal(raw, &out)
				}
				return out.Cases
			}
			numbersOf := func(list []overdueCase) []string {
				var out []string
				for _, o := range list {
					if o.Number[:2] == "H-" { // the demo's own cases may be overdue too
						out = append(out, o.Number)
					}
				}
				return out
			}
			lead, leader := srv.Login(t, "donghai.shift_lead"), srv.Login(t, "district.leader")
			for _, tc := range []struct {
				name   string
				client *apptest.Client
				q      string
				want   []string
			}{
				{"东海", lead, "", []string{"H-O1", "H-O2"}},
				{"district", leader, "", []string{"H-O3", "H-O1", "H-O2"}},
				{"one grid", leader, "level=grid&code=" + b.code, []string{"H-O2"}},
				{"another subdistrict, from 东海", lead, "level=subdistrict&code=350503002", nil},
			} {
				if got := numbersOf(overdue(tc.client, tc.q)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
				}
			}
			list := overdue(lead, "")
			i := slices.IndexFunc(list, func(o overdueCase) bool { return o.Number == "H-O1" })
			o := list[i]
			if o.LateMinutes < 180 || o.LateMinutes > 185 || !o.Due.Equal(now.Add(-3*time.Hour)) || o.Stage != "handle" ||
				o.GridCode != a.code || o.Category == "" || o.Category == "06010" {
				t.Errorf("H-O1 listed as %+v", o)
			}
			// Most late first across the whole list, the demo's cases included.
			for j := 1; j < len(list); j++ {
				if list[j].Due.Before(list[j-1].Due) {
					t.Fatalf("%s (due %s) after %s (due %s)", list[j].Number, list[j].Due, list[j-1].Number, list[j-1].Due)
				}
			}
		})
	}
}
