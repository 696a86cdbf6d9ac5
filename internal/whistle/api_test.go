package whistle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/whistle"
)

// The API as the district uses it, on the whole app with the demo district, on both engines: the
// contract's requests and answers, scope, the far and late check-ins, the close that waits for
// the case to be solved, ratings, figures and the escalation's notices. Every answer is checked
// against the assembled OpenAPI document.

type api struct {
	t      *testing.T
	srv    *apptest.Server
	router routers.Router
	users  map[string]*apptest.Client
}

// advance moves the clock on; sessions idle for 30 minutes end, so everyone signs in again.
func (a *api) advance(clock *apptest.Clock, d time.Duration) {
	clock.Advance(d)
	a.users = map[string]*apptest.Client{}
}

func (a *api) as(name string) *apptest.Client {
	if a.users[name] == nil {
		a.users[name] = a.srv.Login(a.t, name)
	}
	return a.users[name]
}

// do sends a request as name, checks the status and that the answer is what the document says,
// and returns the body.
func (a *api) do(name, method, path string, body any, want int) []byte {
	a.t.Helper()
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
		if s, ok := body.(string); ok {
			payload = []byte(s)
		}
	}
	req, _ := http.NewRequest(method, a.srv.URL+path, bytes.NewReader(payload))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.as(name).Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		a.t.Errorf("%s %s as %s: %d, want %d: %.300s", method, path, name, resp.StatusCode, want, out)
	}
	check, _ := http.NewRequest(method, a.srv.URL+path, bytes.NewReader(payload))
	route, params, err := a.router.FindRoute(check)
	if err != nil {
		a.t.Errorf("%s %s: not in the document: %v", method, path, err)
		return out
	}
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	v := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), v.SetBodyBytes(out)); err != nil {
		a.t.Errorf("%s %s as %s: answer %d does not match the document: %v\n%.400s", method, path, name, resp.StatusCode, err, out)
	}
	return out
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %.200s: %v", b, err)
	}
	return v
}

func report(a *api, sub string, lat, lng float64) string {
	a.t.Helper()
	c := decode[struct{ ID string }](a.t, a.do(sub+".intake_operator", "POST", "/api/v1/cases",
		map[string]any{"lat": lat, "lng": lng, "description": "占道经营，堵塞消防通道", "channel": "hotline_12345"}, 201))
	return c.ID
}

// newAPI starts the platform on engine at 09:00 on Monday 9 March 2026 (Beijing), with a clock
// the test moves, and checks every answer against the OpenAPI document.
func newAPI(t *testing.T, engine db.Engine) (*api, *apptest.Clock) {
	t.Helper()
	start := time.Date(2026, 3, 9, 9, 0, 0, 0, whistle.Zone) // a Monday
	clock := apptest.NewClock(start)
	srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
	raw, err := srv.App.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, srv: srv, router: router, users: map[string]*apptest.Client{}}
	return a, clock
}

func TestAPI(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testAPI(t, engine) })
	}
}

func testAPI(t *testing.T, engine db.Engine) {
	a, clock := newAPI(t, engine)
	srv, start := a.srv, clock.Now()
	place := orb.Point{118.5742, 24.925} // 东梅社区's first grid
	caseID := report(a, "donghai", place.Lat(), place.Lon())
	otherCase := report(a, "chengdong", 24.925, 118.5995)

	// Blowing: refused input changes nothing and names the field, in the caller's language.
	blow := map[string]any{"case_id": caseID, "kind": "emergency", "department_codes": []string{"350503D01", "350503D02"},
		"ask": "占道经营堵塞消防通道，请城管、住建到场联合处置"}
	bad := map[string]any{"case_id": caseID, "kind": "emergency", "department_codes": []string{"350503D99"}, "ask": "请到场"}
	b := a.do("donghai.grid_worker", "POST", "/api/v1/whistles?lang=en", bad, 400)
	if e := decode[struct {
		Message string
		Details []struct{ Field, Message string }
	}](t, b); len(e.Details) != 1 || e.Details[0].Field != "department_codes" || !strings.Contains(e.Details[0].Message, "350503D99") ||
		!strings.Contains(e.Message, "mistakes") {
		t.Errorf("unknown department: %s", b)
	}
	a.do("donghai.grid_worker", "POST", "/api/v1/whistles", `{"case_id":"`+caseID+`","kind":"soon","department_codes":[],"ask":""}`, 400)
	a.do("donghai.grid_worker", "POST", "/api/v1/whistles", map[string]any{"case_id": otherCase, "kind": "daily",
		"department_codes": []string{"350503D01"}, "ask": "请到场"}, 404)
	a.do("resident1", "POST", "/api/v1/whistles", blow, 403)
	a.do("dept01.staff", "POST", "/api/v1/whistles", blow, 403)
	if page := decode[whistle.Page](t, a.do("donghai.leader", "GET", "/api/v1/whistles", nil, 200)); len(page.Whistles) != 0 {
		t.Fatalf("refused whistles were stored: %d", len(page.Whistles))
	}
	w := decode[whistle.Whistle](t, a.do("donghai.grid_worker", "POST", "/api/v1/whistles", blow, 201))
	if w.ID == "" || w.Status != whistle.Open || len(w.Summons) != 2 || !w.Summons[0].DueAt.Equal(start.Add(30*time.Minute)) {
		t.Fatalf("blown: %+v", w)
	}
	path := "/api/v1/whistles/" + w.ID

	// The contract's GET: the summons' fields are there before anyone answers (null, false).
	var got map[string]any
	json.Unmarshal(a.do("dept01.staff", "GET", path, nil, 200), &got)
	first := got["summons"].([]any)[0].(map[string]any)
	for _, key := range []string{"department_code", "acknowledged_at", "checked_in_at", "late", "flagged", "distance_m"} {
		if _, ok := first[key]; !ok {
			t.Errorf("summons without %q: %v", key, first)
		}
	}
	if got["id"] != w.ID || got["status"] != "open" || first["checked_in_at"] != nil || first["late"] != false {
		t.Errorf("GET: %v", got)
	}
	// Out of reach: 城东's staff and a department not summoned do not see it.
	for _, name := range []string{"chengdong.grid_worker", "chengdong.leader", "dept03.staff"} {
		if b := a.do(name, "GET", path, nil, 404); strings.Contains(string(b), caseID) {
			t.Errorf("%s: the 404 tells the case", name)
		}
	}
	a.do("resident1", "GET", path, nil, 403)
	here := map[string]float64{"lat": place.Lat(), "lng": place.Lon()}
	a.do("dept03.staff", "POST", path+"/check-ins", here, 404)
	a.do("donghai.grid_worker", "POST", path+"/check-ins", here, 403)

	// Department 01 acknowledges, then checks in 501 m away: accepted and flagged.
	a.do("dept01.staff", "POST", path+"/acks", nil, 201)
	a.do("dept01.staff", "POST", path+"/acks", nil, 409)
	a.advance(clock, 10*time.Minute)
	far := geo.PointAtBearingAndDistance(place, 90, 501)
	r := decode[map[string]any](t, a.do("dept01.staff", "POST", path+"/check-ins", map[string]float64{"lat": far.Lat(), "lng": far.Lon()}, 201))
	if r["distance_m"] != float64(501) || r["late"] != false || r["flagged"] != true || len(r) != 3 {
		t.Errorf("far check-in: %v", r)
	}
	a.do("dept01.staff", "POST", path+"/check-ins", here, 409)
	// Department 02 comes 40 minutes after the whistle, 499 m away: late, not flagged.
	a.do("dept02.staff", "POST", path+"/check-ins", map[string]any{"lat": 91, "lng": 118.5}, 400)
	a.do("dept02.staff", "POST", path+"/check-ins", `{"lat":"north","lng":118.5}`, 400)
	a.advance(clock, 30*time.Minute)
	near := geo.PointAtBearingAndDistance(place, 200, 499)
	r = decode[map[string]any](t, a.do("dept02.staff", "POST", path+"/check-ins", map[string]float64{"lat": near.Lat(), "lng": near.Lon()}, 201))
	if r["distance_m"] != float64(499) || r["late"] != true || r["flagged"] != false {
		t.Errorf("late check-in: %v", r)
	}

	// The shared thread and the tasks.
	a.do("dept02.staff", "POST", path+"/messages", map[string]string{"body": "住建局已到场，正在核查违建"}, 201)
	a.do("dept03.staff", "POST", path+"/messages", map[string]string{"body": "我们也来"}, 404)
	a.do("dept02.staff", "POST", path+"/messages", map[string]string{"body": "x"}, 400)
	thread := decode[struct{ Messages []whistle.Post }](t, a.do("donghai.grid_worker", "GET", path+"/messages", nil, 200))
	if len(thread.Messages) != 1 || thread.Messages[0].OrgCode != "350503D02" {
		t.Errorf("thread: %+v", thread)
	}
	a.do("chengdong.leader", "GET", path+"/messages", nil, 404)
	a.do("dept01.staff", "POST", path+"/tasks/350503D01/done", map[string]string{"note": "摊点已清理，通道已畅通"}, 200)
	a.do("dept01.staff", "POST", path+"/tasks/350503D02/done", map[string]string{"note": "代报"}, 403)
	a.do("dept01.staff", "POST", path+"/tasks/350503D09/done", map[string]string{"note": "代报"}, 404)

	// The close waits for the case to be solved; then only the whistler closes and rates.
	a.do("donghai.grid_worker", "POST", path+"/close", nil, 409)
	a.do("donghai.grid_worker", "POST", path+"/ratings", map[string]any{"department_code": "350503D01", "stars": 5}, 409)
	for _, step := range []struct{ who, action, body string }{
		{"donghai.shift_lead", "register", ``},
		{"donghai.dispatcher", "dispatch", `{"department_code":"350503D01"}`},
		{"dept01.staff", "sign", ``},
		{"dept01.staff", "report_back", `{"note":"已联合处置完毕"}`},
		{"donghai.grid_worker", "verify", `{"result":"pass"}`},
	} {
		var body any
		if step.body != "" {
			body = step.body
		}
		if s, out := a.as(step.who).Raw("POST", "/api/v1/cases/"+caseID+"/actions/"+step.action, body); s != 200 {
			t.Fatalf("%s as %s: %d %s", step.action, step.who, s, out)
		}
	}
	a.do("donghai.community_staff", "POST", path+"/close", nil, 403)
	a.do("dept01.staff", "POST", path+"/close", nil, 403)
	closed := decode[whistle.Whistle](t, a.do("donghai.grid_worker", "POST", path+"/close", map[string]string{"note": "联合处置完毕"}, 200))
	if closed.Status != whistle.Closed || closed.ClosedAt == nil {
		t.Errorf("closed: %+v", closed)
	}
	a.do("donghai.grid_worker", "POST", path+"/cancel", map[string]string{"note": "已关闭"}, 409)
	a.do("donghai.grid_worker", "POST", path+"/ratings", map[string]any{"department_code": "350503D02", "stars": 0}, 400)
	a.do("dept01.staff", "POST", path+"/ratings", map[string]any{"department_code": "350503D01", "stars": 5}, 403)
	a.do("donghai.grid_worker", "POST", path+"/ratings", map[string]any{"department_code": "350503D01", "stars": 5, "note": "到场及时"}, 201)
	a.do("donghai.grid_worker", "POST", path+"/ratings", map[string]any{"department_code": "350503D01", "stars": 4}, 409)
	a.do("donghai.grid_worker", "POST", path+"/ratings", map[string]any{"department_code": "350503D02", "stars": 3}, 201)

	// Figures: 东海's leader sees both units, department 01 its own row.
	figures := "/api/v1/whistles/figures?from=2026-03-09&to=2026-03-09&level=department"
	tab := decode[whistle.FiguresTable](t, a.do("donghai.leader", "GET", figures, nil, 200))
	if len(tab.Rows) != 2 || *tab.Rows[0].OnTimeCheckInRate != 100 || *tab.Rows[1].OnTimeCheckInRate != 0 ||
		*tab.Rows[0].MedianCheckInMinutes != 10 || *tab.Rows[1].Rating != 3 {
		t.Errorf("东海's figures: %s", mustJSON(tab))
	}
	if tab := decode[whistle.FiguresTable](t, a.do("dept01.staff", "GET", figures, nil, 200)); len(tab.Rows) != 1 || tab.Rows[0].Code != "350503D01" {
		t.Errorf("department 01's figures: %s", mustJSON(tab))
	}
	if tab := decode[whistle.FiguresTable](t, a.do("chengdong.leader", "GET", figures, nil, 200)); len(tab.Rows) != 0 {
		t.Errorf("城东's leader sees 东海's figures: %s", mustJSON(tab))
	}
	a.do("donghai.leader", "GET", "/api/v1/whistles/figures?from=2026-03-09&to=2026-03-01&level=department", nil, 400)
	a.do("donghai.leader", "GET", "/api/v1/whistles/figures?from=2026-03-01&to=2026-03-09&level=grid", nil, 400)
	a.do("resident1", "GET", figures, nil, 403)

	// Escalation: a daily whistle blown at 10:00 is due at 10:00 the next working day; the job
	// tells 东海's leader (not the district's) once.
	a.advance(clock, 20*time.Minute) // 10:00
	other := report(a, "donghai", 24.9213, 118.5743)
	// 东梅's community staff cannot read a case of 东星: not found.
	a.do("donghai.community_staff", "POST", "/api/v1/whistles",
		map[string]any{"case_id": other, "kind": "daily", "department_codes": []string{"350503D05"}, "ask": "积水严重，请水利局到场"}, 404)
	daily := decode[whistle.Whistle](t, a.do("donghai.shift_lead", "POST", "/api/v1/whistles",
		map[string]any{"case_id": other, "kind": "daily", "department_codes": []string{"350503D05"}, "ask": "积水严重，请水利局到场"}, 201))
	if want := time.Date(2026, 3, 10, 10, 0, 0, 0, whistle.Zone); !daily.Summons[0].DueAt.Equal(want) {
		t.Errorf("daily due %s, want %s", daily.Summons[0].DueAt, want)
	}
	ctx := context.Background()
	for _, at := range []time.Duration{23 * time.Hour, 24*time.Hour + time.Minute, 25 * time.Hour} {
		n, err := srv.App.Whistles.Escalate(ctx, clock.Now().Add(at))
		if want := map[bool]int{true: 1, false: 0}[at == 24*time.Hour+time.Minute]; err != nil || n != want {
			t.Errorf("escalate at +%s: %d %v, want %d", at, n, err, want)
		}
	}
	notices := func(name string) string {
		return string(a.do(name, "GET", "/api/v1/notifications", nil, 200))
	}
	if n := notices("donghai.leader"); strings.Count(n, "未按时报到") != 1 {
		t.Errorf("东海's leader was not told once of the late check-in: %.500s", n)
	}
	if n := notices("district.leader"); strings.Contains(n, "未按时报到") {
		t.Errorf("the district's leader is told of every late check-in: %.300s", n)
	}
	if n := notices("dept05.staff"); !strings.Contains(n, "网格吹哨（日常）") {
		t.Errorf("the summoned unit was not told: %.300s", n)
	}
	if n := notices("donghai.grid_worker"); !strings.Contains(n, "超过 500 米") {
		t.Errorf("the whistler was not told of the far check-in: %.300s", n)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
