package directive_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/directive"
)

// TestAPI runs a directive through the whole application on the demo district: 东海's leader
// issues it to 东海 (its five communities' grids), 东梅's grid worker acknowledges and reports
// done, the coverage follows, the CAP document served passes the CAP 1.2 checks of cap_test.go
// and reads back, and 城东's staff see none of it.
func TestAPI(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testAPI(t, engine) })
	}
}

func testAPI(t *testing.T, engine db.Engine) {
	srv := apptest.Start(t, engine)
	leader, worker, other := srv.Login(t, "donghai.leader"), srv.Login(t, "donghai.grid_worker"), srv.Login(t, "chengdong.grid_worker")
	body := map[string]any{"title": "台风防御", "instruction": "排查广告牌、脚手架，完成后报告", "msg_type": "Alert",
		"urgency": "Expected", "severity": "Severe", "certainty": "Likely",
		"target":  map[string]any{"subdistricts": []string{"350503001"}, "zones": []string{}, "communities": []string{}, "grids": []string{}},
		"ack_due": time.Now().Add(2 * time.Hour).Format(time.RFC3339), "action_required": true}
	var issued directive.Issued
	if s := leader.Do("POST", "/api/v1/directives", body, &issued); s != 201 || issued.ID == "" || issued.Targeted != 30 {
		t.Fatalf("issue: %d %+v, want 201 and 30 grids", s, issued)
	}
	// Bad input: a clear 400 in the caller's language, nothing written.
	body["urgency"] = "Soon"
	if s, b := leader.Raw("POST", "/api/v1/directives", body); s != 400 || !strings.Contains(string(b), "urgency") {
		t.Errorf("bad urgency: %d %s", s, b)
	}
	body["urgency"] = "Expected"
	body["target"] = map[string]any{"communities": []string{"350503002001"}}
	if s, b := leader.Raw("POST", "/api/v1/directives", body); s != 403 || !strings.Contains(string(b), "target.communities") {
		t.Errorf("another subdistrict's community: %d %s", s, b)
	}
	base := "/api/v1/directives/" + issued.ID
	leaderLive, otherLive := stream(t, leader), stream(t, other)
	// The grid workers and staff of the targeted communities are told; 城东's are not.
	for _, tc := range []struct {
		c    *apptest.Client
		told bool
	}{{worker, true}, {srv.Login(t, "donghai.community_staff"), true}, {other, false}} {
		if s, b := tc.c.Raw("GET", "/api/v1/notifications", nil); s != 200 || strings.Contains(string(b), "新指令：台风防御") != tc.told {
			t.Errorf("%s told of the directive: %v, want %v (%d)", tc.c.Username, !tc.told, tc.told, s)
		}
	}
	for i := 0; i < 2; i++ { // the repeat is idempotent
		var st directive.TargetState
		if s := worker.Do("POST", base+"/acks", map[string]any{"grid_code": "350503001001001"}, &st); s != 201 || st.Status != directive.Acknowledged {
			t.Errorf("ack #%d: %d %+v", i+1, s, st)
		}
	}
	if s, b := worker.Raw("POST", base+"/acks", map[string]any{"grid_code": "350503001001002", "done": true, "note": "已排查",
		"lat": 24.925, "lng": 118.574}); s != 201 || !strings.Contains(string(b), `"done"`) {
		t.Errorf("done: %d %s", s, b)
	}
	if s, _ := worker.Raw("POST", base+"/acks", map[string]any{"grid_code": "350503001002001"}); s != 403 {
		t.Errorf("ack for another community's grid: %d, want 403", s)
	}
	// Live: the issuer's page sees the acknowledgements; 城东's sees a directive of its own (a
	// marker issued after them: the feed delivers in order) and nothing of 东海's before it.
	waitFor(t, leaderLive, func(m live) bool { return m.ID == issued.ID && m.Action == "done" }, nil)
	var marker directive.Issued
	body["target"] = map[string]any{"communities": []string{"350503002001"}}
	if s := srv.Login(t, "district.leader").Do("POST", "/api/v1/directives", body, &marker); s != 201 {
		t.Fatalf("issue the marker: %d", s)
	}
	waitFor(t, otherLive, func(m live) bool { return m.ID == marker.ID }, func(m live) bool { return m.ID == issued.ID })
	var cov directive.Coverage
	if s := leader.Do("GET", base+"/coverage", nil, &cov); s != 200 || cov.Targeted != 30 || cov.Acknowledged != 2 || cov.Done != 1 ||
		len(cov.BySubdistrict) != 1 || cov.BySubdistrict[0].Code != "350503001" || cov.BySubdistrict[0].Acknowledged != 2 {
		t.Errorf("coverage: %d %+v", s, cov)
	}
	var mine directive.Directive
	if s := worker.Do("GET", base, nil, &mine); s != 200 || len(mine.Mine) != 6 {
		t.Errorf("the worker's grids: %d %d", s, len(mine.Mine))
	}
	var list directive.TargetList
	if s := leader.Do("GET", base+"/targets?status=unacknowledged&community=350503001001", nil, &list); s != 200 || list.Total != 4 {
		t.Errorf("the unacknowledged of 东梅: %d %+v", s, list.Total)
	}
	status, doc := leader.Raw("GET", base+"/cap", nil)
	if status != 200 {
		t.Fatalf("cap: %d %s", status, doc)
	}
	directive.CheckDocument(t, doc)
	a, err := directive.ParseXML(bytes.NewReader(doc))
	if err != nil || a.Identifier != issued.ID || a.Sender != "yiwang@350503" || a.MsgType != directive.MsgTypeAlert ||
		a.Scope != directive.ScopeRestricted || a.Restriction == "" || len(a.Info.Areas[0].Geocodes) != 30 || a.Info.SenderName != "东海街道" {
		t.Errorf("the served CAP document reads back as %+v, %v", a, err)
	}
	if err := a.Validate(); err != nil {
		t.Error(err)
	}
	// 城东 sees none of it.
	for _, path := range []string{base, base + "/coverage", base + "/targets", base + "/cap"} {
		if s, b := other.Raw("GET", path, nil); s != 404 || strings.Contains(string(b), "350503001") {
			t.Errorf("%s as 城东's grid worker: %d %s", path, s, b)
		}
	}
	if s, b := other.Raw("GET", "/api/v1/directives", nil); s != 200 || strings.Contains(string(b), issued.ID) {
		t.Errorf("城东's list: %d %s", s, b)
	}
	// An Update supersedes it and asks again.
	up := map[string]any{"title": "台风升级", "instruction": "立即加固户外设施", "msg_type": "Update", "urgency": "Immediate",
		"severity": "Extreme", "certainty": "Observed", "target": map[string]any{"communities": []string{"350503001001"}},
		"ack_due": time.Now().Add(time.Hour).Format(time.RFC3339), "references": issued.ID}
	var second directive.Issued
	if s := leader.Do("POST", "/api/v1/directives", up, &second); s != 201 || second.Targeted != 6 {
		t.Fatalf("update: %d %+v", s, second)
	}
	if s, _ := worker.Raw("POST", base+"/acks", map[string]any{"grid_code": "350503001001003"}); s != 409 {
		t.Errorf("ack the superseded directive: %d, want 409", s)
	}
	_, doc = leader.Raw("GET", "/api/v1/directives/"+second.ID+"/cap", nil)
	directive.CheckDocument(t, doc)
	if a, err := directive.ParseXML(bytes.NewReader(doc)); err != nil || len(a.References) != 1 || a.References[0].Identifier != issued.ID {
		t.Errorf("the update's references: %+v, %v", a, err)
	}
}

// live is one message of the live stream.
type live struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Action string `json:"action"`
}

// stream opens c's live stream; its messages arrive on the channel until the test ends.
func stream(t *testing.T, c *apptest.Client) <-chan live {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/api/v1/stream", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream as %s: %v", c.Username, err)
	}
	ch := make(chan live, 256)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var m live
				if json.Unmarshal([]byte(d), &m) == nil && m.Kind == "directive" {
					ch <- m
				}
			}
		}
	}()
	return ch
}

// waitFor reads ch until a message matches want, failing on one that matches never (if given)
// or after 15 seconds.
func waitFor(t *testing.T, ch <-chan live, want, never func(live) bool) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case m := <-ch:
			if never != nil && never(m) {
				t.Errorf("the stream carried %+v", m)
			}
			if want(m) {
				return
			}
		case <-deadline:
			t.Fatal("the awaited live message did not come")
		}
	}
}
