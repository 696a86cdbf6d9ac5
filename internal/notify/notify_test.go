package notify_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

func TestFilter(t *testing.T) {
	p := &access.Principal{UserID: "u1"}
	scope := access.Scope{Paths: []string{"/350503/350503001/"}, Departments: []string{"D1"}, UserID: "u1"}
	f := notify.Filter(p, map[string]access.Scope{"case": scope})
	obj := func(path string, users, units []string) access.Object {
		return access.Object{Kind: "case", Path: path, Users: users, Units: units}
	}
	cases := []struct {
		m    notify.Message
		want bool
	}{
		{notify.Message{Kind: "notification", UserID: "u1"}, true},
		{notify.Message{Kind: "notification", UserID: "u2"}, false},
		{notify.Message{Kind: "case", Object: obj("/350503/350503001/350503001001/", nil, nil)}, true},
		{notify.Message{Kind: "case", Object: obj("/350503/350503002/350503002001/", nil, nil)}, false},
		{notify.Message{Kind: "case", Object: obj("/350503/350503002/", nil, []string{"D1"})}, true},
		{notify.Message{Kind: "case", Object: obj("/350503/350503002/", []string{"u1"}, nil)}, true},
		// A follower (the reporter of a duplicate merged into the case) sees it too.
		{notify.Message{Kind: "case", Object: obj("/350503/350503002/", []string{"u0", "u1"}, nil)}, true},
		// A kind the caller has no scope for is never shown, whatever its place.
		{notify.Message{Kind: "whistle", Object: access.Object{Kind: "whistle", Path: "/350503/350503001/"}}, false},
		{notify.Message{Kind: "case"}, false},
	}
	for i, tc := range cases {
		if f(tc.m) != tc.want {
			t.Errorf("case %d: %+v → %v", i, tc.m, !tc.want)
		}
	}
}

func TestHubNeverBlocksOnSlowListeners(t *testing.T) {
	h := notify.NewHub()
	slow := h.Subscribe(nil)
	for i := 0; i < 1000; i++ {
		h.Deliver(notify.Message{Kind: "case"})
	}
	if len(slow.C) != cap(slow.C) {
		t.Fatalf("buffer %d of %d", len(slow.C), cap(slow.C))
	}
	select {
	case <-slow.Lagged:
	default:
		t.Fatal("a listener that lost messages was not told to reload")
	}
	h.Unsubscribe(slow)
	if h.Listeners() != 0 {
		t.Fatal("listener not removed")
	}
}

// TestLiveStream opens the real SSE stream as a department and sees the dispatch of a case to it.
func TestLiveStream(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	dept := srv.Login(t, "dept01.staff")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/stream", nil)
	req.Header.Set("Authorization", "Bearer "+dept.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %s", resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Scan() // retry:
	var created struct{ ID, Number string }
	intake := srv.Login(t, "donghai.intake_operator")
	intake.Do("POST", "/api/v1/cases", map[string]any{"lat": 24.925, "lng": 118.575, "description": "测试实时推送", "channel": "hotline_12345"}, &created)
	srv.Login(t, "donghai.shift_lead").Do("POST", "/api/v1/cases/"+created.ID+"/actions/register", nil, nil)
	srv.Login(t, "donghai.dispatcher").Do("POST", "/api/v1/cases/"+created.ID+"/actions/dispatch", map[string]string{"department_code": "350503D01"}, nil)
	// The department's stream shows neither the report nor the registration (not its case yet),
	// then the dispatch.
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "data:") && strings.Contains(line, created.Number) {
			if !strings.Contains(line, `"action":"dispatch"`) && !strings.Contains(line, `"kind":"notification"`) {
				t.Fatalf("department saw a change before its dispatch: %s", line)
			}
			return
		}
	}
	t.Fatalf("stream ended without the dispatch: %v", lines.Err())
}
