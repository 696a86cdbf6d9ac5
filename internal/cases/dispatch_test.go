package cases_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// handlingUnit adds a department node under parent (a subdistrict or a community of the demo
// district) and an account of its staff, and signs that account in. retired marks the unit
// retired (it keeps its history, takes no new cases).
func handlingUnit(t *testing.T, srv *apptest.Server, code, parent, name string, retired bool) *apptest.Client {
	t.Helper()
	ctx := context.Background()
	var parentPath string
	if err := srv.App.DB.QueryRow(ctx, `SELECT path FROM org_nodes WHERE code = $1`, parent).Scan(&parentPath); err != nil {
		t.Fatalf("parent %s: %v", parent, err)
	}
	now := time.Now().UTC()
	if _, err := srv.App.DB.Exec(ctx, `INSERT INTO org_nodes (code, kind, name, parent_code, path, created_at, updated_at)
		VALUES ($1, 'department', $2, $3, $4, $5, $5)`, code, name, parent, parentPath+code+"/", now); err != nil {
		t.Fatalf("add unit %s: %v", code, err)
	}
	username := "staff." + strings.ToLower(code)
	admin := srv.Login(t, "secadmin")
	if st, raw := admin.Raw("POST", "/api/v1/users", map[string]any{"username": username, "display_name": name + "队员",
		"password": apptest.DemoPassword, "must_change_password": false,
		"roles": []map[string]string{{"role": "department_staff", "org_code": code}}}); st != 201 {
		t.Fatalf("add staff of %s: %d %s", code, st, raw)
	}
	staff := srv.Login(t, username)
	if retired {
		if _, err := srv.App.DB.Exec(ctx, `UPDATE org_nodes SET retired_at = $1 WHERE code = $2`, now, code); err != nil {
			t.Fatal(err)
		}
	}
	return staff
}

// photoJPEG is a small real photo.
func photoJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 32, 24)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type photoJSON struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Stage string `json:"stage"`
}

func stagesOf(t *testing.T, c *apptest.Client, caseID string) string {
	t.Helper()
	var list struct{ Photos []photoJSON }
	if st := c.Do("GET", "/api/v1/cases/"+caseID+"/photos", nil, &list); st != 200 {
		t.Fatalf("photos: %d", st)
	}
	var out []string
	for _, p := range list.Photos {
		out = append(out, p.Kind+":"+p.Stage)
	}
	return strings.Join(out, " ")
}

// Issue 13: a case goes to any handling unit at any level — a subdistrict's 综合执法队 as lead,
// a community handler assisting; each unit's staff sees it, another unit's does not; routing may
// name such a unit; a category that requires photo evidence refuses 反馈 until the lead unit
// adds a photo marked after the fix, in each round of handling; only the lead reports back.
func TestDispatchToAnyUnitAndReportBackWithEvidence(t *testing.T) {
	img := photoJPEG(t)
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			// Before any case reads the category (the catalogue adapter caches it for seconds).
			sys := access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
			if err := srv.App.Categories.SetRequiresPhoto(sys, category.Event, "06010", true); err != nil {
				t.Fatal(err)
			}
			enforcer := handlingUnit(t, srv, "350503001T01", "350503001", "东海街道综合执法队", false)
			community := handlingUnit(t, srv, "350503001001T01", "350503001001", "东海社区处置组", false)
			otherUnit := handlingUnit(t, srv, "350503001T02", "350503001", "东海街道城建办", false)
			handlingUnit(t, srv, "350503001T09", "350503001", "东海街道旧执法中队", true)
			districtBureau := srv.Login(t, "dept01.staff")

			// The department list offers every level, the retired unit aside or not: the dispatch decides.
			dispatcher := srv.Login(t, "donghai.dispatcher")
			var depts struct {
				Departments []struct{ Code, Level string }
			}
			dispatcher.Do("GET", "/api/v1/departments", nil, &depts)
			levels := map[string]string{}
			for _, d := range depts.Departments {
				levels[d.Code] = d.Level
			}
			if levels["350503001T01"] != "subdistrict" || levels["350503001001T01"] != "community" || levels["350503D01"] != "district" {
				t.Fatalf("departments by level: %v", levels)
			}

			// A routing rule names the subdistrict's unit: a new report there is suggested to it.
			sysadmin := srv.Login(t, "sysadmin")
			var rules struct {
				Rules []map[string]any `json:"rules"`
			}
			sysadmin.Do("GET", "/api/v1/routing/rules", nil, &rules)
			rules.Rules = append([]map[string]any{{"id": "donghai-garbage", "priority": 0, "name": "东海垃圾归执法队",
				"category_class": "event", "category_code": "06010", "org_code": "350503001", "time_window": "any",
				"department_code": "350503001T01", "assisting": []string{"350503001001T01"}, "active": true}}, rules.Rules...)
			if st, raw := sysadmin.Raw("PUT", "/api/v1/routing/rules", rules); st != 200 {
				t.Fatalf("routing rules: %d %s", st, raw)
			}

			resident := srv.Login(t, "resident1")
			var c caseJSON
			if st, raw := resident.Raw("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng,
				"description": "路边垃圾桶满溢，垃圾散落一地"}); st != 201 || jsonUnmarshal(raw, &c) != nil {
				t.Fatalf("report: %d %s", st, raw)
			}
			if c.Suggested != "350503001T01" {
				t.Fatalf("routing suggested %q, want the subdistrict's unit", c.Suggested)
			}
			act(t, srv.Login(t, "donghai.grid_worker"), c.ID, "confirm", map[string]any{"result": "pass"})
			act(t, srv.Login(t, "donghai.shift_lead"), c.ID, "register", nil)

			// A retired unit takes nothing new, as lead or assisting.
			for _, body := range []map[string]any{
				{"department_code": "350503001T09"},
				{"department_code": "350503001T01", "assisting_department_codes": []string{"350503001T09"}},
			} {
				st, raw := dispatcher.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/dispatch", body)
				if st != 400 || !strings.Contains(string(raw), "已撤销") {
					t.Errorf("dispatch to a retired unit %v: %d %s", body, st, raw)
				}
			}
			c = act(t, dispatcher, c.ID, "dispatch", map[string]any{"department_code": "350503001T01",
				"assisting_department_codes": []string{"350503001001T01"}})
			if c.Status != "dispatched" || c.Dept != "350503001T01" {
				t.Fatalf("dispatch: %+v", c)
			}

			// Scope: the lead and the assisting unit see it, in their inboxes too; other units do not.
			for _, tc := range []struct {
				who  *apptest.Client
				want int
			}{{enforcer, 200}, {community, 200}, {otherUnit, 404}, {districtBureau, 404}} {
				if st := tc.who.Do("GET", "/api/v1/cases/"+c.ID, nil, nil); st != tc.want {
					t.Errorf("%s reads the case: %d, want %d", tc.who.Username, st, tc.want)
				}
				var inbox struct{ Cases []caseJSON }
				tc.who.Do("GET", "/api/v1/cases", nil, &inbox)
				if got := len(inbox.Cases) == 1 && inbox.Cases[0].ID == c.ID; got != (tc.want == 200) {
					t.Errorf("%s's inbox: %+v", tc.who.Username, inbox.Cases)
				}
			}

			// The assisting unit may add photos and notes, but signs and reports back nothing.
			if st, raw := community.Upload("/api/v1/cases/"+c.ID+"/photos?stage=before", "photo", "before.jpg", img); st != 201 {
				t.Fatalf("assisting unit's before photo: %d %s", st, raw)
			}
			act(t, community, c.ID, "comment", map[string]any{"note": "社区已到场协助围挡"})
			if st, raw := community.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/sign", nil); st != 403 {
				t.Errorf("assisting unit signs: %d %s", st, raw)
			}
			c = act(t, enforcer, c.ID, "sign", nil)
			if st, raw := community.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/report_back", map[string]any{"note": "好了"}); st != 403 {
				t.Errorf("assisting unit reports back: %d %s", st, raw)
			}

			// No after-photo yet: refused, in the caller's language.
			st, raw := enforcer.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/report_back", map[string]any{"note": "已清理"})
			if st != 400 || !strings.Contains(string(raw), "处置后照片") {
				t.Fatalf("report back without an after-photo: %d %s", st, raw)
			}
			st, raw = enforcer.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/report_back?lang=en", map[string]any{"note": "done"})
			if st != 400 || !strings.Contains(string(raw), "after the fix") {
				t.Fatalf("report back without an after-photo (en): %d %s", st, raw)
			}
			// Bad stages are refused before the photo is read; a grid worker gives no stage.
			for _, tc := range []struct {
				who   *apptest.Client
				stage string
			}{{enforcer, "during"}, {enforcer, "after%00"}, {srv.Login(t, "donghai.grid_worker"), "after"}} {
				if st, raw := tc.who.Upload("/api/v1/cases/"+c.ID+"/photos?stage="+tc.stage, "photo", "p.jpg", img); st != 400 {
					t.Errorf("stage %q by %s: %d %s", tc.stage, tc.who.Username, st, raw)
				}
			}
			if st, raw := enforcer.Upload("/api/v1/cases/"+c.ID+"/photos?stage=after", "photo", "after.jpg", img); st != 201 {
				t.Fatalf("after photo: %d %s", st, raw)
			}
			c = act(t, enforcer, c.ID, "report_back", map[string]any{"note": "已清理完毕"})
			if c.Status != "reported_back" {
				t.Fatalf("report back: %+v", c)
			}
			if got := stagesOf(t, dispatcher, c.ID); got != "evidence:before evidence:after" {
				t.Errorf("stored stages: %q", got)
			}

			// A failed verification starts a new round: its report back needs a new after-photo.
			worker := srv.Login(t, "donghai.grid_worker")
			act(t, worker, c.ID, "verify", map[string]any{"result": "fail", "note": "仍有散落垃圾"})
			if st, raw := enforcer.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/report_back", map[string]any{"note": "再次清理"}); st != 400 {
				t.Fatalf("second round without a new after-photo: %d %s", st, raw)
			}
			if st, raw := enforcer.Upload("/api/v1/cases/"+c.ID+"/photos?stage=after", "photo", "after2.jpg", img); st != 201 {
				t.Fatalf("second after photo: %d %s", st, raw)
			}
			act(t, enforcer, c.ID, "report_back", map[string]any{"note": "再次清理完毕"})
			act(t, worker, c.ID, "verify", map[string]any{"result": "pass"})

			// A category without the requirement reports back without photos, as before.
			var plain caseJSON
			if st, raw := resident.Raw("POST", "/api/v1/cases", map[string]any{"category_code": "01001", "lat": lat, "lng": lng,
				"description": "井盖松动，踩上去会响"}); st != 201 || jsonUnmarshal(raw, &plain) != nil {
				t.Fatalf("report: %d %s", st, raw)
			}
			if plain.Status == "confirming" {
				act(t, worker, plain.ID, "confirm", map[string]any{"result": "pass"})
			}
			act(t, srv.Login(t, "donghai.shift_lead"), plain.ID, "register", nil)
			act(t, dispatcher, plain.ID, "dispatch", map[string]any{"department_code": "350503001001T01"})
			act(t, community, plain.ID, "sign", nil)
			if p := act(t, community, plain.ID, "report_back", map[string]any{"note": "已紧固"}); p.Status != "reported_back" {
				t.Errorf("community handler reports back: %+v", p)
			}
			if st := enforcer.Do("GET", "/api/v1/cases/"+plain.ID, nil, nil); st != 404 {
				t.Errorf("the enforcement team reads the community's case: %d", st)
			}

			// The stage is stored as sent, and the audit log says which.
			var n int
			if err := srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM case_photos WHERE case_id = $1 AND stage = 'after'`, c.ID).Scan(&n); err != nil || n != 2 {
				t.Errorf("after photos stored: %d %v", n, err)
			}
			var after string
			if err := srv.App.DB.QueryRow(context.Background(), `SELECT after_summary FROM audit_log WHERE action = 'case.photos' AND object_id = $1
				ORDER BY seq LIMIT 1`, c.ID).Scan(&after); err != nil || !json.Valid([]byte(after)) || !strings.Contains(after, `"stage":"before"`) {
				t.Errorf("audit of the photos: %q %v", after, err)
			}
		})
	}
}
