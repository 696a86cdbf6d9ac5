package address_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/address"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/coord"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/demo"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/org"
)

const (
	districtPath    = "/350503/"
	subdistrictPath = "/350503/350503001/"
	// A point of 东梅社区第1网格 (350503001001001) and one far outside the district.
	insideLat, insideLng = 24.925, 118.574
	firstGrid            = "350503001001001"
)

func system() context.Context {
	return access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
}

func as(role access.Role, path string) context.Context {
	code := path[strings.LastIndex(path[:len(path)-1], "/")+1 : len(path)-1]
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: "u-" + string(role), Username: string(role),
		Grants: []access.Grant{{Role: role, OrgCode: code, OrgPath: path}}})
}

// clock is a settable clock (the tests run one goroutine at a time on it).
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type env struct {
	d         *db.DB
	clock     *clock
	grids     *grid.Service
	addresses *address.Service
}

// setup loads the demo district's org tree and grids.
func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	e := &env{d: d, clock: &clock{now: time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC)}}
	o := &org.Service{DB: d}
	f, err := org.ParseFile(bytes.NewReader(demo.DistrictJSON()))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Import(system(), f, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.grids = &grid.Service{DB: d, Org: o, Now: e.clock.Now}
	if _, err := e.grids.Import(system(), bytes.NewReader(demo.GridsGeoJSON()), nil); err != nil {
		t.Fatal(err)
	}
	e.addresses = &address.Service{DB: d, Grids: e.grids, Now: e.clock.Now}
	return e
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func admin() context.Context { return as(access.SysAdmin, districtPath) }

// problems returns the problem keys of an import refusal as "line:key".
func problems(t *testing.T, err error) []string {
	t.Helper()
	var pe *address.ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("want a refusal with problems, got %v", err)
	}
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("refusal code %v, want invalid (400)", apperr.CodeOf(err))
	}
	var out []string
	for _, p := range pe.Problems {
		out = append(out, fmt.Sprintf("%d:%s", p.Line, p.Key))
	}
	return out
}

func TestImport(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin()
		file := "\ufeffaddress,name,lat,lng\n" +
			fmt.Sprintf("丰海路28号,,%v,%v\n", insideLat, insideLng) +
			fmt.Sprintf("丰海路30号,东梅小学,%v,%v\n", insideLat+0.001, insideLng) + "\n" // a blank line is skipped
		rep, err := e.addresses.Import(ctx, []byte(file), address.ImportOptions{})
		if err != nil || rep.Created != 2 || rep.Updated != 0 || rep.Rows != 2 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		if n := count(t, d, `SELECT count(*) FROM addresses WHERE grid_code = $1 AND community_code = $2`, firstGrid, "350503001001"); n != 2 {
			t.Errorf("%d addresses placed in %s, want 2 (grid derived from the point)", n, firstGrid)
		}
		if n := count(t, d, `SELECT count(*) FROM addresses WHERE kind = 'poi' AND name = '东梅小学'`); n != 1 {
			t.Errorf("a named row is a poi: %d", n)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'address.import'`); n != 1 {
			t.Errorf("%d audit entries, want 1", n)
		}
		// The same address again updates it (moved a little, now named) instead of duplicating.
		again := fmt.Sprintf("address,name,lat,lng,kind\n丰海路28号,海景花园,%v,%v,poi\n", insideLat+0.0005, insideLng)
		rep, err = e.addresses.Import(ctx, []byte(again), address.ImportOptions{})
		if err != nil || rep.Created != 0 || rep.Updated != 1 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		if n := count(t, d, `SELECT count(*) FROM addresses`); n != 2 {
			t.Errorf("%d addresses after re-import, want 2", n)
		}
		res, err := e.addresses.Search(as(access.IntakeOperator, subdistrictPath), "丰海路28", "", 0)
		if err != nil || len(res) != 1 || res[0].Name != "海景花园" || res[0].Lat != insideLat+0.0005 {
			t.Errorf("search after the update (this node's index rebuilt): %+v %v", res, err)
		}
	})
}

func TestImportRefusals(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin()
		bad := "address,name,lat,lng,kind,coord\n" +
			fmt.Sprintf("丰海路2号,,%v,%v,,\n", insideLat, insideLng) + // good
			"丰海路4号,,24.9x,118.574,,\n" + // bad number
			",,24.925,118.574,,\n" + // no address
			"丰海路6号,,39.9,116.4,,\n" + // outside every grid
			fmt.Sprintf("丰海路2号,,%v,%v,,\n", insideLat, insideLng) + // repeats line 2
			fmt.Sprintf("丰海路8号,,%v,%v,house,\n", insideLat, insideLng) + // bad kind
			fmt.Sprintf("丰海路10号,,%v,%v,,bd09\n", insideLat, insideLng) + // bad coordinate system
			fmt.Sprintf("丰海路\x0112号,,%v,%v,,\n", insideLat, insideLng) // control character
		before := count(t, d, `SELECT count(*) FROM audit_log`)
		_, err := e.addresses.Import(ctx, []byte(bad), address.ImportOptions{})
		got := strings.Join(problems(t, err), " ")
		if want := "3:bad_number 4:missing 5:outside 6:duplicate 7:bad_kind 8:bad_coord 9:bad_text"; got != want {
			t.Errorf("problems %q, want %q", got, want)
		}
		if n := count(t, d, `SELECT count(*) FROM addresses`); n != 0 {
			t.Errorf("all or nothing: %d addresses written", n)
		}
		// A dry run lists the same problems and writes nothing, nor audits.
		rep, err := e.addresses.Import(ctx, []byte(bad), address.ImportOptions{DryRun: true})
		if err != nil || !rep.DryRun || len(rep.Problems) != 7 || rep.Created != 0 {
			t.Errorf("dry run: %+v %v", rep, err)
		}
		good := fmt.Sprintf("address,lat,lng\n丰海路2号,%v,%v\n", insideLat, insideLng)
		rep, err = e.addresses.Import(ctx, []byte(good), address.ImportOptions{DryRun: true})
		if err != nil || rep.Created != 1 || len(rep.Problems) != 0 {
			t.Errorf("dry run of a good file: %+v %v", rep, err)
		}
		if n := count(t, d, `SELECT count(*) FROM addresses`); n != 0 {
			t.Errorf("dry run wrote %d addresses", n)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log`); n != before {
			t.Errorf("refused imports and dry runs audited: %d entries, was %d", n, before)
		}
		for _, tc := range []struct{ name, file, want string }{
			{"empty", "", "0:empty_file"},
			{"header only", "address,lat,lng\n", "0:empty_file"},
			{"missing column", "address,lat\n丰海路2号,24.9\n", "1:missing_column"},
			{"unknown column", "address,lat,lng,colour\n", "1:unknown_column"},
			{"not UTF-8", "address,lat,lng\n\xb7\xe1,24.9,118.5\n", "0:not_utf8"},
			{"bad quotes", "address,lat,lng\n\"丰海路,24.9,118.5\n", "2:csv_syntax"},
			{"broken xlsx", "PK\x03\x04garbage", "0:bad_xlsx"},
		} {
			_, err := e.addresses.Import(ctx, []byte(tc.file), address.ImportOptions{})
			if got := strings.Join(problems(t, err), " "); got != tc.want {
				t.Errorf("%s: problems %q, want %q", tc.name, got, tc.want)
			}
		}
	})
}

func TestImportPermissions(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		file := []byte(fmt.Sprintf("address,lat,lng\n丰海路2号,%v,%v\n", insideLat, insideLng))
		for _, ctx := range []context.Context{as(access.SysAdmin, subdistrictPath), as(access.IntakeOperator, districtPath),
			as(access.Leader, districtPath), context.Background()} {
			if _, err := e.addresses.Import(ctx, file, address.ImportOptions{}); apperr.CodeOf(err) != apperr.Forbidden &&
				apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Errorf("import refused? %v", err)
			}
		}
		if _, err := e.addresses.Search(as(access.Resident, districtPath), "丰海路", "", 0); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a resident searched the gazetteer: %v", err)
		}
		if n := count(t, d, `SELECT count(*) FROM addresses`); n != 0 {
			t.Errorf("%d written", n)
		}
	})
}

// TestImportXLSXAndGCJ02: an Excel file of GCJ-02 points (as an AMap picker gives them) is stored
// in WGS-84.
func TestImportXLSXAndGCJ02(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		gLat, gLng := coord.WGS84ToGCJ02(insideLat, insideLng)
		f := excelize.NewFile()
		for i, row := range [][]any{{"address", "name", "lat", "lng"}, {"刺桐路8号", "刺桐菜市场", gLat, gLng}} {
			if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		rep, err := e.addresses.Import(admin(), buf.Bytes(), address.ImportOptions{GCJ02: true})
		if err != nil || rep.Created != 1 {
			t.Fatalf("xlsx import: %+v %v", rep, err)
		}
		var lat, lng float64
		if err := d.Read.QueryRow(`SELECT lat, lng FROM addresses WHERE address = '刺桐路8号'`).Scan(&lat, &lng); err != nil {
			t.Fatal(err)
		}
		if dist := coord.DistanceM(lat, lng, insideLat, insideLng); dist > 0.05 {
			t.Errorf("stored %v, %v: %.3f m from the WGS-84 point", lat, lng, dist)
		}
	})
}

// TestOtherNodeFollows: an import on one node reaches another node's index at its next check.
func TestOtherNodeFollows(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		other := &address.Service{DB: d, Grids: e.grids, Now: e.clock.Now, RecheckEvery: time.Second}
		if d.Engine == db.Postgres {
			other.DB = dbtest.OpenAgain(t, d)
		}
		op := as(access.IntakeOperator, districtPath)
		if res, err := other.Search(op, "丰海路", "", 0); err != nil || len(res) != 0 {
			t.Fatalf("before: %v %v", res, err)
		}
		file := []byte(fmt.Sprintf("address,lat,lng\n丰海路2号,%v,%v\n", insideLat, insideLng))
		if _, err := e.addresses.Import(admin(), file, address.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if res, _ := other.Search(op, "丰海路", "", 0); len(res) != 0 {
			t.Fatalf("the other node rebuilt before its check was due: %v", res)
		}
		e.clock.Advance(2 * time.Second)
		if res, err := other.Search(op, "丰海路", "", 0); err != nil || len(res) != 1 || res[0].GridCode != firstGrid {
			t.Errorf("after the check: %+v %v", res, err)
		}
	})
}

func TestDemoGazetteer(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		n, err := e.addresses.LoadDemo(system())
		if err != nil || n < 2000 || n > 10000 {
			t.Fatalf("demo: %d %v", n, err)
		}
		if got := count(t, d, `SELECT count(*) FROM addresses`); got != n {
			t.Errorf("%d rows, reported %d", got, n)
		}
		// Every grid has addresses, and every address lies in its grid.
		if g := count(t, d, `SELECT count(DISTINCT grid_code) FROM addresses`); g != 180 {
			t.Errorf("addresses in %d grids, want all 180", g)
		}
		rows, err := d.Read.Query(`SELECT address, lat, lng, grid_code FROM addresses`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, code string
			var lat, lng float64
			if err := rows.Scan(&a, &lat, &lng, &code); err != nil {
				t.Fatal(err)
			}
			loc, err := e.grids.Locate(system(), lat, lng)
			if err != nil || !loc.Inside || loc.Grid.Code != code {
				t.Fatalf("%s at %v, %v: stored in %s, located %+v %v", a, lat, lng, code, loc, err)
			}
		}
		op := as(access.IntakeOperator, subdistrictPath)
		res, err := e.addresses.Search(op, "fhl28", "", 0)
		if err != nil || len(res) == 0 || res[0].Address != "丰海路28号" {
			t.Errorf("fhl28: %+v %v", res, err)
		}
		// Loaded again (a second demo load of the same database) it only updates.
		if _, err := e.addresses.LoadDemo(system()); err != nil || count(t, d, `SELECT count(*) FROM addresses`) != n {
			t.Errorf("second load: %v", err)
		}
	})
}
