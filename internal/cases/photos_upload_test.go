package cases_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/jpeg"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/photo"
	"github.com/yiwang-gov/yiwang/internal/photo/phototest"
)

// uploadPhoto posts one file as the "photo" part of a multipart form.
func uploadPhoto(t *testing.T, c *apptest.Client, caseID string, data []byte) (int, string) {
	t.Helper()
	return c.Upload("/api/v1/cases/"+caseID+"/photos?lang=en", "photo", "p.png", data)
}

// Issue 10 item 3: a decompression bomb (6000×6000 16-bit RGBA PNG: 36 MP, 288 MB decoded) sent
// to a case that does not exist, that the caller cannot see, or that the caller sees but may not
// add photos to is refused before the photo is even looked at; sent to the caller's own case it
// is refused from its header, without decoding.
func TestPhotoUploadChecksCaseBeforeImage(t *testing.T) {
	bomb := phototest.BombPNG(6000, 6000)
	var small bytes.Buffer
	jpeg.Encode(&small, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil)
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			resident := srv.Login(t, "resident1")
			var c struct{ ID string }
			if st := resident.Do("POST", "/api/v1/cases", map[string]any{"lat": lat, "lng": lng, "description": "路灯不亮，晚上很黑"}, &c); st != 201 {
				t.Fatalf("report: %d", st)
			}
			leader := srv.Login(t, "donghai.leader")
			if st := leader.Do("GET", "/api/v1/cases/"+c.ID, nil, nil); st != 200 {
				t.Fatalf("the subdistrict leader should see the case: %d", st)
			}
			for _, tc := range []struct {
				name   string
				client *apptest.Client
				caseID string
				want   int
			}{
				{"no such case", resident, "0193e7a0-0000-7000-8000-000000000000", 404},
				{"another subdistrict's caller", srv.Login(t, "chengdong.intake_operator"), c.ID, 404},
				{"another resident", srv.Login(t, "resident2"), c.ID, 404},
				{"sees the case, may not add photos", leader, c.ID, 403},
			} {
				checked, decoded := photo.Stats()
				st, body := uploadPhoto(t, tc.client, tc.caseID, bomb)
				if st != tc.want {
					t.Errorf("%s: %d %s, want %d", tc.name, st, body, tc.want)
				}
				if c2, d2 := photo.Stats(); c2 != checked || d2 != decoded {
					t.Errorf("%s: the photo was looked at (checked +%d, decoded +%d) before the case was", tc.name, c2-checked, d2-decoded)
				}
			}
			_, decoded := photo.Stats()
			st, body := uploadPhoto(t, resident, c.ID, bomb)
			var e struct{ Code, Message string }
			json.Unmarshal([]byte(body), &e)
			if st != 413 || e.Message == "" {
				t.Errorf("bomb to own case: %d %s, want 413 with a message", st, body)
			}
			if _, d2 := photo.Stats(); d2 != decoded {
				t.Errorf("the bomb was decoded")
			}
			if st, body := uploadPhoto(t, resident, c.ID, small.Bytes()); st != 201 {
				t.Errorf("a real photo: %d %s", st, body)
			}
		})
	}
}
