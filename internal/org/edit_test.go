package org_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/demo"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// The demo district: 东梅社区 (350503001001) of 东海街道 (350503001) moves to 城东街道 (350503002).
const (
	donghai   = "350503001"
	chengdong = "350503002"
	dongmei   = "350503001001"
	grid1     = "350503001001001"
	grid2     = "350503001001002"
)

var now = time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)

func system() context.Context {
	return access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
}

// admin is a sys_admin held at code (path).
func admin(code, path string) context.Context {
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: "admin-" + code, Username: "admin." + code,
		Grants: []access.Grant{{Role: access.SysAdmin, OrgCode: code, OrgPath: path}}})
}

type env struct {
	d   *db.DB
	org *org.Service
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%.60s: %v", q, err)
	}
}

// setup loads the demo org file, two grids of 东梅 (one in 东海's zone), two grid workers (one
// held at 东梅, one at 东海), an open and a closed case in the first grid.
func setup(t *testing.T, engine db.Engine) *env {
	t.Helper()
	d := dbtest.Open(t, engine)
	e := &env{d: d, org: &org.Service{DB: d}}
	f, err := org.ParseFile(bytes.NewReader(demo.DistrictJSON()))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.org.Import(system(), f, now); err != nil {
		t.Fatal(err)
	}
	communityPath := "/350503/" + donghai + "/" + dongmei + "/"
	for i, code := range []string{grid1, grid2} {
		var zone any
		if i == 0 {
			zone = donghai + "Z01"
		}
		exec(t, d, `INSERT INTO grids (code, name, kind, community_code, zone_code, path, geometry, min_lng, min_lat, max_lng, max_lat, created_at, updated_at)
			VALUES ($1,$2,'basic',$3,$4,$5,'{}',0,0,0,0,$6,$6)`, code, "网格"+code[12:], dongmei, zone, communityPath+code+"/", now)
	}
	for _, u := range []struct{ id, org, path string }{{"w-community", dongmei, communityPath}, {"w-subdistrict", donghai, "/350503/" + donghai + "/"}} {
		exec(t, d, `INSERT INTO users (id, username, display_name, password_hash, password_changed_at, created_at, updated_at)
			VALUES ($1,$1,$1,'x',$2,$2,$2)`, u.id, now)
		exec(t, d, `INSERT INTO role_grants (id, user_id, role, org_code, org_path, created_at) VALUES ($1,$2,'grid_worker',$3,$4,$5)`,
			"g-"+u.id, u.id, u.org, u.path, now)
	}
	for i, status := range []string{"dispatched", "closed"} {
		id := []string{"case-open", "case-closed"}[i]
		exec(t, d, `INSERT INTO cases (id, number, status, channel, kind, urgency, lat, lng, description, grid_code, community_code,
			subdistrict_code, zone_code, path, follow_token_hash, stage, stage_started_at, reported_at, updated_at)
			VALUES ($1,$1,$2,'patrol','report','normal',24.9,118.6,'井盖缺失',$3,$4,$5,$6,$7,$1,'handle',$8,$8,$8)`,
			id, status, grid1, dongmei, donghai, donghai+"Z01", communityPath+grid1+"/", now)
	}
	return e
}

func wantCode(t *testing.T, err error, code apperr.Code, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || (key != "" && e.Key != key) {
		t.Fatalf("want %s %s, got %v", code, key, err)
	}
}

func one(t *testing.T, d *db.DB, q string, args ...any) string {
	t.Helper()
	var s string
	if err := d.QueryRow(context.Background(), q, args...).Scan(&s); err != nil {
		t.Fatalf("%.60s: %v", q, err)
	}
	return s
}

func TestMoveCommunityWithHistory(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := setup(t, engine)
			ctx := system()
			if _, err := e.org.ChangeGrid(ctx, grid1, org.GridChange{WorkerIDs: &[]string{"w-community", "w-subdistrict"}}, now); err != nil {
				t.Fatal(err)
			}
			// 东海's administrator does not reach 城东: the move is refused, nothing changes.
			_, err := e.org.Move(admin(donghai, "/350503/"+donghai+"/"), dongmei, chengdong, now)
			wantCode(t, err, apperr.NotFound, "org.node_not_found")
			if p := one(t, e.d, `SELECT parent_code FROM org_nodes WHERE code = $1`, dongmei); p != donghai {
				t.Fatalf("a refused move changed the parent: %s", p)
			}

			moved, err := e.org.Move(ctx, dongmei, chengdong, now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			want := org.Moved{Code: dongmei, FromParent: donghai, ToParent: chengdong, Grids: 2, Grants: 1, Cases: 2,
				ZonesCleared: 1, WorkersEnded: 1}
			if moved != want {
				t.Errorf("moved %+v, want %+v", moved, want)
			}
			newPath := "/350503/" + chengdong + "/" + dongmei + "/"
			for q, w := range map[string]string{
				`SELECT parent_code FROM org_nodes WHERE code = '` + dongmei + `'`:                                          chengdong,
				`SELECT path FROM org_nodes WHERE code = '` + dongmei + `'`:                                                 newPath,
				`SELECT path FROM grids WHERE code = '` + grid1 + `'`:                                                       newPath + grid1 + "/",
				`SELECT COALESCE(zone_code, '-') FROM grids WHERE code = '` + grid1 + `'`:                                   "-",
				`SELECT org_path FROM role_grants WHERE id = 'g-w-community'`:                                               newPath,
				`SELECT org_path FROM role_grants WHERE id = 'g-w-subdistrict'`:                                             "/350503/" + donghai + "/",
				`SELECT path FROM cases WHERE id = 'case-closed'`:                                                           newPath + grid1 + "/",
				`SELECT subdistrict_code FROM cases WHERE id = 'case-closed'`:                                               chengdong,
				`SELECT zone_code FROM cases WHERE id = 'case-open'`:                                                        donghai + "Z01",
				`SELECT min(user_id) FROM grid_workers`:                                                                     "w-community",
				`SELECT CAST(count(*) AS TEXT) FROM grid_workers`:                                                           "1",
				`SELECT action FROM audit_log WHERE object_id = '` + dongmei + `' ORDER BY seq DESC LIMIT 1`:                "org.move",
				`SELECT CAST(count(*) AS TEXT) FROM org_nodes WHERE kind = 'community' AND parent_code = '` + donghai + `'`: "4", // of 5
			} {
				if got := one(t, e.d, q); got != w {
					t.Errorf("%s: %q, want %q", q, got, w)
				}
			}
			// The move is in the community's history with the old and the new parent.
			h, err := e.org.History(ctx, dongmei)
			if err != nil || len(h) != 1 || h[0].Action != org.HistoryMove {
				t.Fatalf("history %+v %v", h, err)
			}
			var before, after map[string]any
			_ = json.Unmarshal(h[0].Before, &before)
			_ = json.Unmarshal(h[0].After, &after)
			if before["parent_code"] != donghai || after["parent_code"] != chengdong || after["cases"] != float64(2) {
				t.Errorf("history before %v after %v", before, after)
			}
			// 城东's administrator now reaches the community and its history; 东海's no longer does.
			if _, err := e.org.History(admin(chengdong, "/350503/"+chengdong+"/"), dongmei); err != nil {
				t.Errorf("城东's admin reading the moved community's history: %v", err)
			}
			_, err = e.org.History(admin(donghai, "/350503/"+donghai+"/"), dongmei)
			wantCode(t, err, apperr.NotFound, "org.node_not_found")
			// A grid of the moved community joins a zone of its new subdistrict, not of the old.
			_, err = e.org.ChangeGrid(ctx, grid1, org.GridChange{ZoneCode: ptr(donghai + "Z01")}, now)
			wantCode(t, err, apperr.Invalid, "orgedit.zone_elsewhere")
			if _, err := e.org.ChangeGrid(ctx, grid1, org.GridChange{ZoneCode: ptr(chengdong + "Z01")}, now); err != nil {
				t.Error(err)
			}
			// Moving it to the parent it has, or a subdistrict under a community, is refused.
			_, err = e.org.Move(ctx, dongmei, chengdong, now)
			wantCode(t, err, apperr.Invalid, "orgedit.same_parent")
			_, err = e.org.Move(ctx, donghai, "350503", now)
			wantCode(t, err, apperr.Invalid, "orgedit.cannot_move")
		})
	}
}

func ptr(s string) *string { return &s }

func TestRenameKeepsHistory(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := setup(t, engine)
			ctx := admin(donghai, "/350503/"+donghai+"/")
			if _, err := e.org.Rename(ctx, dongmei, "东梅新社区", "Dongmei New", now); err != nil {
				t.Fatal(err)
			}
			if _, err := e.org.Rename(ctx, dongmei, "东梅社区", "Dongmei", now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			// The same names again change nothing and record nothing.
			if _, err := e.org.Rename(ctx, dongmei, "东梅社区", "Dongmei", now.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			h, err := e.org.History(ctx, dongmei)
			if err != nil || len(h) != 2 {
				t.Fatalf("history %+v %v", h, err)
			}
			if !strings.Contains(string(h[0].Before), "东梅新社区") || !strings.Contains(string(h[0].After), "Dongmei") ||
				!strings.Contains(string(h[1].Before), "东梅社区") || h[1].ActorName != "admin."+donghai || !h[1].At.Equal(now) {
				t.Errorf("history %+v", h)
			}
			if n := one(t, e.d, `SELECT name FROM org_nodes WHERE code = $1`, dongmei); n != "东梅社区" {
				t.Errorf("name %s", n)
			}
			if n := one(t, e.d, `SELECT CAST(count(*) AS TEXT) FROM audit_log WHERE action = 'org.rename'`); n != "2" {
				t.Errorf("%s rename records", n)
			}
			// Out of reach, empty or too long names: refused.
			_, err = e.org.Rename(ctx, chengdong+"001", "x", "", now)
			wantCode(t, err, apperr.NotFound, "")
			_, err = e.org.Rename(ctx, dongmei, "  ", "", now)
			wantCode(t, err, apperr.Invalid, "orgedit.bad_name")
			_, err = e.org.Rename(ctx, dongmei, strings.Repeat("名", 101), "", now)
			wantCode(t, err, apperr.Invalid, "orgedit.bad_name")
		})
	}
}

func TestRetire(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := setup(t, engine)
			ctx := admin(donghai, "/350503/"+donghai+"/")
			// 东梅 has an open case, a grant and two grids: refused, with the counts in the message.
			_, err := e.org.Retire(ctx, dongmei, now)
			wantCode(t, err, apperr.Conflict, "orgedit.retire_refused")
			if ae, _ := apperr.As(err); len(ae.Args) != 5 || ae.Args[1] != 1 || ae.Args[2] != 1 || ae.Args[3] != 0 || ae.Args[4] != 2 {
				t.Errorf("refusal args %v", ae.Args)
			}
			// 东海 has live communities (and a grant below it).
			_, err = e.org.Retire(ctx, donghai, now)
			wantCode(t, err, apperr.Conflict, "orgedit.retire_refused")
			// A new, empty community retires; it is kept, dated, and refuses further changes.
			added, err := e.org.Add(ctx, org.AddInput{Kind: org.Community, Code: donghai + "099", Name: "临时社区", ParentCode: donghai}, now)
			if err != nil || added.ParentCode != donghai {
				t.Fatalf("add %+v %v", added, err)
			}
			r, err := e.org.Retire(ctx, added.Code, now.Add(time.Hour))
			if err != nil || r.RetiredAt == nil || !r.RetiredAt.Equal(now.Add(time.Hour)) {
				t.Fatalf("retire %+v %v", r, err)
			}
			nodes, _, err := e.org.Nodes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, n := range nodes {
				if n.Code == added.Code {
					found = n.RetiredAt != nil && n.RetiredAt.Equal(now.Add(time.Hour))
				}
			}
			if !found {
				t.Error("the retired community is not listed with its date")
			}
			_, err = e.org.Rename(ctx, added.Code, "又一个", "", now)
			wantCode(t, err, apperr.Conflict, "orgedit.retired")
			_, err = e.org.Retire(ctx, added.Code, now)
			wantCode(t, err, apperr.Conflict, "orgedit.retired")
			_, err = e.org.Move(system(), added.Code, chengdong, now)
			wantCode(t, err, apperr.Conflict, "orgedit.retired")
			// Its code stays taken.
			_, err = e.org.Add(ctx, org.AddInput{Kind: org.Community, Code: added.Code, Name: "重名", ParentCode: donghai}, now)
			wantCode(t, err, apperr.Conflict, "orgedit.code_taken")
			h, _ := e.org.History(ctx, added.Code)
			if len(h) != 2 || h[0].Action != org.HistoryRetire || h[1].Action != org.HistoryAdd {
				t.Errorf("history %+v", h)
			}
			_, err = e.org.Retire(system(), "350503", now)
			wantCode(t, err, apperr.Invalid, "orgedit.retire_district")
		})
	}
}

func TestAddChecksCodes(t *testing.T) {
	e := setup(t, db.SQLite)
	ctx := admin(donghai, "/350503/"+donghai+"/")
	for _, c := range []struct {
		in   org.AddInput
		code apperr.Code
		key  string
	}{
		{org.AddInput{Kind: org.Community, Code: "35050300109", Name: "短", ParentCode: donghai}, apperr.Invalid, "orgedit.bad_code_digits"},
		{org.AddInput{Kind: org.Community, Code: "350503002099", Name: "错前缀", ParentCode: donghai}, apperr.Invalid, "orgedit.bad_code_prefix"},
		{org.AddInput{Kind: org.Community, Code: dongmei, Name: "重复", ParentCode: donghai}, apperr.Conflict, "orgedit.code_taken"},
		{org.AddInput{Kind: org.Community, Code: donghai + "098", Name: "", ParentCode: donghai}, apperr.Invalid, "orgedit.bad_name"},
		{org.AddInput{Kind: org.Community, Code: dongmei + "001", Name: "社区下社区", ParentCode: dongmei}, apperr.Invalid, "orgedit.bad_parent"},
		{org.AddInput{Kind: org.District, Code: "350504", Name: "区", ParentCode: donghai}, apperr.Invalid, "orgedit.bad_kind"},
		{org.AddInput{Kind: org.Department, Code: "d-1", Name: "部门", ParentCode: donghai}, apperr.Invalid, "orgedit.bad_code_other"},
		{org.AddInput{Kind: org.Community, Code: chengdong + "099", Name: "越界", ParentCode: chengdong}, apperr.NotFound, "org.node_not_found"},
		{org.AddInput{Kind: org.Subdistrict, Code: "350503009", Name: "新街道", ParentCode: "350503"}, apperr.NotFound, "org.node_not_found"},
	} {
		_, err := e.org.Add(ctx, c.in, now)
		wantCode(t, err, c.code, c.key)
	}
	if _, err := e.org.Add(ctx, org.AddInput{Kind: org.Department, Code: donghai + "D99", Name: "东海城管中队", ParentCode: donghai}, now); err != nil {
		t.Error(err)
	}
	if _, err := e.org.Add(system(), org.AddInput{Kind: org.Subdistrict, Code: "350503009", Name: "新街道", ParentCode: "350503"}, now); err != nil {
		t.Error(err)
	}
	z, err := e.org.AddZone(ctx, org.ZoneInput{Code: donghai + "Z02", Name: "东海第二片区", SubdistrictCode: donghai}, now)
	if err != nil || z.Code != donghai+"Z02" {
		t.Fatalf("add zone %+v %v", z, err)
	}
	_, err = e.org.AddZone(ctx, org.ZoneInput{Code: donghai + "Z03", Name: "社区片区", SubdistrictCode: dongmei}, now)
	wantCode(t, err, apperr.Invalid, "orgedit.zone_parent")
	// A resident may not edit the tree at all.
	resident := access.WithPrincipal(context.Background(), &access.Principal{UserID: "r",
		Grants: []access.Grant{{Role: access.Resident, OrgCode: "350503", OrgPath: "/350503/"}}})
	_, err = e.org.Add(resident, org.AddInput{Kind: org.Community, Code: donghai + "097", Name: "x", ParentCode: donghai}, now)
	wantCode(t, err, apperr.Forbidden, "auth.forbidden")
}

func TestGridZoneAndWorkers(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := setup(t, engine)
			ctx := admin(donghai, "/350503/"+donghai+"/")
			g, err := e.org.ChangeGrid(ctx, grid2, org.GridChange{ZoneCode: ptr(donghai + "Z01")}, now)
			if err != nil || g.ZoneCode != donghai+"Z01" {
				t.Fatalf("zone %+v %v", g, err)
			}
			_, err = e.org.ChangeGrid(ctx, grid2, org.GridChange{ZoneCode: ptr(chengdong + "Z01")}, now)
			wantCode(t, err, apperr.Invalid, "orgedit.zone_elsewhere")
			if _, err := e.org.ChangeGrid(ctx, grid1, org.GridChange{ZoneCode: ptr("")}, now); err != nil {
				t.Fatal(err)
			}
			if z := one(t, e.d, `SELECT COALESCE(zone_code, '-') FROM grids WHERE code = $1`, grid1); z != "-" {
				t.Errorf("zone of %s: %s", grid1, z)
			}
			// Only a grid worker reaching the grid is put on it.
			exec(t, e.d, `INSERT INTO users (id, username, display_name, password_hash, password_changed_at, created_at, updated_at)
				VALUES ('elsewhere','elsewhere','elsewhere','x',$1,$1,$1)`, now)
			exec(t, e.d, `INSERT INTO role_grants (id, user_id, role, org_code, org_path, created_at)
				VALUES ('g-elsewhere','elsewhere','grid_worker',$1,$2,$3)`, chengdong, "/350503/"+chengdong+"/", now)
			_, err = e.org.ChangeGrid(ctx, grid2, org.GridChange{WorkerIDs: &[]string{"w-community", "elsewhere"}}, now)
			wantCode(t, err, apperr.Invalid, "orgedit.not_grid_worker")
			g, err = e.org.ChangeGrid(ctx, grid2, org.GridChange{WorkerIDs: &[]string{"w-subdistrict", "w-community", "w-community"}}, now)
			if err != nil || len(g.Workers) != 2 || g.Workers[0].UserID != "w-community" {
				t.Fatalf("workers %+v %v", g, err)
			}
			cg, err := e.org.CommunityGrids(ctx, dongmei)
			if err != nil || len(cg.Grids) != 2 || len(cg.Candidates) != 2 || len(cg.Zones) != 1 ||
				len(cg.Grids[1].Workers) != 2 || cg.Grids[1].ZoneCode != donghai+"Z01" {
				t.Errorf("community grids %+v %v", cg, err)
			}
			h, _ := e.org.History(ctx, grid2)
			if len(h) != 2 || h[0].Action != org.HistoryWorkers || h[1].Action != org.HistoryZone {
				t.Errorf("grid history %+v", h)
			}
			_, err = e.org.ChangeGrid(admin(chengdong, "/350503/"+chengdong+"/"), grid2, org.GridChange{ZoneCode: ptr("")}, now)
			wantCode(t, err, apperr.NotFound, "orgedit.grid_not_found")
			_, err = e.org.ChangeGrid(ctx, grid2, org.GridChange{}, now)
			wantCode(t, err, apperr.Invalid, "orgedit.grid_nothing")
		})
	}
}
