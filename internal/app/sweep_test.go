package app_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/photo/phototest"
)

// TestMalformedRequestSweep: 等保 2.0 (GB/T 22239-2019 8.1.4.4 软件容错: the software checks the
// format and length of what comes in through its interfaces). Generated, not written per route:
// every registered route × a set of malformations (NUL, broken UTF-8 and control characters in the
// path, the query and the body; huge and negative numbers; wrong JSON types; truncated JSON; deep
// nesting; a body over the limit; broken multipart and a PNG decompression bomb; bad cursors;
// impossible dates; negative paging), sent as an anonymous caller, a resident and a member of
// staff to the running server on each engine. No answer may be a 5xx: bad input is the caller's
// 4xx, in the caller's language.
func TestMalformedRequestSweep(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s := apptest.Start(t, engine)
			resident, staff := s.Login(t, "resident1"), s.Login(t, "donghai.shift_lead")
			var created struct{ ID string }
			if st := resident.Do("POST", "/api/v1/cases", map[string]any{"lat": 24.925, "lng": 118.575, "description": "路灯不亮，晚上很黑"}, &created); st != http.StatusCreated {
				t.Fatalf("create case: %d", st)
			}
			callers := []string{"", resident.Token, staff.Token}
			reqs := malformedRequests(s.App.Routes(), created.ID)
			start := time.Now()
			var mu sync.Mutex
			var failures []string
			work := make(chan sweepRequest)
			var wg sync.WaitGroup
			client := &http.Client{Timeout: 30 * time.Second}
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for rq := range work {
						status, body, err := rq.send(client, s.URL)
						if err != nil || status >= 500 {
							mu.Lock()
							failures = append(failures, fmt.Sprintf("%s %.120q (%s, caller %d): %d %v %.200s", rq.method, rq.target, rq.what, rq.caller, status, err, body))
							mu.Unlock()
						}
					}
				}()
			}
			for i, rq := range reqs {
				rq.caller = i % len(callers)
				rq.token = callers[rq.caller]
				work <- rq
			}
			close(work)
			wg.Wait()
			t.Logf("%s: %d malformed requests over %d routes in %v", engine, len(reqs), len(s.App.Routes()), time.Since(start).Round(time.Millisecond))
			if len(reqs) < 1000 {
				t.Errorf("only %d requests: the sweep must send at least 1 000", len(reqs))
			}
			sort.Strings(failures)
			for _, f := range failures {
				t.Error(f)
			}
		})
	}
}

// sweepRequest is one malformed request.
type sweepRequest struct {
	method, target, what string
	contentType          string
	body                 []byte
	caller               int
	token                string
}

func (rq sweepRequest) send(client *http.Client, base string) (int, string, error) {
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequest(rq.method, base+rq.target, body)
	if err != nil {
		return 0, "", err
	}
	if rq.contentType != "" {
		req.Header.Set("Content-Type", rq.contentType)
	}
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), nil
}

// Routes the sweep leaves alone: the live stream never ends (it is an answer, not a request
// problem), and signing out would end the callers' own sessions half-way.
func sweepSkips(path string) bool {
	return strings.Contains(path, "/stream") || strings.Contains(path, "logout")
}

// Malformed values of a path parameter, with a well-formed one for the query and body cases.
var badPathValues = []string{"a%00b", "%FF%FE", "%1B%5B31m", "99999999999999999999999999", "-1",
	"%2E%2E%2F%2E%2E", strings.Repeat("x", 3000), "0193a0a0-0000-7000-8000-00000000000%00"}

// Malformed query strings: bad text, numbers out of range, bad cursors, impossible dates.
var badQueries = []string{"q=%00", "q=%FF", "status=%00", "limit=-1", "limit=0", "limit=99999999999999999999",
	"offset=-5&page=-1", "cursor=%00", "cursor=!!!", "cursor=eyJ4Ijp7fX0", "cursor=bnVsbA", "cursor=" + strings.Repeat("A", 5000),
	"from=2026-13-45&to=0000-00-00", "since=yesterday&until=-1", "year=-2026", "year=99999999999",
	"lat=NaN&lng=Inf&radius=-1", "lat=1e400&lng=-1e400&radius=99999999999", "format=%00", "sort=%FF", "a=%zz",
	"class=event&code=%00", "overdue=maybe&mine=%00"}

// Malformed bodies: content type, body and what it is.
func badBodies() [][3]string {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	deepObject := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	huge := `{"note":"` + strings.Repeat("字", 1<<20) + `"}`
	var bomb bytes.Buffer
	w := multipart.NewWriter(&bomb)
	part, _ := w.CreateFormFile("photo", "bomb.png")
	part.Write(phototest.BombPNG(20000, 20000))
	w.Close()
	j := "application/json"
	return [][3]string{
		{j, `{"note":"a\u0000b","description":"\u0000","name":"\u0000"}`, "NUL escape"},
		{j, "{\"note\":\"\xff\xfe\",\"description\":\"\xc3\"}", "invalid UTF-8"},
		{j, `{"note":"a\u001b[31m","username":"\u0007"}`, "control characters"},
		{j, `{"note":5,"lat":"north","lng":[],"limit":{},"result":true,"rating":1,"department_code":7}`, "wrong types"},
		{j, `{"lat":1e400,"lng":-1e400,"limit":99999999999999999999,"radius":-1,"year":-1}`, "huge numbers"},
		{j, `{"review_date":"2026-02-30","new_deadline":"yesterday","reported_at":"0000-00-00T25:61:61Z","date":"2026-13-01"}`, "bad dates"},
		{j, `{"note":"x`, "truncated JSON"},
		{j, deep, "deep array nesting"},
		{j, deepObject, "deep object nesting"},
		{j, huge, "body over the limit"},
		{j, `null`, "null"},
		{j, `[]`, "array"},
		{"application/x-www-form-urlencoded", "note=a%00b&name=%FF", "form with NUL"},
		{"multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a\x00.jpg\"\r\n\r\nnot a photo", "broken multipart"},
		{"multipart/form-data", "--\r\n", "multipart without boundary"},
		{w.FormDataContentType(), bomb.String(), "PNG decompression bomb"},
		{"text/csv", "code,name\n\x00,\xff\n", "CSV with NUL"},
		{"application/x-ndjson", "{\"external_id\":\"\\u0000\"}\n\xff\n", "NDJSON with NUL"},
	}
}

// malformedRequests builds the requests for every route: bad path values, bad queries on a
// well-formed path, and bad bodies for every method that takes one.
func malformedRequests(routes []string, caseID string) []sweepRequest {
	var out []sweepRequest
	bodies := badBodies()
	for _, route := range routes {
		method, path, found := strings.Cut(route, " ")
		if !found {
			method, path = "GET", route
		}
		if sweepSkips(path) {
			continue
		}
		good := fillPath(path, caseID)
		if strings.Contains(path, "{") {
			for _, v := range badPathValues {
				out = append(out, sweepRequest{method: method, target: fillWith(path, v), what: "path value " + v[:min(len(v), 20)]})
			}
		}
		for _, q := range badQueries {
			out = append(out, sweepRequest{method: method, target: good + "?" + q, what: "query " + q[:min(len(q), 30)]})
		}
		out = append(out, sweepRequest{method: method, target: good + "/%00", what: "NUL path segment"})
		if method == "GET" || method == "HEAD" {
			continue
		}
		for _, b := range bodies {
			out = append(out, sweepRequest{method: method, target: good, contentType: b[0], body: []byte(b[1]), what: b[2]})
		}
	}
	return out
}

// fillPath gives each path parameter a well-formed value (the case, or an existing-looking one).
func fillPath(path, caseID string) string {
	r := strings.NewReplacer("{id}", caseID, "{action}", "comment", "{class}", "event", "{code}", "06010",
		"{lang}", "en", "{file}", "requests.json", "{year}", "2026", "{format}", "json")
	path = r.Replace(path)
	return fillWith(path, "0193a0a0-0000-7000-8000-000000000000")
}

// fillWith replaces every remaining path parameter with v (a wildcard "{name...}" too).
func fillWith(path, v string) string {
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			return path
		}
		j := strings.Index(path[i:], "}")
		if j < 0 {
			return path
		}
		path = path[:i] + v + path[i+j+1:]
	}
}
