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
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Two yiwang nodes on one PostgreSQL database: a case reported through node A reaches a desk page
// whose live stream is open on node B (each node's feed reads the shared outbox), and a
// notification recorded by node A reaches its recipient's stream on node B — and only theirs.
func TestLiveUpdatesCrossNodes(t *testing.T) {
	if dbtest.PostgresURL(t) == "" {
		t.Skip("needs PostgreSQL (YIWANG_TEST_PG); CI provides it")
	}
	dA := dbtest.Open(t, db.Postgres)
	nodeA := apptest.StartOn(t, dA, nil)
	nodeB := apptest.StartOn(t, dbtest.OpenAgain(t, dA), nil)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	type event struct {
		kind string
		data struct {
			CaseID string `json:"case_id"`
			Kind   string `json:"kind"`
		}
	}
	stream := func(srv *apptest.Server, user string) <-chan event {
		t.Helper()
		c := srv.Login(t, user)
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/stream", nil)
		req.Header.Set("Authorization", "Bearer "+c.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream as %s: %v %v", user, err, resp)
		}
		out := make(chan event, 64)
		go func() {
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			var e event
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "event: "):
					e.kind = strings.TrimPrefix(line, "event: ")
				case strings.HasPrefix(line, "data: "):
					json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e.data)
					out <- e
					e = event{}
				}
			}
		}()
		return out
	}
	await := func(ch <-chan event, what string, match func(event) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case e := <-ch:
				if match(e) {
					return
				}
			case <-deadline:
				t.Fatalf("%s never arrived", what)
			}
		}
	}
	deskOnB := stream(nodeB, "donghai.shift_lead")
	elsewhereOnB := stream(nodeB, "huada.shift_lead")

	intakeOnA := nodeA.Login(t, "donghai.intake_operator")
	var c struct{ ID string }
	if st := intakeOnA.Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "category_code": "06010",
		"lat": 24.925, "lng": 118.575, "description": "井盖缺失，跨节点推送"}, &c); st != 201 {
		t.Fatalf("create on node A: %d", st)
	}
	await(deskOnB, "the new case on node B's desk", func(e event) bool { return e.kind == "case" && e.data.CaseID == c.ID })

	// A notification for one user, stored on node A, reaches that user's stream on node B.
	user := nodeA.Login(t, "donghai.shift_lead")
	var me struct {
		ID string `json:"id"`
	}
	if st := user.Do("GET", "/api/v1/me", nil, &me); st != 200 || me.ID == "" {
		t.Fatalf("me: %d", st)
	}
	err := nodeA.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		return nodeA.App.Notify.Outbox.Record(ctx, tx, time.Now(), notify.Event{Type: "case.register",
			Object:  access.Object{Kind: "case", ID: c.ID},
			Notices: []notify.Notice{{Template: "notify.case.register", Params: []string{"X", "跨节点通知"}, Audience: notify.Audience{Users: []string{me.ID}}}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	await(deskOnB, "the notification on node B", func(e event) bool { return e.kind == "notification" && e.data.CaseID == c.ID })

	// Scope still holds across nodes: another subdistrict's desk heard neither. Its stream is
	// read up to a marker case of its own, reported after both.
	intakeHuada := nodeA.Login(t, "huada.intake_operator")
	var marker struct{ ID string }
	if st := intakeHuada.Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "category_code": "06010",
		"lat": 24.925036, "lng": 118.6412215, "description": "路灯不亮，标记案卷"}, &marker); st != 201 {
		t.Fatalf("marker case: %d", st)
	}
	await(elsewhereOnB, "the marker case", func(e event) bool {
		if e.data.CaseID == c.ID {
			t.Fatalf("another subdistrict's desk heard about case %s (%s)", c.ID, e.kind)
		}
		return e.data.CaseID == marker.ID
	})
}
