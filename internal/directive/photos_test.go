package directive_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/directive"
)

// pngOf is a small real photo (a PNG the photo package re-encodes).
func pngOf(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDonePhotos: a grid's worker adds photos to the grid's done report, then reports done; the
// issuer sees them and reads the JPEG; another community's staff see neither the photos nor the
// bytes; refusals (a grid not the worker's, a directive without action, a file not a photo)
// store nothing.
func TestDonePhotos(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			leader, worker := srv.Login(t, "donghai.leader"), srv.Login(t, "donghai.grid_worker")
			issue := func(action bool) string {
				t.Helper()
				var out directive.Issued
				body := map[string]any{"title": "消防通道排查", "instruction": "清理占用消防通道的杂物，拍照报告", "msg_type": "Alert",
					"urgency": "Expected", "severity": "Moderate", "certainty": "Likely",
					"target":  map[string]any{"subdistricts": []string{"350503001"}, "zones": []string{}, "communities": []string{}, "grids": []string{}},
					"ack_due": time.Now().Add(2 * time.Hour).Format(time.RFC3339), "action_required": action}
				if s := leader.Do("POST", "/api/v1/directives", body, &out); s != 201 {
					t.Fatalf("issue: %d", s)
				}
				return out.ID
			}
			id := issue(true)
			mine, other := "350503001001001", "350503001002001" // 东梅's grid; 东星's
			base := "/api/v1/directives/" + id
			if s, b := worker.Upload(base+"/targets/"+mine+"/photos", "photo", "done.png", pngOf(t)); s != http.StatusCreated || !strings.Contains(b, `"grid_code":"`+mine+`"`) {
				t.Fatalf("upload: %d %s", s, b)
			}
			if s, b := worker.Upload(base+"/targets/"+other+"/photos", "photo", "done.png", pngOf(t)); s != http.StatusForbidden {
				t.Errorf("upload for another community's grid: %d %s", s, b)
			}
			if s, b := worker.Upload(base+"/targets/"+mine+"/photos", "photo", "notes.txt", []byte("not a photo")); s < 400 || s >= 500 {
				t.Errorf("upload of a text file: %d %s", s, b)
			}
			if s, b := worker.Upload("/api/v1/directives/"+issue(false)+"/targets/"+mine+"/photos", "photo", "done.png", pngOf(t)); s != http.StatusBadRequest {
				t.Errorf("upload to a directive without action: %d %s", s, b)
			}
			if s, raw := worker.Raw("POST", base+"/acks", map[string]any{"grid_code": mine, "done": true, "note": "已清理，见照片"}); s != 201 {
				t.Fatalf("done: %d %s", s, raw)
			}
			var list struct {
				Photos []struct {
					ID, URL  string
					GridCode string `json:"grid_code"`
				}
			}
			if s := leader.Do("GET", base+"/photos", nil, &list); s != 200 || len(list.Photos) != 1 || list.Photos[0].GridCode != mine {
				t.Fatalf("the issuer's photos: %d %+v", s, list)
			}
			if s, b := leader.Raw("GET", list.Photos[0].URL, nil); s != 200 || len(b) < 3 || b[0] != 0xFF || b[1] != 0xD8 {
				t.Errorf("the photo: %d, %d bytes, not a JPEG", s, len(b))
			}
			// Another community's staff reach the directive through their grids, not 东梅's photos.
			sec := srv.Login(t, "secadmin")
			if s := sec.Do("POST", "/api/v1/users", map[string]any{"username": "dongxing.staff", "display_name": "东星社区工作人员",
				"password": apptest.DemoPassword, "must_change_password": false,
				"roles": []map[string]string{{"role": "community_staff", "org_code": "350503001002"}}}, nil); s != 201 {
				t.Fatalf("create 东星's staff: %d", s)
			}
			dx := srv.Login(t, "dongxing.staff")
			var theirs struct{ Photos []any }
			if s := dx.Do("GET", base+"/photos", nil, &theirs); s != 200 || len(theirs.Photos) != 0 {
				t.Errorf("东星's staff list %d photos (%d)", len(theirs.Photos), s)
			}
			if s, _ := dx.Raw("GET", list.Photos[0].URL, nil); s != 404 {
				t.Errorf("东星's staff read 东梅's photo: %d", s)
			}
		})
	}
}
