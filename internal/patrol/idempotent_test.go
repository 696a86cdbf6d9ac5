package patrol_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// keyedPost sends a JSON body with an Idempotency-Key, as the phone's offline queue does.
func keyedPost(t *testing.T, c *apptest.Client, path, key string, body any) (int, []byte, bool) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.Base+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set(httpx.IdempotencyHeader, key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header.Get(httpx.ReplayedHeader) == "true"
}

// Issue 14: a grid worker in the field loses the network; the patrol page queues its writes and
// sends them again with the same key. Starting the patrol twice gives the same patrol (not the
// 409 of a second running one), a finding sent twice is recorded once, a check-in twice once.
func TestPatrolWritesWithIdempotencyKey(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			worker := srv.Login(t, "donghai.grid_worker")
			var plans struct{ Plans []plan }
			if s := worker.Do("GET", "/api/v1/patrol-plans", nil, &plans); s != 200 || len(plans.Plans) == 0 {
				t.Fatalf("plans: %d", s)
			}
			p := plans.Plans[0]
			var first, again struct{ ID string }
			for i, out := range []*struct{ ID string }{&first, &again} {
				s, b, replayed := keyedPost(t, worker, "/api/v1/patrols", "start-0193e7a0-0000-7000-8000-000000000001", map[string]string{"plan_id": p.ID})
				if s != 201 || replayed != (i == 1) {
					t.Fatalf("start, try %d: %d replayed=%v %s", i, s, replayed, b)
				}
				jsonDecode(t, b, out)
			}
			if first.ID != again.ID {
				t.Errorf("two patrols from one key: %s, %s", first.ID, again.ID)
			}
			for i := range 2 {
				if s, b, _ := keyedPost(t, worker, "/api/v1/patrols/"+first.ID+"/checks", "check-0193e7a0-0000-7000-8000-000000000002",
					map[string]any{"point": 0, "lat": p.Route[0].Lat, "lng": p.Route[0].Lng}); s != 201 {
					t.Errorf("check, try %d: %d %s", i, s, b)
				}
				if s, b, _ := keyedPost(t, worker, "/api/v1/patrols/"+first.ID+"/findings", "find-0193e7a0-0000-7000-8000-000000000003",
					map[string]any{"description": "路面破损", "lat": p.Route[0].Lat, "lng": p.Route[0].Lng}); s != 201 {
					t.Errorf("finding, try %d: %d %s", i, s, b)
				}
			}
			var got struct {
				Checks   []any `json:"checks"`
				Findings []any `json:"findings"`
			}
			if s := worker.Do("GET", "/api/v1/patrols/"+first.ID, nil, &got); s != 200 || len(got.Checks) != 1 || len(got.Findings) != 1 {
				t.Errorf("the patrol: %d, %d checks and %d findings, want 1 and 1", s, len(got.Checks), len(got.Findings))
			}
		})
	}
}
