package app_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"strings"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
)

// Scope scenarios of the case desk: a resident reaches only their own cases, subdistrict staff
// only their subdistrict's, a department only what is dispatched to it, administrators none.

type caseFixture struct {
	mine, other, dispatched string // resident1's case in 东海; a case in 城东; a 东海 case dispatched to 350503D01
	photo                   string // a photo of "other"
}

var (
	caseFixturesMu sync.Mutex
	caseFixtures   = map[*fixture]*caseFixture{}
)

func jpegBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func postPhoto(t *testing.T, c *apptest.Client, caseID string) (int, string) {
	return c.Upload("/api/v1/cases/"+caseID+"/photos", "photo", "p.jpg", jpegBytes(t))
}

func casesOf(t *testing.T, f *fixture) *caseFixture {
	caseFixturesMu.Lock()
	defer caseFixturesMu.Unlock()
	if cf, ok := caseFixtures[f]; ok {
		return cf
	}
	create := func(c *apptest.Client, body map[string]any) string {
		var out struct{ ID string }
		if s := c.Do("POST", "/api/v1/cases", body, &out); s != 201 {
			t.Fatalf("create case as %s: %d", c.Username, s)
		}
		return out.ID
	}
	cf := &caseFixture{}
	cf.mine = create(f.clients["resident1"], map[string]any{"lat": 24.925, "lng": 118.575, "description": "路灯不亮，晚上很黑"})
	chengdong := f.srv.Login(t, "chengdong.intake_operator")
	cf.other = create(chengdong, map[string]any{"lat": 24.925, "lng": 118.5995, "description": "城东井盖缺失", "channel": "hotline_12345",
		"reporter_phone": "13912345678", "reporter_name": "王先生"})
	cf.dispatched = create(f.clients["donghai.intake_operator"], map[string]any{"lat": 24.924, "lng": 118.576,
		"description": "道路破损需要修补", "channel": "hotline_12345"})
	for _, step := range []struct{ who, action, body string }{
		{"donghai.shift_lead", "register", ``},
		{"donghai.dispatcher", "dispatch", `{"department_code":"350503D01"}`},
	} {
		var body any
		if step.body != "" {
			body = step.body
		}
		if s, b := raw(t, f.clients[step.who], "POST", "/api/v1/cases/"+cf.dispatched+"/actions/"+step.action, body); s != 200 {
			t.Fatalf("%s: %d %s", step.action, s, b)
		}
	}
	if s, b := postPhoto(t, chengdong, cf.other); s != 201 {
		t.Fatalf("photo: %d %s", s, b)
	} else {
		i := strings.Index(b, `"id":"`)
		cf.photo = b[i+6 : i+6+36]
	}
	caseFixtures[f] = cf
	return cf
}

var admins = []string{"sysadmin", "secadmin", "auditadmin"}

// hotlineCase is a new case of 城东 taken by its desk, with the caller's name and phone.
func hotlineCase(t *testing.T, f *fixture, text string) string {
	var out struct{ ID string }
	body := map[string]any{"lat": 24.925, "lng": 118.5995, "description": text, "channel": "hotline_12345",
		"reporter_phone": "13912345678", "reporter_name": "王先生"}
	if s := f.srv.Login(t, "chengdong.intake_operator").Do("POST", "/api/v1/cases", body, &out); s != 201 {
		t.Fatalf("create case: %d", s)
	}
	return out.ID
}

// with returns a new list: list followed by more (never sharing list's backing array).
func with(list []string, more ...string) []string {
	return append(append([]string{}, list...), more...)
}

func init() {
	scenarios = append(scenarios,
		scenario{route: "POST /api/v1/cases", check: func(t *testing.T, f *fixture) {
			body := map[string]any{"lat": 24.925, "lng": 118.575, "description": "越权上报"}
			expectStatus(t, f, with(admins, "donghai.dispatcher", "dept01.staff", "donghai.leader", "district.leader"),
				"POST", "/api/v1/cases", body, 403)
		}},
		scenario{route: "GET /api/v1/cases", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			expectStatus(t, f, admins, "GET", "/api/v1/cases", nil, 403)
			for _, name := range subdistrictStaff {
				_, b := raw(t, f.clients[name], "GET", "/api/v1/cases?limit=200", nil)
				if strings.Contains(b, cf.other) {
					t.Errorf("%s lists another subdistrict's case", name)
				}
			}
			if _, b := raw(t, f.clients["donghai.shift_lead"], "GET", "/api/v1/cases?subdistrict=350503002", nil); strings.Contains(b, cf.other) {
				t.Error("a filter widened the scope")
			}
			_, b := raw(t, f.clients["resident1"], "GET", "/api/v1/cases", nil)
			if !strings.Contains(b, cf.mine) || strings.Contains(b, cf.dispatched) || strings.Contains(b, cf.other) {
				t.Errorf("resident sees others' cases: %.300s", b)
			}
			_, b = raw(t, f.clients["dept01.staff"], "GET", "/api/v1/cases", nil)
			if !strings.Contains(b, cf.dispatched) || strings.Contains(b, cf.mine) || strings.Contains(b, cf.other) {
				t.Errorf("department sees undispatched cases: %.300s", b)
			}
			_, b = raw(t, f.clients["district.leader"], "GET", "/api/v1/cases?limit=200", nil)
			if !strings.Contains(b, cf.other) || !strings.Contains(b, cf.mine) {
				t.Error("district leader misses cases of the district")
			}
		}},
		scenario{route: "GET /api/v1/cases/{id}", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			path := "/api/v1/cases/" + cf.other
			expectStatus(t, f, with(subdistrictStaff, "resident1", "resident2", "dept01.staff"), "GET", path, nil, 404)
			expectStatus(t, f, admins, "GET", path, nil, 403)
			expectStatus(t, f, []string{"resident2"}, "GET", "/api/v1/cases/"+cf.mine, nil, 404)
			// The caller's phone is masked for staff, hidden from leaders.
			if _, b := raw(t, f.srv.Login(t, "chengdong.intake_operator"), "GET", path, nil); !strings.Contains(b, "139****5678") || strings.Contains(b, "13912345678") {
				t.Errorf("contact not masked for the desk: %.300s", b)
			}
			if _, b := raw(t, f.clients["district.leader"], "GET", path, nil); showsPhone(b) {
				t.Error("a leader sees the reporter's phone")
			}
		}},
		scenario{route: "GET /api/v1/cases/{id}/events", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			expectStatus(t, f, with(subdistrictStaff, "resident1", "dept01.staff"), "GET", "/api/v1/cases/"+cf.other+"/events", nil, 404)
			expectStatus(t, f, admins, "GET", "/api/v1/cases/"+cf.other+"/events", nil, 403)
		}},
		scenario{route: "GET /api/v1/cases/{id}/photos", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			expectStatus(t, f, with(subdistrictStaff, "resident1", "dept01.staff"), "GET", "/api/v1/cases/"+cf.other+"/photos", nil, 404)
		}},
		scenario{route: "GET /api/v1/cases/{id}/photos/{photo}", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			path := "/api/v1/cases/" + cf.other + "/photos/" + cf.photo
			expectStatus(t, f, with(subdistrictStaff, "resident1", "dept01.staff"), "GET", path, nil, 404)
			expectStatus(t, f, []string{"district.leader"}, "GET", path, nil, 200)
			// Knowing a photo id does not help through a case one does reach.
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/cases/"+cf.mine+"/photos/"+cf.photo, nil, 404)
		}},
		scenario{route: "POST /api/v1/cases/{id}/photos", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			for _, name := range with(subdistrictStaff, "resident1", "dept01.staff") {
				if s, _ := postPhoto(t, f.clients[name], cf.other); s != 404 {
					t.Errorf("%s added a photo to another subdistrict's case: %d", name, s)
				}
			}
		}},
		scenario{route: "POST /api/v1/cases/{id}/actions/{action}", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			for action, who := range map[string]string{"register": "donghai.shift_lead", "void": "donghai.shift_lead",
				"supervise": "donghai.leader", "comment": "resident1", "confirm": "donghai.grid_worker"} {
				s, _ := raw(t, f.clients[who], "POST", "/api/v1/cases/"+cf.other+"/actions/"+action, `{"note":"越权操作","result":"pass"}`)
				if s != 404 {
					t.Errorf("%s could %s another subdistrict's case: %d", who, action, s)
				}
			}
			expectStatus(t, f, admins, "POST", "/api/v1/cases/"+cf.other+"/actions/comment", `{"note":"越权操作"}`, 403)
			// A department not dispatched to cannot sign; the dispatched one can.
			if s, _ := raw(t, f.srv.Login(t, "dept02.staff"), "POST", "/api/v1/cases/"+cf.dispatched+"/actions/sign", nil); s != 404 {
				t.Errorf("another department signed: %d", s)
			}
			var c struct{ Status string }
			f.clients["district.leader"].Do("GET", "/api/v1/cases/"+cf.other, nil, &c)
			if c.Status != "reported" && c.Status != "confirming" {
				t.Errorf("refused actions changed the case: %s", c.Status)
			}
		}},
		scenario{route: "POST /api/v1/import/cases", check: func(t *testing.T, f *fixture) {
			line := `{"external_id":"OLD-SCOPE","channel":"patrol","kind":"report","lat":24.925,"lng":118.575,"description":"历史案卷","reported_at":"2026-10-08T09:00:00+08:00","events":[]}`
			expectStatus(t, f, except("sysadmin"), "POST", "/api/v1/import/cases", line, 403)
			if s, _ := raw(t, f.subSec, "POST", "/api/v1/import/cases", line); s != 403 {
				t.Errorf("sec_admin imported cases: %d", s)
			}
		}},
		scenario{route: "GET /api/v1/notifications", check: func(t *testing.T, f *fixture) {
			casesOf(t, f)
			_, b := raw(t, f.clients["dept01.staff"], "GET", "/api/v1/notifications", nil)
			if !strings.Contains(b, "已派遣") {
				t.Errorf("department was not notified of its dispatch: %.300s", b)
			}
			for _, name := range []string{"resident2", "dept02.staff"} {
				if f.clients[name] == nil {
					f.clients[name] = f.srv.Login(t, name)
				}
				if _, b := raw(t, f.clients[name], "GET", "/api/v1/notifications", nil); strings.Contains(b, "已派遣") {
					t.Errorf("%s sees another's notification", name)
				}
			}
		}},
		scenario{route: "POST /api/v1/notifications/{id}/read", check: func(t *testing.T, f *fixture) {
			casesOf(t, f)
			var list struct {
				Notifications []struct{ ID string }
			}
			f.clients["dept01.staff"].Do("GET", "/api/v1/notifications", nil, &list)
			if len(list.Notifications) == 0 {
				t.Fatal("no notification to read")
			}
			id := list.Notifications[0].ID
			expectStatus(t, f, []string{"donghai.shift_lead", "resident1"}, "POST", "/api/v1/notifications/"+id+"/read", nil, 404)
			expectStatus(t, f, []string{"dept01.staff"}, "POST", "/api/v1/notifications/"+id+"/read", nil, 204)
		}},
		scenario{route: "GET /api/v1/stream"}, // the stream filter is tested in package notify
		scenario{route: "GET /api/v1/cases/{id}/nearby", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			expectStatus(t, f, with(subdistrictStaff, "resident1", "dept01.staff"), "GET", "/api/v1/cases/"+cf.other+"/nearby", nil, 404)
			expectStatus(t, f, admins, "GET", "/api/v1/cases/"+cf.other+"/nearby", nil, 403)
		}},
		scenario{route: "POST /api/v1/cases/{id}/contact", check: func(t *testing.T, f *fixture) {
			cf := casesOf(t, f)
			path := "/api/v1/cases/" + cf.other + "/contact"
			expectStatus(t, f, with(subdistrictStaff, "resident1", "dept01.staff"), "POST", path, nil, 404)
			expectStatus(t, f, admins, "POST", path, nil, 403)
			expectStatus(t, f, []string{"district.leader"}, "POST", path, nil, 403)
			desk := f.srv.Login(t, "chengdong.intake_operator")
			if s, b := raw(t, desk, "POST", path, nil); s != 400 || strings.Contains(b, "13912345678") {
				t.Errorf("a reveal without a reason: %d %.200s", s, b)
			}
			if s, b := raw(t, desk, "POST", path, `{"reason":"回访核实"}`); s != 200 || !strings.Contains(b, "13912345678") {
				t.Errorf("the desk of the case's subdistrict cannot reveal the contact: %d %.200s", s, b)
			}
		}},
		// 我也遇到: whoever may report follows a case and sees its public face (issue 10.1).
		scenario{route: "POST /api/v1/cases/{id}/join", check: func(t *testing.T, f *fixture) {
			id := hotlineCase(t, f, "城东路面塌陷")
			path := "/api/v1/cases/" + id + "/join"
			expectStatus(t, f, with(admins, "donghai.dispatcher", "dept01.staff", "donghai.leader", "district.leader"), "POST", path, nil, 403)
			if s, b := raw(t, f.clients["resident2"], "POST", path, nil); s != 200 || !strings.Contains(b, `"following":true`) ||
				strings.Contains(b, "13912345678") || strings.Contains(b, "王先生") {
				t.Errorf("join: %d %.300s", s, b)
			}
		}},
		scenario{route: "DELETE /api/v1/cases/{id}/join", check: func(t *testing.T, f *fixture) {
			id := hotlineCase(t, f, "城东路灯倒伏")
			path := "/api/v1/cases/" + id + "/join"
			expectStatus(t, f, admins, "DELETE", path, nil, 403)
			expectStatus(t, f, []string{"resident1"}, "DELETE", path, nil, 404)
			expectStatus(t, f, []string{"resident1"}, "POST", path, nil, 200)
			expectStatus(t, f, []string{"resident1"}, "DELETE", path, nil, 204)
			expectStatus(t, f, []string{"resident1"}, "GET", "/api/v1/cases/"+id, nil, 404)
		}},
		scenario{route: "GET /api/v1/follow/{token}", check: func(t *testing.T, f *fixture) {
			var c struct {
				Number      string `json:"number"`
				FollowToken string `json:"follow_token"`
			}
			f.clients["resident2"].Do("POST", "/api/v1/cases", map[string]any{"lat": 24.925, "lng": 118.575,
				"description": "匿名反映噪音", "anonymous": true}, &c)
			if c.FollowToken == "" {
				t.Fatal("an anonymous report got no private link")
			}
			anon := f.srv.Anonymous(t)
			if s, b := raw(t, anon, "GET", "/api/v1/follow/"+c.FollowToken, nil); s != 200 || !strings.Contains(b, c.Number) || strings.Contains(b, "resident2") {
				t.Errorf("follow by token: %d %.200s", s, b)
			}
			if s, _ := raw(t, anon, "GET", "/api/v1/follow/"+strings.Repeat("A", 32), nil); s != 404 {
				t.Errorf("a guessed token: %d", s)
			}
		}},
	)
	publicRoutes = append(publicRoutes, "GET /api/v1/follow/{token}")
}

// showsPhone reports whether an answer shows the test reporter's phone 13912345678, whole or
// masked (139****5678). Its last four digits alone are no evidence: a UUID may hold them.
func showsPhone(body string) bool {
	return strings.Contains(body, "12345678") || strings.Contains(body, "*5678")
}
