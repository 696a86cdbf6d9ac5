package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
)

func xmlUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := xml.Unmarshal(b, v); err != nil {
		t.Fatalf("XML: %v\n%s", err, b)
	}
}

// ids lists the service_request_ids of a JSON list of requests.
func ids(t *testing.T, v any) []string {
	t.Helper()
	var out []string
	for _, r := range objects(t, v) {
		checkRequest(t, r)
		out = append(out, r["service_request_id"].(string))
	}
	return out
}

func getRequests(e *env) {
	t := e.t
	x, j, v := e.both("/open311/v2/requests.{fmt}", 200)
	all := ids(t, v)
	// Every public case and only those: the report still at the desk is left out.
	if want := e.publicNumbers(start.Add(-time.Hour)); !slices.Equal(all, want) || len(all) != e.countCases()-1 ||
		slices.Contains(all, unregistered) || len(all) < 9 {
		t.Fatalf("%d requests %v for %d cases, want the public %v", len(all), all, e.countCases(), want)
	}
	if !slices.IsSortedFunc(all, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("not newest first: %v", all)
	}
	for _, r := range objects(t, v) {
		if r["service_notice"] != nil {
			t.Fatalf("a public request with the desk's notice: %v", r)
		}
	}
	// Empty parameters are no parameters.
	empty := "?jurisdiction_id=&service_request_id=&service_code=&start_date=&end_date=&status=&page=&page_size=" +
		"&lat=&long=&radius=&updated_after=&extensions="
	x2, j2, _ := e.both("/open311/v2/requests.{fmt}"+empty, 200)
	if !bytes.Equal(x.body, x2.body) || !bytes.Equal(j.body, j2.body) {
		t.Fatal("empty parameters answered differently from absent ones")
	}
	// service_request_id overrides every other argument, even wrong ones.
	// An unregistered one is left out as an unknown one is.
	_, _, v = e.both("/open311/v2/requests.{fmt}?service_request_id=20261127-0002,"+unregistered+",20261127-0001,nosuch&status=bogus&start_date=junk", 200)
	if got := ids(t, v); !slices.Equal(got, []string{"20261127-0002", "20261127-0001"}) {
		t.Fatalf("by ids: %v", got)
	}
	_, _, v = e.both("/open311/v2/requests.{fmt}?service_code=06010,C01001", 200)
	for _, r := range objects(t, v) {
		if r["service_code"] != "06010" && r["service_code"] != "C01001" {
			t.Fatalf("service_code filter let %v through", r["service_code"])
		}
	}
	if n := len(objects(t, v)); n != 3 {
		t.Fatalf("06010 and C01001: %d requests", n)
	}
	for query, want := range map[string]int{
		"status=open": len(all), "status=closed": 0, "status=open,closed": len(all),
		"start_date=2026-11-28T00:00:00%2B08:00":                        0,
		"end_date=2026-11-26T23:59:59%2B08:00":                          0,
		"start_date=2026-11-27T00:00:00+08:00":                          len(all), // "+" unencoded
		"start_date=2026-11-27T00:00:00Z&end_date=2026-11-27T03:00:00Z": len(all),
		"updated_after=2026-11-27T10:00:30%2B08:00":                     0,
		"updated_after=2026-11-27T09:00:00%2B08:00":                     len(all),
		"page_size=2":        2,
		"page=2&page_size=4": 4,
		fmt.Sprintf("page=%d&page_size=4", (len(all)+3)/4):                              (len(all)-1)%4 + 1,
		"lat=24.925&long=118.575&radius=5000&service_request_id=":                       len(all) - 1, // one registered without a place
		"lat=24.9&long=118.66&radius=50":                                                0,
		"service_code=06011&lat=24.925&long=118.575&radius=300&status=open&page_size=3": 3,
	} {
		_, _, v := e.both("/open311/v2/requests.{fmt}?"+query, 200)
		if got := len(objects(t, v)); got != want {
			t.Fatalf("%s: %d requests, want %d", query, got, want)
		}
	}
	_, _, v = e.both("/open311/v2/requests.{fmt}?page=2&page_size=4", 200)
	if got := ids(t, v); !slices.Equal(got, all[4:8]) {
		t.Fatalf("page 2: %v, want %v", got, all[4:8])
	}
	_, _, v = e.both("/open311/v2/requests.{fmt}?lat=24.925&long=118.575&radius=300", 200)
	for _, r := range objects(t, v) {
		la, _ := r["lat"].(json.Number).Float64()
		lo, _ := r["long"].(json.Number).Float64()
		if d := math.Hypot((la-24.925)*111320, (lo-118.575)*111320*math.Cos(24.925*math.Pi/180)); d > 320 {
			t.Fatalf("%v is %.0f m away", r["service_request_id"], d)
		}
	}
	bad := []struct {
		query  string
		status int
		n      int
	}{
		{"start_date=2026-01-01T00:00:00Z&end_date=2026-11-27T00:00:00Z", 400, 1},
		{"start_date=2026-11-27T00:00:00Z&end_date=2026-11-01T00:00:00Z", 400, 1},
		{"status=pending&start_date=yesterday&page=0", 400, 3},
		{"service_code=99999,06010,abc", 400, 2},
		{"extensions=yes", 400, 1},
		{"lat=24.925", 400, 1},
		{"lat=24.925&long=118.575&radius=0", 400, 1},
		{"page_size=1001", 400, 1},
		{"service_request_id=" + strings.Repeat("x,", 1001), 400, 1},
		{"jurisdiction_id=bad.gov&status=pending", 404, 1},
	}
	for _, b := range bad {
		x, j, _ := e.both("/open311/v2/requests.{fmt}?"+b.query, b.status)
		list := wantErrors(t, j, b.status, b.status)
		wantErrors(t, x, b.status, b.status)
		if len(list) != b.n {
			t.Fatalf("%s: %d errors, want %d: %s", b.query, len(list), b.n, j.body)
		}
	}
	for _, number := range []string{"20261127-9999", unregistered} {
		x, j, _ = e.both("/open311/v2/requests/"+number+".{fmt}", 404)
		wantErrors(t, x, 404, 404)
		wantErrors(t, j, 404, 404)
	}
	e.both("/open311/v2/requests/20261127-0001.{fmt}?jurisdiction_id=350503", 200)
	e.both("/open311/v2/requests/20261127-0001.{fmt}?jurisdiction_id=", 200)
	e.both("/open311/v2/requests/20261127-0001.{fmt}?jurisdiction_id=x", 404)
}

// act takes a workflow action as username (signed in afresh: the clock moves on between steps).
func (e *env) act(username, caseID, action string, body map[string]any) {
	e.t.Helper()
	e.clock.Advance(10 * time.Minute)
	c := e.srv.Login(e.t, username)
	if st, raw := c.Raw("POST", "/api/v1/cases/"+caseID+"/actions/"+action, body); st != 200 {
		e.t.Fatalf("%s by %s: %d %s", action, username, st, raw)
	}
}

func (e *env) caseID(number string) string {
	e.t.Helper()
	var id string
	if err := e.srv.App.DB.Read.QueryRow(`SELECT id FROM cases WHERE number = $1`, number).Scan(&id); err != nil {
		e.t.Fatalf("case %s: %v", number, err)
	}
	return id
}

// roundTrip: a client posts a report, follows it, the desk works it through the whole workflow,
// and the client sees it registered, dispatched, answered and closed, with every public step in
// words and nothing staff wrote to each other.
func roundTrip(e *env) {
	t := e.t
	a := e.post("json", form("api_key", e.key, "service_code", "06010", "lat", "24.9251", "long", "118.5752",
		"attribute[garbage_type]", "household", "description", "公交站台旁生活垃圾堆积", "first_name", "王",
		"last_name", "五", "phone", "13800000007"))
	var receipt []struct {
		ID string `json:"service_request_id"`
	}
	if a.status != 200 || json.Unmarshal(a.body, &receipt) != nil || receipt[0].ID == "" {
		t.Fatalf("post: %d %s", a.status, a.body)
	}
	number := receipt[0].ID
	path := "/open311/v2/requests/" + number + ".{fmt}?extensions=true"
	// statusNotes reads the request and checks its status and status_notes.
	statusNotes := func(when, status, notes string) map[string]any {
		t.Helper()
		_, j, v := e.both(path, 200)
		r := objects(t, v)[0]
		checkRequest(t, r)
		if r["status"] != status || r["status_notes"] != notes {
			t.Fatalf("%s: status %v, status_notes %v, want %s, %q: %s", when, r["status"], r["status_notes"], status, notes, j.body)
		}
		return r
	}
	e.unpublished(number)
	id := e.caseID(number)
	e.act("donghai.grid_worker", id, "confirm", map[string]any{"result": "pass", "note": "现场确认，王五在场"})
	e.unpublished(number) // confirmed, not yet registered
	e.act("donghai.shift_lead", id, "register", nil)
	if r := statusNotes("registered", "open", "已受理"); fmt.Sprint(r["lat"], " ", r["long"]) != "24.925 118.575" {
		t.Fatalf("the point rounded to 3 decimals: %v %v", r["lat"], r["long"])
	}
	e.act("donghai.dispatcher", id, "dispatch", map[string]any{"department_code": "350503D01", "note": "请尽快处理，联系王五"})
	if r := statusNotes("dispatched", "open", "已派给处理单位"); r["agency_responsible"] != "区城市管理局" {
		t.Fatalf("dispatched: %v", r)
	}
	e.act("dept01.staff", id, "sign", nil)
	e.act("donghai.shift_lead", id, "comment", map[string]any{"note": "内部提示：注意回访王先生", "internal": true})
	e.act("district.leader", id, "supervise", map[string]any{"note": "督办：务必本周内清运"})
	e.act("dept01.staff", id, "handle", map[string]any{"note": "已安排清运车辆，联系人电话 0595-22345678"})
	// Neither the 督办 nor the handling note; the handling deadline, while it runs.
	if r := statusNotes("handling", "open", "处理单位已接单"); r["expected_datetime"] == nil {
		t.Fatalf("handling without its deadline: %v", r)
	}
	// The unit's public reply replaces the step's words, through the one redaction function.
	if st, raw := e.srv.Login(t, "dept01.staff").Raw("PUT", "/api/v1/cases/"+id+"/publication",
		map[string]any{"public_reply": "已安排清运车辆，如有疑问请致电 0595-22345678"}); st != 200 {
		t.Fatalf("public reply: %d %s", st, raw)
	}
	statusNotes("answered", "open", "已安排清运车辆，如有疑问请致电 ***")
	e.act("dept01.staff", id, "report_back", map[string]any{"note": "已清运完毕"})
	e.act("donghai.grid_worker", id, "verify", map[string]any{"result": "pass"})
	e.act("donghai.shift_lead", id, "close", nil)
	x, j, v := e.both(path, 200)
	golden(t, "roundtrip.xml", x.body)
	golden(t, "roundtrip.json", j.body)
	r := objects(t, v)[0]
	checkRequest(t, r)
	if r["status"] != "closed" || r["status_notes"] != "已安排清运车辆，如有疑问请致电 ***" || r["agency_responsible"] != "区城市管理局" ||
		r["updated_datetime"] != "2026-11-27T11:41:00+08:00" {
		t.Fatalf("closed: %s", j.body)
	}
	var steps, words []string
	for _, n := range r["notes"].([]any) {
		steps = append(steps, n.(map[string]any)["type"].(string))
		words = append(words, n.(map[string]any)["description"].(string))
	}
	if !slices.Equal(steps, []string{"report", "register", "dispatch", "sign", "report_back", "verify", "close"}) {
		t.Fatalf("public timeline: %v", steps)
	}
	if !slices.Equal(words, []string{"收到反映", "已受理", "已派给处理单位", "处理单位已接单", "处理单位报告已处理", "已到现场核查", "已办结"}) {
		t.Fatalf("public timeline in words: %v", words)
	}
	body := string(x.body) + string(j.body)
	secrets := []string{"内部", "22345678", "王五", "13800000007", "王先生", "督办", "务必", "现场确认", "已清运完毕", "请尽快"}
	for _, username := range []string{"donghai.grid_worker", "donghai.shift_lead", "donghai.dispatcher", "dept01.staff", "district.leader"} {
		var name string
		if err := e.srv.App.DB.Read.QueryRow(`SELECT display_name FROM users WHERE username = $1`, username).Scan(&name); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, username, name)
	}
	for _, secret := range secrets {
		if strings.Contains(body, secret) {
			t.Fatalf("closed request shows %q", secret)
		}
	}
	_, _, v = e.both("/open311/v2/requests.{fmt}?status=closed", 200)
	if got := ids(t, v); !slices.Equal(got, []string{number}) {
		t.Fatalf("closed requests: %v", got)
	}
	_, _, v = e.both("/open311/v2/requests.{fmt}?updated_after=2026-11-27T11:40:00%2B08:00", 200)
	if got := ids(t, v); !slices.Equal(got, []string{number}) {
		t.Fatalf("updated after: %v", got)
	}
}

// jpegWithEXIF is a small JPEG carrying an EXIF segment with a made-up GPS marker.
func jpegWithEXIF(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00GPS-SECRET-24.9251N-118.5752E")
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

// reportWithPhoto reports as a resident through the JSON API and adds a photo; a private report
// is one the resident chose not to publish (不公开).
func (e *env) reportWithPhoto(username string, private bool) (number, photoID string) {
	t := e.t
	c := e.srv.Login(t, username)
	var created struct{ ID, Number string }
	st := c.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06011", "lat": 24.9262, "lng": 118.5741,
		"description": "楼下渣土堆了一周", "private": private}, &created)
	if st != 201 {
		t.Fatalf("resident report: %d", st)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("photo", "p.jpg")
	fw.Write(jpegWithEXIF(t))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/cases/"+created.ID+"/photos", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("photo upload: %v %v", err, resp.Status)
	}
	var added struct{ Photos []struct{ ID string } }
	json.NewDecoder(resp.Body).Decode(&added)
	resp.Body.Close()
	if len(added.Photos) != 1 {
		t.Fatalf("photos: %v", added)
	}
	return created.Number, added.Photos[0].ID
}

func media(e *env) {
	t := e.t
	lead := e.srv.Login(t, "donghai.shift_lead")
	// showPhotos sets which photos of a case are public, as the desk does.
	showPhotos := func(number string, photoIDs ...string) {
		t.Helper()
		if st, raw := lead.Raw("PUT", "/api/v1/cases/"+e.caseID(number)+"/publication",
			map[string]any{"public_photos": append([]string{}, photoIDs...)}); st != 200 {
			t.Fatalf("public photos of %s: %d %s", number, st, raw)
		}
	}
	number, photoID := e.reportWithPhoto("resident1", false)
	e.unpublished(number)
	e.register(number)
	photo := "/open311/v2/media/" + photoID + ".jpg"
	// A photo is public only once staff mark it so.
	_, j, v := e.both("/open311/v2/requests/"+number+".{fmt}", 200)
	if r := objects(t, v)[0]; r["media_url"] != nil {
		t.Fatalf("a photo nobody marked public: %s", j.body)
	}
	wantErrors(t, e.get(photo), 404, 404)
	showPhotos(number, photoID)
	_, j, v = e.both("/open311/v2/requests/"+number+".{fmt}", 200)
	r := objects(t, v)[0]
	checkRequest(t, r)
	want := "https://yiwang.example/open311/v2/media/" + photoID + ".jpg"
	if r["media_url"] != want || strings.Contains(string(j.body), "张三") {
		t.Fatalf("media_url %v, want %s: %s", r["media_url"], want, j.body)
	}
	a := e.get(photo)
	if a.status != 200 || a.ctype != "image/jpeg" || bytes.Contains(a.body, []byte("Exif")) || bytes.Contains(a.body, []byte("GPS-SECRET")) {
		t.Fatalf("photo: %d %s, %d bytes, metadata kept: %v", a.status, a.ctype, len(a.body), bytes.Contains(a.body, []byte("GPS-SECRET")))
	}
	if _, err := jpeg.Decode(bytes.NewReader(a.body)); err != nil {
		t.Fatal(err)
	}
	// Taken back, it is gone again.
	showPhotos(number)
	if _, _, v = e.both("/open311/v2/requests/"+number+".{fmt}", 200); objects(t, v)[0]["media_url"] != nil {
		t.Fatalf("a photo taken back is still shown: %v", v)
	}
	wantErrors(t, e.get(photo), 404, 404)
	// A report its reporter chose not to publish stays out, registered or not, photo marked or not.
	number, photoID = e.reportWithPhoto("resident2", true)
	e.register(number)
	showPhotos(number, photoID)
	e.unpublished(number)
	wantErrors(t, e.get("/open311/v2/media/"+photoID+".jpg"), 404, 404)
	wantErrors(t, e.get("/open311/v2/media/nosuch.jpg"), 404, 404)
}

func paths(e *env) {
	t := e.t
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"DELETE", "/open311/v2/requests.json", 400},
		{"PUT", "/open311/v2/requests/20261127-0001.xml", 400},
		{"POST", "/open311/discovery.json", 400},
		{"POST", "/open311/v2/services.xml", 400},
		{"GET", "/open311/v2/requests.csv", 404},
		{"GET", "/open311/v2/nothing.xml", 404},
		{"GET", "/open311/v3/services.xml", 404},
		{"GET", "/open311/discovery", 404},
		{"GET", "/open311/v2/services/06010", 404},
		{"GET", "/open311/v2/media/x.png", 404},
	} {
		a := e.do(c.method, c.path, nil)
		wantErrors(t, a, c.status, c.status)
		if strings.HasSuffix(c.path, ".json") != strings.HasPrefix(a.ctype, "application/json") {
			t.Fatalf("%s %s answered in %s", c.method, c.path, a.ctype)
		}
	}
}

// defaultWindowAndLimit: without dates GET requests covers 90 days and at most 1000 requests.
func defaultWindowAndLimit(e *env) {
	t := e.t
	now := time.Now().UTC().Truncate(time.Second)
	e.clock.Advance(now.Sub(e.clock.Now()))
	// Enough cases that more than 1000 of the window's are public (registered and not private):
	// some of the generated ones are still at the desk, voided or merged (about 1090 are left).
	if err := casegen.Generate(context.Background(), e.srv.App.DB, casegen.Options{Count: 1250, Days: 95, Seed: 4}, nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	inWindow := len(e.publicNumbers(e.clock.Now().Add(-90 * 24 * time.Hour)))
	if inWindow <= 1000 {
		t.Fatalf("the generator left %d public cases in the window", inWindow)
	}
	_, _, v := e.both("/open311/v2/requests.{fmt}", 200)
	list := objects(t, v)
	if len(list) != 1000 {
		t.Fatalf("%d requests by default", len(list))
	}
	oldest := e.clock.Now().Add(-90 * 24 * time.Hour)
	for _, r := range list {
		at, _ := time.Parse(time.RFC3339, r["requested_datetime"].(string))
		if at.Before(oldest) {
			t.Fatalf("%v is older than 90 days", r["service_request_id"])
		}
	}
	_, _, v = e.both("/open311/v2/requests.{fmt}?page=2", 200)
	if n := len(objects(t, v)); n != inWindow-1000 {
		t.Fatalf("page 2: %d, want %d", n, inWindow-1000)
	}
	from := e.clock.Now().Add(-96 * 24 * time.Hour).Format(time.RFC3339)
	to := e.clock.Now().Add(-90*24*time.Hour - time.Minute).Format(time.RFC3339)
	_, _, v = e.both("/open311/v2/requests.{fmt}?start_date="+strings.ReplaceAll(from, "+", "%2B")+"&end_date="+strings.ReplaceAll(to, "+", "%2B"), 200)
	list = objects(t, v)
	if len(list) == 0 || len(list) == 1000 {
		t.Fatalf("an older window: %d requests", len(list))
	}
	for _, r := range list {
		at, _ := time.Parse(time.RFC3339, r["requested_datetime"].(string))
		if at.After(oldest) {
			t.Fatalf("%v is not in the older window", r["service_request_id"])
		}
	}
}
