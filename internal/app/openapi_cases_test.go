package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/yiwang-gov/yiwang/internal/apptest"
)

func init() {
	// A case import is newline-delimited JSON: the document describes its lines as an array.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", oaNDJSON)
}

// oaNDJSON decodes one JSON value a line (blank lines skipped) into an array.
func oaNDJSON(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	out := []any{}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

// oaJPEG is a small JPEG photo.
func oaJPEG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oaForm is a multipart/form-data body with the given files (field → content) in order.
func oaForm(t *testing.T, files ...[2]string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="photo%d.jpg"`, f[0], i))
		h.Set("Content-Type", "image/jpeg")
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write([]byte(f[1]))
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// oaCase is what the calls read of a case.
type oaCase struct {
	ID         string `json:"id"`
	Number     string `json:"number"`
	Status     string `json:"status"`
	GridCode   string `json:"grid_code"`
	StageDue   string `json:"stage_due"`
	Duplicates []struct {
		ID string `json:"id"`
	} `json:"duplicates"`
	FollowToken    string   `json:"follow_token"`
	AllowedActions []string `json:"allowed_actions"`
}

// oaCaseCalls calls the case desk's operations (call it from oaCalls).
func oaCaseCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	resident := srv.Login(t, "resident1")
	worker := srv.Login(t, "donghai.grid_worker")
	intake := srv.Login(t, "donghai.intake_operator")
	lead := srv.Login(t, "donghai.shift_lead")
	staff := srv.Login(t, "dept01.staff")
	leader := srv.Login(t, "donghai.leader")
	sys := srv.Login(t, "sysadmin")
	sec := srv.Login(t, "secadmin")
	// A point of 东梅社区第1网格 (东海街道), in donghai.grid_worker's community.
	const lat, lng = 24.925, 118.574
	const unknown = "/api/v1/cases/0190a0a0-0000-7000-8000-00000000dead"
	clients := map[string]*apptest.Client{}
	as := func(username string) *apptest.Client {
		if clients[username] == nil {
			clients[username] = srv.Login(t, username)
		}
		return clients[username]
	}

	// Reports.
	var c1, c2, c3 oaCase
	oaDecode(t, k.do(t, oaCall{as: resident, method: "POST", path: "/api/v1/cases", want: 201, body: map[string]any{
		"category_code": "06010", "lat": lat, "lng": lng, "description": "路边有暴露垃圾，无人清理", "address": "东海大道 1 号"}}), &c1)
	if c1.Status != "confirming" || c1.GridCode != "350503001001001" || c1.StageDue == "" || c1.Number == "" {
		t.Errorf("new case: %+v", c1)
	}
	oaDecode(t, k.do(t, oaCall{as: intake, method: "POST", path: "/api/v1/cases", want: 201, body: map[string]any{
		"channel": "hotline_12345", "kind": "complaint", "category_class": "event", "category_code": "06010", "urgency": "urgent",
		"lat": lat + 0.0001, "lng": lng + 0.0001, "description": "暴露垃圾没人管", "reporter_name": "李四", "reporter_phone": "13900001234"}}), &c2)
	if len(c2.Duplicates) == 0 || c2.Duplicates[0].ID != c1.ID || c2.FollowToken == "" {
		t.Errorf("a second report nearby: duplicates %+v, follow token %q", c2.Duplicates, c2.FollowToken)
	}
	oaDecode(t, k.do(t, oaCall{as: worker, method: "POST", path: "/api/v1/cases", want: 201, body: map[string]any{
		"kind": "suggestion", "lat": lat, "lng": lng, "description": "建议增设垃圾桶", "anonymous": true}}), &c3)
	if c3.Status != "reported" || c3.FollowToken == "" {
		t.Errorf("a patrol report without category: %+v", c3)
	}
	badReports := []struct {
		as      string
		body    any
		want    int
		invalid bool
	}{
		{"resident1", map[string]any{"lat": 30, "lng": 120, "description": "区外的问题"}, 400, false},
		{"resident1", map[string]any{"lat": lat, "lng": lng, "description": "未知类别", "category_code": "99999"}, 400, false},
		{"resident1", map[string]any{"lat": lat, "lng": lng, "description": "热线渠道", "channel": "hotline_12345"}, 400, false},
		{"resident1", map[string]any{"lat": lat, "lng": lng, "description": "坏电话", "reporter_phone": "12345"}, 400, false},
		{"resident1", map[string]any{"lat": 0, "lng": 0, "description": "x", "kind": "rant"}, 400, true},
		{"resident1", map[string]any{"lat": lat, "lng": lng, "description": "补录", "reported_at": "2026-01-01T00:00:00Z"}, 400, true},
		{"resident1", map[string]any{"lng": lng, "description": "没有纬度"}, 400, true},
		{"resident1", `{"lat": 24.925, "lng": 118.574, "description": "两个对象"} {}`, 400, false},
		{"resident1", map[string]any{"lat": lat, "lng": lng, "description": strings.Repeat("长", 25000)}, 413, true},
		{"secadmin", map[string]any{"lat": lat, "lng": lng, "description": "管理员不上报"}, 403, false},
		{"donghai.dispatcher", map[string]any{"lat": lat, "lng": lng, "description": "派遣员不上报"}, 403, false},
	}
	for _, c := range badReports {
		k.do(t, oaCall{as: as(c.as), method: "POST", path: "/api/v1/cases", body: c.body, want: c.want, invalid: c.invalid})
	}
	k.do(t, oaCall{as: resident, method: "POST", path: "/api/v1/cases", body: "lat=1", contentType: "text/plain", want: 415, invalid: true})

	// Photos: the reporter's, while the case is new.
	photos := "/api/v1/cases/" + c1.ID + "/photos"
	jpg := string(oaJPEG(t))
	form, formType := oaForm(t, [2]string{"photo", jpg}, [2]string{"photo", jpg})
	var added struct {
		Photos []struct {
			ID       string `json:"id"`
			URL      string `json:"url"`
			ThumbURL string `json:"thumbnail_url"`
		} `json:"photos"`
	}
	oaDecode(t, k.do(t, oaCall{as: resident, method: "POST", path: photos, body: form, contentType: formType, want: 201}), &added)
	if len(added.Photos) != 2 {
		t.Fatalf("photos added: %+v", added)
	}
	notImage, notImageType := oaForm(t, [2]string{"photo", "not a photo"})
	k.do(t, oaCall{as: resident, method: "POST", path: photos, body: notImage, contentType: notImageType, want: 415})
	other, otherType := oaForm(t, [2]string{"picture", jpg})
	k.do(t, oaCall{as: resident, method: "POST", path: photos, body: other, contentType: otherType, want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "POST", path: photos, body: jpg, contentType: "image/jpeg", want: 415, invalid: true})
	k.do(t, oaCall{as: leader, method: "POST", path: photos, body: form, contentType: formType, want: 403})
	k.do(t, oaCall{as: sys, method: "POST", path: photos, body: form, contentType: formType, want: 403})
	k.do(t, oaCall{as: resident, method: "POST", path: unknown + "/photos", body: form, contentType: formType, want: 404})
	k.do(t, oaCall{as: lead, method: "GET", path: photos, want: 200})
	k.do(t, oaCall{as: sec, method: "GET", path: photos, want: 403})
	k.do(t, oaCall{as: staff, method: "GET", path: photos, want: 404})
	if got := k.do(t, oaCall{as: resident, method: "GET", path: added.Photos[0].URL, want: 200}); !bytes.HasPrefix(got, []byte("\xff\xd8")) {
		t.Error("a photo is not a JPEG")
	}
	k.do(t, oaCall{as: worker, method: "GET", path: added.Photos[1].ThumbURL, want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: photos + "/0190a0a0-0000-7000-8000-00000000beef", want: 404})
	k.do(t, oaCall{as: sec, method: "GET", path: added.Photos[0].URL, want: 403})

	// The queue and one case.
	var page struct {
		Cases      []oaCase `json:"cases"`
		NextCursor string   `json:"next_cursor"`
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?limit=1", want: 200}), &page)
	if len(page.Cases) != 1 || page.NextCursor == "" {
		t.Errorf("a full first page: %+v", page)
	}
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?limit=1&cursor=" + page.NextCursor, want: 200})
	oaDecode(t, k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases?sort=newest&limit=2", want: 200}), &page)
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases?sort=newest&limit=2&cursor=" + page.NextCursor, want: 200})
	k.do(t, oaCall{as: intake, method: "GET", want: 200, path: "/api/v1/cases?status=confirming,reported&subdistrict=350503001&community=350503001001" +
		"&grid=350503001001001&zone=350503001Z01&category=06010&channel=hotline_12345&urgency=urgent&overdue=false&q=垃圾"})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/cases?mine=true", want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?cursor=@@", want: 400})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?limit=0", want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?status=bogus", want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?sort=oldest", want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?overdue=maybe", want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?q=" + strings.Repeat("长", 101), want: 400, invalid: true})
	k.do(t, oaCall{as: sec, method: "GET", path: "/api/v1/cases", want: 403})
	one := "/api/v1/cases/" + c1.ID
	k.do(t, oaCall{as: resident, method: "GET", path: one, want: 200})
	k.do(t, oaCall{as: intake, method: "GET", path: "/api/v1/cases/" + c2.ID, want: 200})
	k.do(t, oaCall{as: staff, method: "GET", path: one, want: 404})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/cases/" + c3.ID, want: 404})
	k.do(t, oaCall{as: sys, method: "GET", path: one, want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: unknown, want: 404})

	// Duplicates (重复件), the public map and the follow link.
	var near struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	oaDecode(t, k.do(t, oaCall{as: intake, method: "GET", path: one + "/nearby", want: 200}), &near)
	if len(near.Cases) == 0 || near.Cases[0].ID != c2.ID {
		t.Errorf("nearby cases of %s: %+v", c1.Number, near)
	}
	k.do(t, oaCall{as: intake, method: "GET", path: unknown + "/nearby", want: 404})
	k.do(t, oaCall{as: sec, method: "GET", path: one + "/nearby", want: 403})
	k.do(t, oaCall{as: resident, method: "GET", path: fmt.Sprintf("/api/v1/public/cases?lat=%v&lng=%v&radius=500", lat, lng), want: 200})
	k.do(t, oaCall{as: sec, method: "GET", path: "/api/v1/public/cases?lat=24.9&lng=118.6", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/public/cases?lat=24.9", want: 400})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/public/cases?lat=24.9&lng=118.6&radius=10", want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/public/cases?lat=24.9&lng=118.6&radius=far", want: 400, invalid: true})
	k.do(t, oaCall{method: "GET", path: "/api/v1/follow/" + c3.FollowToken, want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/follow/" + strings.Repeat("x", 32), want: 404})

	// The workflow, from 核实 to 评价, with the refusals on the way.
	act := func(on *oaCase, who string, action string, body any, want int, invalid bool) oaCase {
		t.Helper()
		var c oaCase
		path := "/api/v1/cases/" + on.ID + "/actions/" + action
		got := k.do(t, oaCall{as: as(who), method: "POST", path: path, body: body, want: want, invalid: invalid})
		if want == 200 {
			oaDecode(t, got, &c)
		}
		return c
	}
	act(&c1, "donghai.grid_worker", "confirm", map[string]any{"result": "maybe"}, 400, true)
	act(&c1, "resident1", "register", nil, 403, false)
	act(&c1, "donghai.grid_worker", "confirm", map[string]any{"result": "pass", "note": "现场属实"}, 200, false)
	act(&c1, "donghai.grid_worker", "confirm", map[string]any{"result": "pass"}, 409, false)
	act(&c2, "donghai.intake_operator", "merge", map[string]any{"target_id": "0190a0a0-0000-7000-8000-00000000dead"}, 404, false)
	act(&c2, "donghai.intake_operator", "merge", map[string]any{"target_id": c2.ID}, 400, false)
	if merged := act(&c2, "donghai.intake_operator", "merge", map[string]any{"target_id": c1.ID, "note": "同一问题"}, 200, false); merged.Status != "merged" {
		t.Errorf("merged case: %+v", merged)
	}
	k.do(t, oaCall{method: "GET", path: "/api/v1/follow/" + c2.FollowToken, want: 200})
	act(&c1, "donghai.shift_lead", "void", map[string]any{}, 400, false)
	act(&c1, "donghai.shift_lead", "register", nil, 200, false)
	// Registered: c1 is public (issue 14), to anyone, without sign-in.
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/cases?limit=10&status=accepted", want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/cases?limit=0", want: 400, invalid: true})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/cases/" + c1.Number, want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/cases/" + c3.Number, want: 404})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/photos/0190a0a0-0000-7000-8000-00000000dead", want: 404})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/grids", want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/figures", want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/figures?from=2026-12-31&to=2026-01-01", want: 400})
	publication := "/api/v1/cases/" + c1.ID + "/publication"
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "PUT", path: publication, body: map[string]any{"public_text": "路边暴露垃圾"}, want: 200})
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "PUT", path: publication, body: map[string]any{}, want: 400, invalid: true})
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "PUT", path: publication, body: map[string]any{"public_photos": []string{"nope"}}, want: 400})
	k.do(t, oaCall{as: as("donghai.grid_worker"), method: "PUT", path: publication, body: map[string]any{"public_reply": "好"}, want: 403})
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "PUT", path: publication, body: "{", want: 400, invalid: true})
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "PUT", path: publication, body: "x", contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "PUT", path: publication, body: `{"public_text":"` + strings.Repeat("长", 7000) + `"}`, want: 413, invalid: true})
	k.do(t, oaCall{method: "PUT", path: publication, body: map[string]any{"public_reply": "好"}, want: 401})
	act(&c1, "donghai.dispatcher", "dispatch", map[string]any{}, 400, false)
	act(&c1, "donghai.dispatcher", "dispatch", map[string]any{"department_code": "350503D99"}, 400, false)
	act(&c1, "donghai.dispatcher", "dispatch", map[string]any{"department_code": "350503D01", "assisting_department_codes": []string{"350503D01"}}, 400, false)
	act(&c1, "donghai.dispatcher", "dispatch", map[string]any{"department_code": "350503D01", "assisting_department_codes": []string{"350503D17"}}, 200, false)
	act(&c1, "dept01.staff", "sign", nil, 200, false)
	act(&c1, "dept01.staff", "sign", nil, 409, false)
	later := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	act(&c1, "dept01.staff", "request_extension", map[string]any{"note": "需要协调环卫车辆", "new_deadline": later}, 200, false)
	act(&c1, "dept01.staff", "request_extension", map[string]any{"note": "再次申请", "new_deadline": later}, 409, false)
	act(&c1, "donghai.dispatcher", "approve_extension", map[string]any{"note": "同意"}, 200, false)
	act(&c1, "donghai.leader", "supervise", map[string]any{"note": "请尽快处理"}, 200, false)
	act(&c1, "donghai.leader", "comment", map[string]any{"note": "内部备注", "internal": true}, 200, false)
	evidence, evidenceType := oaForm(t, [2]string{"photo", jpg})
	k.do(t, oaCall{as: staff, method: "POST", path: photos, body: evidence, contentType: evidenceType, want: 201})
	act(&c1, "dept01.staff", "handle", map[string]any{"note": "正在清理"}, 200, false)
	act(&c1, "dept01.staff", "report_back", map[string]any{"note": "已清理完毕"}, 200, false)
	act(&c1, "donghai.grid_worker", "verify", map[string]any{"result": "pass"}, 200, false)
	if closed := act(&c1, "donghai.shift_lead", "close", nil, 200, false); closed.Status != "closed" {
		t.Errorf("closed case: %+v", closed)
	}
	act(&c1, "resident1", "rate", map[string]any{"rating": "satisfied"}, 200, false)
	act(&c1, "resident1", "rate", map[string]any{"rating": "satisfied"}, 409, false)
	act(&c1, "resident1", "rate", map[string]any{"rating": "great"}, 409, true)
	act(&c1, "resident1", "fly", nil, 404, true)
	act(&c1, "donghai.shift_lead", "comment", map[string]any{"note": "备注", "mood": "good"}, 400, true)
	act(&c1, "donghai.shift_lead", "comment", map[string]any{"note": strings.Repeat("长", 6000)}, 413, true)
	k.do(t, oaCall{as: lead, method: "POST", path: one + "/actions/comment", body: `{"note": "文本"}`, contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: lead, method: "POST", path: unknown + "/actions/register", want: 404})
	k.do(t, oaCall{as: sec, method: "POST", path: one + "/actions/comment", body: map[string]any{"note": "安全管理员"}, want: 403})

	// The history.
	var events struct {
		Events []struct {
			Action string `json:"action"`
		} `json:"events"`
	}
	oaDecode(t, k.do(t, oaCall{as: resident, method: "GET", path: one + "/events", want: 200}), &events)
	for _, e := range events.Events {
		if e.Action == "comment" {
			t.Error("the reporter sees an internal comment")
		}
	}
	k.do(t, oaCall{as: staff, method: "GET", path: one + "/events", want: 200})
	k.do(t, oaCall{as: sec, method: "GET", path: one + "/events", want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: unknown + "/events", want: 404})

	// Import from a district's old system.
	imp := "/api/v1/import/cases"
	lines := `{"external_id": "OLD-1", "category_code": "06010", "lat": 24.925, "lng": 118.574, "description": "历史案件一",` +
		` "reported_at": "2025-03-03T02:00:00Z", "deadline": "2025-03-05T09:00:00Z", "events": [` +
		`{"action": "register", "at": "2025-03-03T03:00:00Z"},` +
		`{"action": "dispatch", "at": "2025-03-03T04:00:00Z", "department_code": "350503D01", "assisting_department_codes": ["350503D17"]},` +
		`{"action": "sign", "at": "2025-03-03T05:00:00Z"}]}` + "\n\n" +
		`{"external_id": "OLD-2", "channel": "hotline_12345", "lat": 24.925, "lng": 118.574, "description": "历史案件二",` +
		` "reporter_phone": "13800001111", "reported_at": "2025-03-04T02:00:00Z", "events": []}` + "\n"
	var report struct {
		Imported int `json:"imported"`
		Skipped  int `json:"skipped"`
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "POST", path: imp, body: lines, contentType: "application/x-ndjson", want: 200}), &report)
	if report.Imported != 2 {
		t.Errorf("import: %+v", report)
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "POST", path: imp, body: lines, contentType: "application/x-ndjson", want: 200}), &report)
	if report.Skipped != 2 {
		t.Errorf("import again: %+v", report)
	}
	k.do(t, oaCall{as: sys, method: "POST", path: imp, contentType: "application/x-ndjson", want: 400,
		body: `{"external_id": "OLD-3", "lat": 24.925, "lng": 118.574, "description": "顺序不对", "reported_at": "2025-03-01T02:00:00Z",` +
			` "events": [{"action": "close", "at": "2025-03-01T03:00:00Z"}]}` + "\n" +
			`{"external_id": "OLD-4", "lat": 30, "lng": 120, "description": "区外", "reported_at": "2025-03-01T02:00:00Z"}` + "\n"})
	k.do(t, oaCall{as: sys, method: "POST", path: imp, contentType: "application/x-ndjson", want: 400, invalid: true,
		body: `{"external_id": "OLD-5", "lat": 24.925, "lng": 118.574, "description": "没有时间"}` + "\n" + `{"x": 1}` + "\n" + "not json\n"})
	k.do(t, oaCall{as: leader, method: "POST", path: imp, body: lines, contentType: "application/x-ndjson", want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases?channel=import&status=handling", want: 200})

	// Exports, statistics and overdue cases (internal/cases/export.go, stats.go).
	if csv := k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/export?format=csv&lang=en", want: 200}); !bytes.HasPrefix(csv, []byte("\ufeffCase number,")) {
		t.Errorf("case export: %.80q", csv)
	}
	if xlsx := k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases/export?format=xlsx&status=closed", want: 200}); !bytes.HasPrefix(xlsx, []byte("PK")) {
		t.Errorf("case export as xlsx: %.20q", xlsx)
	}
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/export?format=pdf", want: 400, invalid: true})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/export?format=csv&status=lost", want: 400, invalid: true})
	k.do(t, oaCall{as: sec, method: "GET", path: "/api/v1/cases/export?format=csv", want: 403})
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	var stats struct {
		Groups []struct {
			Key   string `json:"key"`
			Count int    `json:"count"`
		} `json:"groups"`
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases/stats?group=category&from=" + today + "&to=" + today, want: 200}), &stats)
	reports06010 := 0
	for _, g := range stats.Groups {
		if g.Key == "06010" {
			reports06010 = g.Count
		}
	}
	if reports06010 < 2 {
		t.Errorf("today's categories miss the two reports of 06010: %+v", stats.Groups)
	}
	k.do(t, oaCall{as: staff, method: "GET", path: "/api/v1/cases/stats?group=place&limit=5&from=" + today + "&to=" + today, want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/stats?group=place&level=grid&code=350503001001001&from=" + today + "&to=" + today, want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/stats?group=street&from=" + today + "&to=" + today, want: 400, invalid: true})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/stats?group=category&from=2026-03-31&to=2026-03-01", want: 400})
	k.do(t, oaCall{as: sec, method: "GET", path: "/api/v1/cases/stats?group=category&from=2026-03-01&to=2026-03-31", want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/cases/overdue?limit=20", want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/overdue?level=community&code=350503001001", want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/overdue?limit=500", want: 400, invalid: true})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/cases/overdue?level=grid", want: 400})
	k.do(t, oaCall{as: sec, method: "GET", path: "/api/v1/cases/overdue", want: 403})
}
