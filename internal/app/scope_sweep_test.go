package app_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// The sweep: generated from the route list, not written per route. Every case route the server
// registers (read, events, photos, nearby, contact, every workflow action …) is called by every
// account for which 城东's case lies outside scope, and must answer 403 or 404 with nothing of
// the case in the body; the case lists and the live stream must not show it either.
func TestCaseRoutesSweepOutsideScope(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			cf := casesOf(t, f)
			// Everyone but the district's leader (whose subtree is the whole district).
			callers := with(except("district.leader"), "donghai.secadmin", "donghai.auditadmin", "donghai.sysadmin")
			for _, name := range callers {
				if f.clients[name] == nil {
					f.clients[name] = f.srv.Login(t, name)
				}
			}
			leaks := []string{cf.other, "城东井盖缺失", "13912345678", "139****5678", "王先生"}
			leaked := func(body string) string {
				for _, l := range leaks {
					if strings.Contains(body, l) {
						return l
					}
				}
				return ""
			}
			fill := strings.NewReplacer("{id}", cf.other, "{photo}", cf.photo)
			body := map[string]any{"note": "越界尝试操作", "department_code": "350503D01", "result": "pass",
				"rating": "satisfied", "target_id": cf.mine, "category_code": "06010"}
			calls := 0
			for _, route := range f.srv.App.Routes() {
				method, path, _ := strings.Cut(route, " ")
				if !strings.HasPrefix(path, "/api/v1/cases/{id}") {
					continue
				}
				if strings.HasSuffix(path, "/join") {
					// 我也遇到 is the public door: anyone who may report follows any case of the
					// district and gets its public face (its own scenario checks nothing private
					// comes through); it would make the case "theirs" for the rest of the sweep.
					continue
				}
				paths := []string{fill.Replace(path)}
				if strings.Contains(path, "{action}") {
					paths = nil
					for _, a := range cases.Actions {
						paths = append(paths, strings.Replace(fill.Replace(path), "{action}", string(a), 1))
					}
				}
				for _, p := range paths {
					for _, name := range callers {
						var status int
						var b string
						if method == "POST" && strings.HasSuffix(p, "/photos") {
							status, b = postPhoto(t, f.clients[name], cf.other)
						} else {
							var send any
							if method != "GET" {
								send = body
							}
							status, b = raw(t, f.clients[name], method, p, send)
						}
						calls++
						if status != http.StatusNotFound && status != http.StatusForbidden {
							t.Errorf("%s %s as %s: status %d, want 403 or 404: %.200s", method, p, name, status, b)
						}
						if l := leaked(b); l != "" {
							t.Errorf("%s %s as %s leaks %q", method, p, name, l)
						}
					}
				}
			}
			if calls < 10*len(callers) {
				t.Fatalf("the sweep made only %d calls: the case routes were not found", calls)
			}
			// Lists, however filtered, never show it.
			for _, name := range callers {
				for _, q := range []string{"", "?subdistrict=350503002", "?q=" + "城东井盖", "?status=reported", "?limit=200&sort=newest"} {
					if _, b := raw(t, f.clients[name], "GET", "/api/v1/cases"+q, nil); leaked(b) != "" {
						t.Errorf("GET /api/v1/cases%s as %s leaks %q", q, name, leaked(b))
					}
				}
			}
			sweepStream(t, f, callers, cf.other)
		})
	}
}

// sweepStream opens the live stream for every caller, changes the out-of-scope case, then sends
// each caller a notification of their own as a marker: every stream must reach its marker
// without having carried the case.
func sweepStream(t *testing.T, f *fixture, callers []string, caseID string) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	type line struct{ caseID, kind string }
	streams := map[string]chan line{}
	var users []string
	for _, name := range callers {
		c := f.clients[name]
		var me struct{ ID string }
		if s := c.Do("GET", "/api/v1/me", nil, &me); s != 200 {
			t.Fatalf("me as %s: %d", name, s)
		}
		users = append(users, me.ID)
		req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/api/v1/stream", nil)
		req.Header.Set("Authorization", "Bearer "+c.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream as %s: %v", name, err)
		}
		ch := make(chan line, 256)
		streams[name] = ch
		go func() {
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			kind := ""
			for sc.Scan() {
				text := sc.Text()
				if k, ok := strings.CutPrefix(text, "event: "); ok {
					kind = k
				}
				if d, ok := strings.CutPrefix(text, "data: "); ok {
					var m struct {
						CaseID string `json:"case_id"`
					}
					json.Unmarshal([]byte(d), &m)
					ch <- line{m.CaseID, kind}
				}
			}
		}()
	}
	chengdong := f.srv.Login(t, "chengdong.shift_lead")
	if s, b := raw(t, chengdong, "POST", "/api/v1/cases/"+caseID+"/actions/register", nil); s != 200 {
		t.Fatalf("register the other case: %d %s", s, b)
	}
	const marker = "00000000-0000-0000-0000-00000000beef"
	err := f.srv.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		return f.srv.App.Notify.Outbox.Record(ctx, tx, time.Now(), notify.Event{Type: "case.register",
			Object: access.Object{Kind: "case", ID: marker},
			Notices: []notify.Notice{{Template: "notify.case.register", Params: []string{"X", "标记"},
				Audience: notify.Audience{Users: users}}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.App.Notify.Outbox.Wake()
	deadline := time.After(15 * time.Second)
	for name, ch := range streams {
	read:
		for {
			select {
			case l := <-ch:
				if l.caseID == caseID {
					t.Errorf("the live stream of %s carried 城东's case (%s)", name, l.kind)
				}
				if l.caseID == marker {
					break read
				}
			case <-deadline:
				t.Fatalf("the marker never reached %s's stream", name)
			}
		}
	}
}
