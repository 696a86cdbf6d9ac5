package open311_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// FuzzForms: GeoReport v2 clients post forms and query the lists with parameters of their own
// choosing. Through the whole server (apptest, SQLite) and whatever they send, the answer is a
// 2xx or 4xx — the spec knows no 500 — and never a panic (等保 2.0, GB/T 22239-2019 8.1.4.4).
func FuzzForms(f *testing.F) {
	f.Add("service_code=06010&lat=24.9265&long=118.574&description=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE", "status=open")
	f.Add("service_code=%00&lat=NaN&long=Inf", "start_date=0000-00-00&end_date=%FF")
	f.Add("attribute[x][]=1&attribute[=2&email=a@b&phone=%00", "lat=1e400&long=-1e400&radius=-1")
	f.Add("description=a%C3&address_string="+strings.Repeat("x", 600), "service_request_id=%00,%FF&page=99999999999999999999")
	s := apptest.Start(f, db.SQLite)
	_, key, err := s.App.APIKeys.Create(app.System(context.Background(), "fuzz"), "fuzz", 6000)
	if err != nil {
		f.Fatal(err)
	}
	send := func(t *testing.T, method, path, body string) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, s.URL+path, r)
		if err != nil {
			return // a URL Go itself refuses to send: nothing reached the server
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, resp.StatusCode, answer)
		}
	}
	f.Fuzz(func(t *testing.T, form, query string) {
		send(t, "POST", "/open311/v2/requests.json", "api_key="+key+"&"+form)
		send(t, "GET", "/open311/v2/requests.xml?"+query, "")
	})
}
