package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/open311"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// start is the moment every suite starts at: Friday 27 November 2026, 10:00 in Beijing.
var start = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

// env is a running yiwang with the demo district and the Open311 API.
type env struct {
	t        *testing.T
	srv      *apptest.Server
	clock    *apptest.Clock
	url      string // the Open311 server
	keys     *apikey.Service
	services *open311.Services
	key      string // a valid api_key
}

// newEnv starts yiwang on engine with a fixed clock and serves the Open311 API beside it.
func newEnv(t *testing.T, engine db.Engine) *env {
	t.Helper()
	clock := apptest.NewClock(start)
	srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
	a := srv.App
	ctx := app.System(context.Background(), "open311 test")
	services := &open311.Services{DB: a.DB, Categories: a.Categories, Now: a.Now}
	if err := services.LoadDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	keys := &apikey.Service{DB: a.DB, Now: a.Now, Limiter: apikey.NewLimiter(apikey.Rate{PerMinute: 6000, Burst: 1000})}
	h := &open311.HTTP{Services: services, Cases: a.Cases, Grids: a.Grids, Org: a.Org, Keys: keys, Catalog: a.Catalog,
		Log: a.Log, BaseURL: "https://yiwang.example", Test: true}
	mux := httpx.NewMux()
	h.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	_, key, err := keys.Create(ctx, "fixmystreet", 0)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, clock: clock, url: ts.URL, keys: keys, services: services, key: key}
}

// answer is one HTTP answer.
type answer struct {
	status int
	ctype  string
	body   []byte
	header http.Header
}

func (e *env) do(method, path string, form url.Values, header ...string) answer {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b, header: resp.Header}
}

// register takes a case through on-site confirmation and registration (立案): from then on it
// is public. The grid worker and the shift lead are the nearest ones above the place the case
// waits at (its path), as the desk's queues would show it to them.
func (e *env) register(number string) {
	e.t.Helper()
	var id, status, path string
	if err := e.srv.App.DB.Read.QueryRow(`SELECT id, status, path FROM cases WHERE number = $1`, number).Scan(&id, &status, &path); err != nil {
		e.t.Fatalf("case %s: %v", number, err)
	}
	if status == "confirming" {
		if st, raw := e.srv.Login(e.t, e.holder("grid_worker", path)).Raw("POST", "/api/v1/cases/"+id+"/actions/confirm", map[string]any{"result": "pass"}); st != 200 {
			e.t.Fatalf("confirm %s: %d %s", number, st, raw)
		}
	}
	if st, raw := e.srv.Login(e.t, e.holder("shift_lead", path)).Raw("POST", "/api/v1/cases/"+id+"/actions/register", nil); st != 200 {
		e.t.Fatalf("register %s: %d %s", number, st, raw)
	}
}

// holder names the user holding role at the deepest node on path (a case's or a node's).
func (e *env) holder(role, path string) string {
	e.t.Helper()
	var username string
	if err := e.srv.App.DB.Read.QueryRow(`SELECT u.username FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.role = $1 AND substr($2, 1, length(g.org_path)) = g.org_path AND NOT u.disabled
		ORDER BY length(g.org_path) DESC, u.username LIMIT 1`, role, path).Scan(&username); err != nil {
		e.t.Fatalf("no %s above %s: %v", role, path, err)
	}
	return username
}

// publicStatuses are the statuses in which a case may be public (cases/publicview.go), written
// out here so that the suite checks the rule instead of reusing it.
const publicStatuses = `'registered','dispatched','returned','handling','reported_back','verified','closed','shelved','deferred'`

// publicNumbers lists the numbers of the cases reported since since that the public may see,
// newest first: registered, not private, not of a sensitive category.
func (e *env) publicNumbers(since time.Time) []string {
	e.t.Helper()
	rows, err := e.srv.App.DB.Read.Query(`SELECT c.number FROM cases c
		LEFT JOIN categories cat ON cat.class = c.category_class AND cat.code = c.category_code
		WHERE c.reported_at >= $1 AND NOT c.private AND NOT COALESCE(cat.sensitive, false) AND c.status IN (`+publicStatuses+`)
		ORDER BY c.reported_at DESC, c.number DESC`, since.UTC())
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// unpublished checks that the public cannot see a case: by its id it is not found, and no list
// shows it, asked for by id or not.
func (e *env) unpublished(number string) {
	e.t.Helper()
	x, j, _ := e.both("/open311/v2/requests/"+number+".{fmt}?extensions=true", 404)
	wantErrors(e.t, x, 404, 404)
	wantErrors(e.t, j, 404, 404)
	_, _, v := e.both("/open311/v2/requests.{fmt}?service_request_id="+number, 200)
	if list := objects(e.t, v); len(list) != 0 {
		e.t.Fatalf("%s is listed by its id: %v", number, list)
	}
	_, _, v = e.both("/open311/v2/requests.{fmt}?extensions=true", 200)
	for _, r := range objects(e.t, v) {
		if r["service_request_id"] == number {
			e.t.Fatalf("%s is listed: %v", number, r)
		}
	}
}

func (e *env) get(path string) answer { e.t.Helper(); return e.do("GET", path, nil) }

// both fetches path in XML and in JSON ({fmt} in path is the format), checks each format's
// envelope and that both say the same, and returns the JSON answer decoded.
func (e *env) both(path string, wantStatus int) (answer, answer, any) {
	e.t.Helper()
	x := e.get(strings.Replace(path, "{fmt}", "xml", 1))
	j := e.get(strings.Replace(path, "{fmt}", "json", 1))
	if x.status != wantStatus || j.status != wantStatus {
		e.t.Fatalf("%s: status xml %d json %d, want %d\n%s\n%s", path, x.status, j.status, wantStatus, x.body, j.body)
	}
	if x.ctype != "text/xml; charset=utf-8" || j.ctype != "application/json; charset=utf-8" {
		e.t.Fatalf("%s: content types %q %q", path, x.ctype, j.ctype)
	}
	if !bytes.HasPrefix(x.body, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
		e.t.Fatalf("%s: XML without its declaration: %.80s", path, x.body)
	}
	return x, j, equivalent(e.t, path, x.body, j.body)
}

// post sends a form to POST requests.{fmt}.
func (e *env) post(format string, form url.Values) answer {
	e.t.Helper()
	return e.do("POST", "/open311/v2/requests."+format, form)
}

// listElements are the XML elements whose children form a list (JSON arrays): everything else
// with children is an object, and the root vanishes (GeoReport's "Spark" convention).
var listElements = map[string]bool{"services": true, "service_requests": true, "attributes": true, "values": true,
	"notes": true, "endpoints": true, "formats": true, "errors": true}

type node struct {
	name     string
	children []*node
	text     string
}

func parseXML(t *testing.T, b []byte) *node {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("XML: %v\n%s", err, b)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if tk.Name.Space != "" || len(tk.Attr) > 0 {
				t.Fatalf("XML: namespaces or attributes on <%s>", tk.Name.Local)
			}
			n := &node{name: tk.Name.Local}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		}
	}
	return root
}

// value converts an XML element to the value its JSON twin must have (scalars as strings).
func (n *node) value(t *testing.T) any {
	if listElements[n.name] {
		out := []any{}
		for _, c := range n.children {
			out = append(out, c.value(t))
		}
		return out
	}
	if len(n.children) == 0 {
		return n.text
	}
	out := map[string]any{}
	for _, c := range n.children {
		if _, dup := out[c.name]; dup {
			t.Fatalf("XML: <%s> twice in <%s> (a list the test does not know?)", c.name, n.name)
		}
		out[c.name] = c.value(t)
	}
	return out
}

// normal turns decoded JSON into the same shape (scalars as strings).
func normal(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normal(e)
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			out = append(out, normal(e))
		}
		return out
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	case nil:
		return ""
	}
	return v
}

// equivalent checks that an XML answer and a JSON answer hold the same data, and returns the
// JSON decoded (numbers as json.Number).
func equivalent(t *testing.T, what string, xmlBody, jsonBody []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(jsonBody))
	dec.UseNumber()
	var j any
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("%s: JSON: %v\n%s", what, err, jsonBody)
	}
	x := parseXML(t, xmlBody).value(t)
	if !reflect.DeepEqual(x, normal(j)) {
		t.Fatalf("%s: XML and JSON differ\nXML:  %v\nJSON: %v", what, x, normal(j))
	}
	return j
}

// golden compares an answer with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/open311 -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("%s differs from the golden file (rerun with -update if the change is intended)\ngot:\n%s", name, got)
	}
}

// errorsOf decodes a JSON error answer.
func errorsOf(t *testing.T, a answer) []open311.Error {
	t.Helper()
	var out []open311.Error
	if err := json.Unmarshal(a.body, &out); err != nil || len(out) == 0 {
		t.Fatalf("not an error list: %v %s", err, a.body)
	}
	return out
}

// wantErrors checks an answer is an error list in the spec's shape with the status and at
// least the codes given (in any order), for both formats when xml is given.
func wantErrors(t *testing.T, a answer, status int, codes ...int) []open311.Error {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	var list []open311.Error
	if strings.HasPrefix(a.ctype, "text/xml") {
		var doc struct {
			XMLName xml.Name        `xml:"errors"`
			Errors  []open311.Error `xml:"error"`
		}
		if err := xml.Unmarshal(a.body, &doc); err != nil || len(doc.Errors) == 0 {
			t.Fatalf("not an <errors> document: %v %s", err, a.body)
		}
		list = doc.Errors
	} else {
		list = errorsOf(t, a)
	}
	if len(list) < len(codes) {
		t.Fatalf("%d errors, want %d: %s", len(list), len(codes), a.body)
	}
	for i, c := range codes {
		if list[i].Code != c || list[i].Description == "" {
			t.Fatalf("error %d: %+v, want code %d: %s", i, list[i], c, a.body)
		}
	}
	return list
}

// objects decodes a JSON list of objects (services, requests, receipts).
func objects(t *testing.T, v any) []map[string]any {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list: %v", v)
	}
	out := make([]map[string]any, len(list))
	for i, r := range list {
		if out[i], ok = r.(map[string]any); !ok {
			t.Fatalf("not an object: %v", r)
		}
	}
	return out
}

// donghai is a point inside 东海街道 (350503001).
const lat, lng = "24.925", "118.575"
