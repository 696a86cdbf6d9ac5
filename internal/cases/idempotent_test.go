package cases_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// keyed sends body (JSON, or a multipart form when contentType says so) with an Idempotency-Key,
// as static/js/offline.js sends a queued report, and returns the status, the answer and whether
// it was a replay.
func keyed(t *testing.T, c *apptest.Client, path, key, contentType string, body []byte) (int, []byte, bool) {
	t.Helper()
	req, err := http.NewRequest("POST", c.Base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set(httpx.IdempotencyHeader, key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil, false
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw, res.Header.Get(httpx.ReplayedHeader) == "true"
}

// Issue 14: a report queued on a phone offline is sent again until the server answers, with the
// same key each time; it becomes one case, whether the repeats come one after another or at the
// same moment, and its photos are added once. Another resident's request with the same key is
// their own report, never a replay of the first resident's answer.
func TestReportWithIdempotencyKey(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			resident := srv.Login(t, "resident1")
			const description = "楼道灯坏了，离线时拍的"
			body, _ := json.Marshal(map[string]any{"lat": lat, "lng": lng, "description": description})
			const key = "offline-0193e7a0-0000-7000-8000-00000000abcd"
			var wg sync.WaitGroup
			ids := make([]string, 4)
			replays := 0
			var mu sync.Mutex
			for i := range ids {
				wg.Go(func() {
					st, raw, replayed := keyed(t, resident, "/api/v1/cases", key, "application/json", body)
					var c struct{ ID string }
					json.Unmarshal(raw, &c)
					if st != 201 || c.ID == "" {
						t.Errorf("report %d: %d %s", i, st, raw)
					}
					mu.Lock()
					ids[i] = c.ID
					if replayed {
						replays++
					}
					mu.Unlock()
				})
			}
			wg.Wait()
			for _, id := range ids {
				if id != ids[0] {
					t.Fatalf("one key, several cases: %v", ids)
				}
			}
			if replays != len(ids)-1 {
				t.Errorf("%d answers replayed, want %d", replays, len(ids)-1)
			}
			// Later, once more (the phone did not get the answer).
			if st, raw, replayed := keyed(t, resident, "/api/v1/cases", key, "application/json", body); st != 201 || !replayed || !bytes.Contains(raw, []byte(ids[0])) {
				t.Errorf("a later repeat: %d %v %s", st, replayed, raw)
			}
			countCases := func(reporter string) int {
				var n int
				err := srv.App.DB.Read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases
					WHERE description = $1 AND reporter_id = (SELECT id FROM users WHERE username = $2)`, description, reporter).Scan(&n)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := countCases("resident1"); n != 1 {
				t.Errorf("resident1 has %d cases with the description, want 1", n)
			}

			// The same key from another resident is another report.
			other := srv.Login(t, "resident2")
			st, raw, replayed := keyed(t, other, "/api/v1/cases", key, "application/json", body)
			var theirs struct{ ID string }
			json.Unmarshal(raw, &theirs)
			if st != 201 || replayed || theirs.ID == ids[0] {
				t.Errorf("resident2 with resident1's key: %d replayed=%v %s", st, replayed, raw)
			}
			if n := countCases("resident2"); n != 1 {
				t.Errorf("resident2 has %d cases, want 1", n)
			}

			// The photos, sent again with their own key, are added once.
			var img bytes.Buffer
			jpeg.Encode(&img, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil)
			var form bytes.Buffer
			w := multipart.NewWriter(&form)
			part, _ := w.CreateFormFile("photo", "p.jpg")
			part.Write(img.Bytes())
			w.Close()
			for i := range 2 {
				if st, raw, replayed := keyed(t, resident, "/api/v1/cases/"+ids[0]+"/photos", key+"-photos", w.FormDataContentType(), form.Bytes()); st != 201 || replayed != (i == 1) {
					t.Errorf("photos, try %d: %d replayed=%v %s", i, st, replayed, raw)
				}
			}
			var photos struct{ Photos []any }
			if st := resident.Do("GET", "/api/v1/cases/"+ids[0]+"/photos", nil, &photos); st != 200 || len(photos.Photos) != 1 {
				t.Errorf("photos: %d, %d of them, want 1", st, len(photos.Photos))
			}

			// A malformed key is refused in the caller's language, and nothing is created.
			if st, raw, _ := keyed(t, resident, "/api/v1/cases?lang=en", "short", "application/json", body); st != 400 || !bytes.Contains(raw, []byte("Idempotency-Key")) {
				t.Errorf("bad key: %d %s", st, raw)
			}
			if n := countCases("resident1"); n != 1 {
				t.Errorf("after a refused key resident1 has %d cases, want 1", n)
			}
		})
	}
}
