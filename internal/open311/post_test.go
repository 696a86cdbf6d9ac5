package open311_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/open311"
)

// form builds a POST body from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func (e *env) countCases() int {
	e.t.Helper()
	var n int
	if err := e.srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func postErrors(e *env) {
	t := e.t
	before := e.countCases()
	// good is a valid report with some fields replaced.
	good := func(kv ...string) url.Values {
		f := form("api_key", e.key, "service_code", "06010", "lat", lat, "long", lng, "attribute[garbage_type]", "household")
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	for _, f := range []string{"xml", "json"} {
		noKey := good()
		noKey.Del("api_key")
		wantErrors(t, e.post(f, noKey), 403, 403)
		wantErrors(t, e.post(f, good("api_key", "yw311_not-a-key")), 403, 403)
		bad := good()
		bad.Set("api_key", "yw311_not-a-key")
		wantErrors(t, e.post(f, bad), 403, 403)
		wantErrors(t, e.post(f, good("jurisdiction_id", "sfgov.org")), 404, 404)
	}
	// Several wrong fields: every one is named at once.
	list := wantErrors(t, e.post("json", form("api_key", e.key, "lat", "north", "email", "not-an-address",
		"media_url", "ftp://example.com/a.jpg", "phone", "12345")), 400, 400, 400, 400, 400)
	if len(list) != 5 {
		t.Fatalf("want 5 errors (service_code, lat/long, phone, email, media_url): %+v", list)
	}
	// An unknown service is not found (404), and the other problems still come with it.
	list = wantErrors(t, e.post("xml", form("api_key", e.key, "service_code", "99999", "lat", lat)), 404)
	if len(list) != 2 || list[0].Code != 404 || list[1].Code != 400 {
		t.Fatalf("unknown service plus a lone lat: %+v", list)
	}
	cases := []struct {
		name string
		form url.Values
		want string // in a description
	}{
		{"no location", form("api_key", e.key, "service_code", "06010", "attribute[garbage_type]", "household"), "lat"},
		{"lat without long", good("long", ""), "lat"},
		{"outside the district", form("api_key", e.key, "service_code", "06010", "lat", "39.9042", "long", "116.4074",
			"attribute[garbage_type]", "household"), "lat/long"},
		{"required attribute", form("api_key", e.key, "service_code", "06010", "lat", lat, "long", lng), "garbage_type"},
		{"not an option", good("attribute[garbage_type]", "plastic"), "garbage_type"},
		{"two values for one", form("api_key", e.key, "service_code", "06010", "lat", lat, "long", lng,
			"attribute[garbage_type][]", "household", "attribute[garbage_type][]", "bulky"), "garbage_type"},
		{"not a number", good("attribute[volume_m3]", "a lot"), "volume_m3"},
		{"not a datetime", form("api_key", e.key, "service_code", "09009", "lat", lat, "long", lng,
			"attribute[fire_lane]", "yes", "attribute[seen_at]", "yesterday"), "seen_at"},
		{"multi-value not an option", form("api_key", e.key, "service_code", "C01001", "lat", lat, "long", lng,
			"attribute[cover_state][]", "missing", "attribute[cover_state][]", "melted"), "cover_state"},
		{"string with a line break", form("api_key", e.key, "service_code", "09009", "lat", lat, "long", lng,
			"attribute[fire_lane]", "no", "attribute[plate]", "闽C\n12345"), "plate"},
		{"description too long", good("description", strings.Repeat("长", 4001)), "description"},
		{"unknown address_id", good("lat", "", "long", "", "address_id", "999"), "999"},
	}
	for _, c := range cases {
		if c.form.Get("lat") == "" {
			c.form.Del("lat")
			c.form.Del("long")
		}
		a := e.post("json", c.form)
		list := wantErrors(t, a, 400, 400)
		if !strings.Contains(fmt.Sprint(list), c.want) {
			t.Fatalf("%s: %s does not name %s", c.name, a.body, c.want)
		}
	}
	// Two wrong attributes of one service: both named.
	list = wantErrors(t, e.post("json", form("api_key", e.key, "service_code", "09009", "lat", lat, "long", lng,
		"attribute[seen_at]", "yesterday")), 400, 400, 400)
	if len(list) != 2 {
		t.Fatalf("fire_lane missing and seen_at bad: %+v", list)
	}
	// A JSON body is not what the spec posts.
	a := e.do("POST", "/open311/v2/requests.json", nil, "Content-Type", "application/json")
	wantErrors(t, a, 400, 400)
	if n := e.countCases(); n != before {
		t.Fatalf("refused requests created %d cases", n-before)
	}
}

func postRealtime(e *env) {
	t := e.t
	a := e.post("xml", form("api_key", e.key, "jurisdiction_id", "", "service_code", "06010", "lat", lat, "long", lng,
		"address_string", "东梅社区菜市场旁", "description", "菜市场门口建筑垃圾堆积，有事请打 13912345678 或发邮件 li@example.org",
		"attribute[garbage_type]", "construction", "attribute[volume_m3]", "1.5", "attribute[not_asked]", "ignored",
		"email", "zhang.san@example.com", "first_name", "张", "last_name", "三", "phone", "13800000009",
		"device_id", "device-7788", "account_id", "account-4455", "media_url", "https://fixmystreet.example/photo/1.jpeg"))
	if a.status != 200 || a.ctype != "text/xml; charset=utf-8" {
		t.Fatalf("post: %d %s", a.status, a.body)
	}
	golden(t, "post_realtime.xml", a.body)
	// Not public until the desk registers it (立案): until then not found, and in no list.
	e.unpublished("20261127-0001")
	e.register("20261127-0001")
	x, j, v := e.both("/open311/v2/requests/20261127-0001.{fmt}?extensions=true", 200)
	golden(t, "request_new.xml", x.body)
	golden(t, "request_new.json", j.body)
	list := objects(t, v)
	if len(list) != 1 {
		t.Fatalf("a single request is a list of one: %s", j.body)
	}
	r := list[0]
	checkRequest(t, r)
	// The place is the grid's, never the address the client gave; the notes are the public steps
	// in words; the desk's notice to the poster is for the POST answer only.
	if r["status"] != "open" || r["service_code"] != "06010" || r["status_notes"] != "已受理" || r["lat"] == nil ||
		r["address_id"] != "350503001001001" || r["address"] != "东梅社区 东梅社区第1网格" || r["agency_responsible"] != nil ||
		r["service_notice"] != nil {
		t.Fatalf("new request: %s", j.body)
	}
	attrs := r["attributes"].([]any)
	if len(attrs) != 2 || attrs[0].(map[string]any)["name"] != "建筑垃圾" || attrs[1].(map[string]any)["value"] != "1.5" {
		t.Fatalf("attributes: %v", attrs)
	}
	for _, secret := range []string{"zhang", "张三", "13800000009", "138****0009", "device-7788", "account-4455",
		"fixmystreet.example", "13912345678", "li@example.org", "菜市场旁"} {
		if strings.Contains(string(x.body)+string(j.body), secret) {
			t.Fatalf("GET shows %q", secret)
		}
	}
	// The desk has everything: the attributes in the report event, the reporter's phone sealed
	// where every reporter's is, the other contact fields sealed beside the request.
	var data, phoneEnc, contact string
	d := e.srv.App.DB.Read
	if err := d.QueryRow(`SELECT e.data, c.reporter_phone_enc, r.contact_enc FROM cases c JOIN case_events e ON e.case_id = c.id
		JOIN open311_requests r ON r.case_id = c.id WHERE c.number = '20261127-0001' AND e.seq = 1 AND c.channel = 'open311'`).
		Scan(&data, &phoneEnc, &contact); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Attributes map[string][]string `json:"attributes"`
		MediaURL   string              `json:"media_url"`
		Client     string              `json:"client"`
	}
	json.Unmarshal([]byte(data), &ev)
	if ev.Attributes["garbage_type"][0] != "construction" || ev.Attributes["not_asked"] != nil || ev.MediaURL == "" || ev.Client != "open311:fixmystreet" {
		t.Fatalf("report event data: %s", data)
	}
	if phoneEnc == "" || strings.Contains(phoneEnc, "13800000009") || contact == "" || strings.Contains(contact, "zhang") {
		t.Fatalf("contact not sealed: %q %q", phoneEnc, contact)
	}
}

// checkRequest checks a request against the open311 JSON schema's rules (request.json).
func checkRequest(t *testing.T, r map[string]any) {
	t.Helper()
	for _, field := range []string{"service_request_id", "status", "service_code", "service_name", "requested_datetime", "updated_datetime"} {
		if _, ok := r[field].(string); !ok {
			t.Fatalf("request without string %s: %v", field, r)
		}
	}
	if r["status"] != "open" && r["status"] != "closed" {
		t.Fatalf("status %v", r["status"])
	}
	for _, field := range []string{"requested_datetime", "updated_datetime", "expected_datetime"} {
		if s, ok := r[field].(string); ok {
			if _, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "+08:00") {
				t.Fatalf("%s %q", field, s)
			}
		}
	}
	if d, _ := r["description"].(string); len([]rune(d)) > 4000 {
		t.Fatal("description over 4000")
	}
	for _, field := range []string{"lat", "long"} {
		if v, ok := r[field]; ok {
			if _, err := v.(json.Number).Float64(); err != nil {
				t.Fatalf("%s %v", field, v)
			}
		}
	}
	if m, ok := r["media_url"].(string); ok {
		if u, err := url.Parse(m); err != nil || u.Scheme != "https" {
			t.Fatalf("media_url %q", m)
		}
	}
}

func postMultiValue(e *env) {
	t := e.t
	a := e.post("json", form("api_key", e.key, "service_code", "C01001", "lat", lat, "long", lng,
		"attribute[cover_state][]", "missing", "attribute[cover_state][]", "broken", "attribute[safety]", "ignored",
		"description", "井盖缺失，行人容易踩空"))
	if a.status != 200 {
		t.Fatalf("post: %d %s", a.status, a.body)
	}
	var receipt []open311.Receipt
	if err := json.Unmarshal(a.body, &receipt); err != nil || len(receipt) != 1 || receipt[0].ID != "20261127-0002" || receipt[0].Token != "" {
		t.Fatalf("receipt: %s", a.body)
	}
	e.unpublished("20261127-0002")
	e.register("20261127-0002")
	_, j, v := e.both("/open311/v2/requests/20261127-0002.{fmt}?extensions=true", 200)
	r := objects(t, v)[0]
	var got []string
	for _, at := range r["attributes"].([]any) {
		m := at.(map[string]any)
		got = append(got, m["code"].(string)+"="+m["value"].(string)+"/"+m["name"].(string))
	}
	if !slices.Equal(got, []string{"cover_state=missing/缺失", "cover_state=broken/破损"}) || r["service_code"] != "C01001" {
		t.Fatalf("multi-value answer: %s", j.body)
	}
	// The same answer without [] (a repeated attribute[CODE]) is understood alike.
	a = e.post("json", form("api_key", e.key, "service_code", "C01001", "lat", lat, "long", lng,
		"attribute[cover_state]", "displaced", "attribute[cover_state]", "noisy"))
	if a.status != 200 || json.Unmarshal(a.body, &receipt) != nil || receipt[0].ID != "20261127-0003" {
		t.Fatalf("repeated attribute[CODE]: %d %s", a.status, a.body)
	}
	e.register("20261127-0003")
	_, j, v = e.both("/open311/v2/requests/20261127-0003.{fmt}?extensions=true", 200)
	got = nil
	for _, at := range objects(t, v)[0]["attributes"].([]any) {
		got = append(got, at.(map[string]any)["value"].(string))
	}
	if !slices.Equal(got, []string{"displaced", "noisy"}) {
		t.Fatalf("repeated attribute[CODE] answer: %s", j.body)
	}
}

func batchAndBlackbox(e *env) {
	t := e.t
	ctx := app.System(context.Background(), "test")
	if err := e.services.SetType(ctx, category.Event, "09009", open311.Batch); err != nil {
		t.Fatal(err)
	}
	if err := e.services.SetType(ctx, category.Event, "06011", open311.Blackbox); err != nil {
		t.Fatal(err)
	}
	if err := e.services.SetType(ctx, category.Event, "06011", "weekly"); err == nil {
		t.Fatal("an unknown service type was accepted")
	}
	_, _, v := e.both("/open311/v2/services.{fmt}", 200)
	for _, s := range objects(t, v) {
		if s["service_code"] == "09009" && s["type"] != "batch" || s["service_code"] == "06011" && s["type"] != "blackbox" {
			t.Fatalf("service type: %v", s)
		}
	}
	// An unencoded "+" of the zone arrives as a space: still a datetime.
	a := e.post("xml", form("api_key", e.key, "service_code", "09009", "lat", lat, "long", lng,
		"attribute[fire_lane]", "yes", "attribute[plate]", "闽C12345", "attribute[seen_at]", "2026-11-27T09:30:00 08:00",
		"description", "小车停在消防通道上"))
	if a.status != 200 {
		t.Fatalf("batch post: %d %s", a.status, a.body)
	}
	var doc struct {
		Requests []open311.Receipt `xml:"request"`
	}
	xmlUnmarshal(t, a.body, &doc)
	if len(doc.Requests) != 1 || doc.Requests[0].Token == "" || doc.Requests[0].ID != "" {
		t.Fatalf("batch answers a token only: %s", a.body)
	}
	token := doc.Requests[0].Token
	x, j, v := e.both("/open311/v2/tokens/"+token+".{fmt}", 200)
	got := objects(t, v)
	if len(got) != 1 || got[0]["token"] != token || got[0]["service_request_id"] != "20261127-0004" {
		t.Fatalf("token lookup: %s %s", x.body, j.body)
	}
	// The token gives the id at once; the request itself is public once registered.
	e.unpublished("20261127-0004")
	e.register("20261127-0004")
	e.both("/open311/v2/requests/20261127-0004.{fmt}", 200)
	x, j, _ = e.both("/open311/v2/tokens/no-such-token.{fmt}", 404)
	wantErrors(t, x, 404, 404)
	wantErrors(t, j, 404, 404)
	a = e.post("json", form("api_key", e.key, "service_code", "06011", "lat", lat, "long", lng, "description", "路边有积存垃圾"))
	var receipt []open311.Receipt
	json.Unmarshal(a.body, &receipt)
	if a.status != 200 || len(receipt) != 1 || receipt[0].ID != "" || receipt[0].Token != "" || receipt[0].ServiceNotice == "" {
		t.Fatalf("blackbox answers neither id nor token: %s", a.body)
	}
	// The client never learns its id, but the case is the district's like any other: public once registered.
	e.unpublished("20261127-0005")
	e.register("20261127-0005")
	if _, _, v := e.both("/open311/v2/requests/20261127-0005.{fmt}", 200); objects(t, v)[0]["service_code"] != "06011" {
		t.Fatalf("the blackbox report: %v", v)
	}
	if err := e.services.SetType(ctx, category.Event, "06011", open311.Realtime); err != nil {
		t.Fatal(err)
	}
}

func locations(e *env) {
	t := e.t
	post := func(kv ...string) string {
		t.Helper()
		a := e.post("json", form(append([]string{"api_key", e.key, "service_code", "06011", "description", "路边有积存垃圾"}, kv...)...))
		var receipt []open311.Receipt
		if a.status != 200 || json.Unmarshal(a.body, &receipt) != nil || receipt[0].ID == "" {
			t.Fatalf("post %v: %d %s", kv, a.status, a.body)
		}
		return receipt[0].ID
	}
	fetch := func(id string) map[string]any {
		t.Helper()
		_, _, v := e.both("/open311/v2/requests/"+id+".{fmt}", 200)
		r := objects(t, v)[0]
		checkRequest(t, r)
		return r
	}
	// publish checks a new report is not public, registers it, and reads it.
	publish := func(id string) map[string]any {
		t.Helper()
		e.unpublished(id)
		e.register(id)
		return fetch(id)
	}
	// A unit grid code: a point inside that grid.
	r := publish(post("address_id", "350503001001001"))
	if r["address_id"] != "350503001001001" || r["address"] != "东梅社区 东梅社区第1网格" || r["lat"] == nil || r["long"] == nil {
		t.Fatalf("address_id of a grid: %v", r)
	}
	// An address naming a grid resolves to it; naming a community, it waits at that desk.
	r = publish(post("address_string", "东梅社区第2网格 某小区 3 号楼"))
	if r["address_id"] != "350503001001002" || r["address"] != "东梅社区 东梅社区第2网格" || r["lat"] == nil {
		t.Fatalf("address naming a grid: %v", r)
	}
	id := post("address_string", "丰泽区东梅社区某小区 3 号楼")
	e.unpublished(id)
	var path string
	e.srv.App.DB.Read.QueryRow(`SELECT path FROM cases WHERE number = $1`, id).Scan(&path)
	if path != "/350503/350503001/350503001001/" {
		t.Fatalf("unlocated report waits at %s", path)
	}
	// The community's desk finds it and locates it (reclassify), as any report; placed on the map
	// it is still the desk's until registered.
	lead := e.srv.Login(t, "donghai.shift_lead")
	var queue struct {
		Cases []struct{ ID, Number string }
	}
	lead.Do("GET", "/api/v1/cases?channel=open311&status=reported&limit=100", nil, &queue)
	var caseID string
	for _, c := range queue.Cases {
		if c.Number == id {
			caseID = c.ID
		}
	}
	if caseID == "" {
		t.Fatalf("the desk does not see the unlocated report %s", id)
	}
	if st, raw := lead.Raw("POST", "/api/v1/cases/"+caseID+"/actions/reclassify", map[string]any{"lat": 24.925, "lng": 118.575}); st != 200 {
		t.Fatalf("locate: %d %s", st, raw)
	}
	if r = publish(id); r["lat"] == nil || r["address_id"] == nil || strings.Contains(fmt.Sprint(r["address"]), "某小区") {
		t.Fatalf("located: %v", r)
	}
	// Community and subdistrict codes are places too. A report placed only to a community that
	// its desk registers as it is shows no point and no grid.
	id = post("address_id", "350503002001")
	e.srv.App.DB.Read.QueryRow(`SELECT path FROM cases WHERE number = $1`, id).Scan(&path)
	if path != "/350503/350503002/350503002001/" {
		t.Fatalf("a report to a community waits at %s", path)
	}
	if r = publish(id); r["lat"] != nil || r["long"] != nil || r["address_id"] != nil || r["address"] != nil {
		t.Fatalf("registered without a place: %v", r)
	}
	// An address yiwang does not know waits at the district, unpublished.
	id = post("address_string", "火星路 1 号")
	e.srv.App.DB.Read.QueryRow(`SELECT path FROM cases WHERE number = $1`, id).Scan(&path)
	if path != "/350503/" || id != unregistered {
		t.Fatalf("unknown address %s waits at %s", id, path)
	}
	e.unpublished(id)
}

// unregistered is the one report the suite leaves waiting at the desk: the public never sees it.
const unregistered = "20261127-0010"

func apiKeys(e *env) {
	t := e.t
	ctx := app.System(context.Background(), "test")
	_, tiny, err := e.keys.Create(ctx, "tiny-app", 1)
	if err != nil {
		t.Fatal(err)
	}
	wantErrors(t, e.post("json", form("api_key", tiny)), 400, 400) // takes the one token
	a := e.post("json", form("api_key", tiny))
	wantErrors(t, a, 400, 429)
	if a.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	e.clock.Advance(time.Minute)
	wantErrors(t, e.post("json", form("api_key", tiny)), 400, 400)
	if _, err := e.keys.Revoke(ctx, "tiny-app"); err != nil {
		t.Fatal(err)
	}
	wantErrors(t, e.post("json", form("api_key", tiny)), 403, 403)
	wantErrors(t, e.post("xml", form("api_key", tiny)), 403, 403)
}
