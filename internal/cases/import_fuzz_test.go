package cases_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Fuzz targets of the case desk's outside input, through the real server (apptest, SQLite):
// whatever a client sends, the answer is a 2xx or a 4xx, never a 500 and never a panic
// (等保 2.0, GB/T 22239-2019 8.1.4.4 软件容错). One server per fuzz worker, started once.

// FuzzImportNDJSON: the historic-case import, NDJSON posted by a system administrator.
func FuzzImportNDJSON(f *testing.F) {
	f.Add([]byte(`{"external_id":"old-1","reported_at":"2025-03-01T08:00:00Z","lat":24.9265,"lng":118.574,"description":"路灯不亮很久了"}`))
	f.Add([]byte("{\"external_id\":\"a\",\"reported_at\":\"2025-03-01T08:00:00Z\"}\n{\n\n"))
	f.Add([]byte(`{"external_id":"\u0000","reported_at":"0000-01-01T00:00:00Z","lat":1e999}`))
	f.Add([]byte(`{"external_id":"b","reported_at":"2025-03-01T08:00:00Z","events":[{"action":"dispatch","at":"x"}]}`))
	f.Add([]byte{0xff, 0xfe, '\n', '{', '}'})
	s := apptest.Start(f, db.SQLite)
	admin := s.Login(f, "sysadmin")
	f.Fuzz(func(t *testing.T, body []byte) {
		admin.T = t
		if status, answer := admin.Raw("POST", "/api/v1/import/cases", body); status >= 500 {
			t.Fatalf("%q: %d %s", body, status, answer)
		}
	})
}

// FuzzPhotoUpload: the multipart upload of a case's photos, with any body under any boundary.
func FuzzPhotoUpload(f *testing.F) {
	var good bytes.Buffer
	w := multipart.NewWriter(&good)
	w.SetBoundary("b0undary")
	part, _ := w.CreateFormFile("photo", "p.jpg")
	part.Write([]byte("\xff\xd8\xff\xe0 not really a jpeg"))
	w.Close()
	f.Add("b0undary", good.Bytes())
	f.Add("b0undary", []byte("--b0undary\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"\x00\"\r\n\r\n"))
	f.Add("", []byte("--\r\n"))
	f.Add("x\"y", []byte("--x\"y--"))
	s := apptest.Start(f, db.SQLite)
	resident := s.Login(f, "resident1")
	var created struct{ ID string }
	if st := resident.Do("POST", "/api/v1/cases", map[string]any{"lat": 24.9265, "lng": 118.574, "description": "井盖缺失很危险"}, &created); st != http.StatusCreated {
		f.Fatalf("create case: %d", st)
	}
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		req, err := http.NewRequest("POST", s.URL+"/api/v1/cases/"+created.ID+"/photos", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "multipart/form-data; boundary=\""+boundary+"\"")
		req.Header.Set("Authorization", "Bearer "+resident.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // a header value Go itself refuses to send: nothing reached the server
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("boundary %q body %q: %d", boundary, body, resp.StatusCode)
		}
	})
}
