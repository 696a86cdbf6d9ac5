package cases_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// The attack of issue 10.1: a resident merged their own report into a nearby case of anyone —
// across subdistricts, found through the public list — and then read it as its reporter:
// internal comments, staff names, photos. Residents no longer merge; they join (我也遇到) and see
// the case's public face only. The desk merges only within its scope on both sides.
func TestResidentJoinsButCannotMerge(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			owner, prober := srv.Login(t, "resident1"), srv.Login(t, "resident2")
			intake := srv.Login(t, "donghai.intake_operator")
			var target, mine, other caseJSON
			owner.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng,
				"description": "垃圾桶满了没人清理，联系我 138 1234 5678", "reporter_name": "张三"}, &target)
			if st, raw := postPhoto(t, owner, target.ID); st != 201 {
				t.Fatalf("report photo: %d %s", st, raw)
			}
			// The desk registers it and writes an internal note with a staff name in the timeline.
			act(t, intake, target.ID, "comment", map[string]any{"note": "内部：王科长说先别派", "internal": true})
			act(t, srv.Login(t, "donghai.grid_worker"), target.ID, "confirm", map[string]any{"result": "pass"})
			act(t, srv.Login(t, "donghai.shift_lead"), target.ID, "register", nil)
			prober.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng, "description": "垃圾桶满溢"}, &mine)
			srv.Login(t, "resident1").Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": 24.925, "lng": 118.5995,
				"description": "城东的垃圾"}, &other)

			// The attack: merging one's own report into the other case. Refused, nothing changed.
			for _, to := range []string{target.ID, other.ID} {
				if st, raw := prober.Raw("POST", "/api/v1/cases/"+mine.ID+"/actions/merge", map[string]any{"target_id": to}); st != 403 && st != 404 {
					t.Fatalf("a resident merged: %d %s", st, raw)
				}
			}
			var still caseJSON
			prober.Do("GET", "/api/v1/cases/"+mine.ID, nil, &still)
			if still.Status == "merged" {
				t.Fatal("the resident's report was merged")
			}
			if st, _ := prober.Raw("GET", "/api/v1/cases/"+target.ID, nil); st != 404 {
				t.Fatalf("a resident reads another's case before joining: %d", st)
			}

			// Joining (by number, as the public list shows it) gives the public face and the updates.
			var joined map[string]any
			if st := prober.Do("POST", "/api/v1/cases/"+target.Number+"/join", nil, &joined); st != 200 || joined["following"] != true {
				t.Fatalf("join: %d %v", st, joined)
			}
			if st := prober.Do("POST", "/api/v1/cases/"+target.ID+"/join", nil, nil); st != 200 {
				t.Fatalf("joining again: %d", st)
			}
			var face map[string]any
			prober.Do("GET", "/api/v1/cases/"+target.ID, nil, &face)
			for _, field := range []string{"reporter_name", "reporter_phone", "rework_count", "supervise_count", "suggested_department_code"} {
				if v, ok := face[field]; ok && v != float64(0) && v != "" {
					t.Errorf("a follower sees %s = %v", field, v)
				}
			}
			if d, _ := face["description"].(string); strings.Contains(d, "1234") || !strings.Contains(d, "垃圾桶满了") {
				t.Errorf("the follower's text is not the public text: %q", d)
			}
			if acts, _ := face["allowed_actions"].([]any); len(acts) != 0 {
				t.Errorf("a follower may act: %v", acts)
			}
			_, events := prober.Raw("GET", "/api/v1/cases/"+target.ID+"/events", nil)
			if strings.Contains(string(events), "王科长") || strings.Contains(string(events), "donghai") || strings.Contains(string(events), "1234 5678") {
				t.Errorf("a follower reads internal notes or staff names: %s", events)
			}
			if st, _ := prober.Raw("POST", "/api/v1/cases/"+target.ID+"/actions/comment", map[string]any{"note": "我也遇到了"}); st == 200 {
				t.Error("a follower commented on someone else's case")
			}
			if st, _ := prober.Raw("POST", "/api/v1/cases/"+target.ID+"/contact", map[string]any{"reason": "好奇"}); st == 200 {
				t.Error("a follower revealed the reporter's contact")
			}
			var mineList struct{ Cases []caseJSON }
			prober.Do("GET", "/api/v1/cases?mine=true", nil, &mineList)
			found := false
			for _, c := range mineList.Cases {
				found = found || c.ID == target.ID
			}
			if !found {
				t.Error("the joined case is not among my cases")
			}
			// The owner's own view is unchanged: they still see their full text and may act.
			var own map[string]any
			owner.Do("GET", "/api/v1/cases/"+target.ID, nil, &own)
			if own["following"] == true || !strings.Contains(own["description"].(string), "138 1234 5678") {
				t.Errorf("the reporter's own view changed: %v", own)
			}

			// Leaving ends it; the reporter cannot "leave" their own case.
			if st := prober.Do("DELETE", "/api/v1/cases/"+target.ID+"/join", nil, nil); st != 204 {
				t.Fatalf("leave: %d", st)
			}
			if st, _ := prober.Raw("GET", "/api/v1/cases/"+target.ID, nil); st != 404 {
				t.Fatalf("read after leaving: %d", st)
			}
			if st, _ := owner.Raw("DELETE", "/api/v1/cases/"+target.ID+"/join", nil); st != 404 {
				t.Fatalf("the reporter left their own case: %d", st)
			}
			if st, _ := prober.Raw("POST", "/api/v1/cases/not-a-case/join", nil); st != 404 {
				t.Fatalf("join of nothing: %d", st)
			}

			// The desk merges only what it reaches on both sides: 东海's desk cannot merge into 城东.
			if st, _ := intake.Raw("POST", "/api/v1/cases/"+mine.ID+"/actions/merge", map[string]any{"target_id": other.ID}); st != 404 {
				t.Fatalf("a desk merged into another subdistrict's case: %d", st)
			}
		})
	}
}

// A follower sees the public photos only: the report photos of a reporter
// who gave a name, as the public list does.
func TestFollowerSeesPublicPhotosOnly(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	owner, follower := srv.Login(t, "resident1"), srv.Login(t, "resident2")
	var target caseJSON
	owner.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng, "description": "井盖缺失很危险",
		"anonymous": true}, &target)
	if st, raw := postPhoto(t, owner, target.ID); st != 201 {
		t.Fatalf("photo: %d %s", st, raw)
	}
	if st := follower.Do("POST", "/api/v1/cases/"+target.ID+"/join", nil, nil); st != 200 {
		t.Fatalf("join: %d", st)
	}
	var photos struct {
		Photos []struct{ URL string } `json:"photos"`
	}
	owner.Do("GET", "/api/v1/cases/"+target.ID+"/photos", nil, &photos)
	if len(photos.Photos) != 1 {
		t.Fatalf("owner's photos: %+v", photos)
	}
	url := photos.Photos[0].URL
	follower.Do("GET", "/api/v1/cases/"+target.ID+"/photos", nil, &photos)
	if len(photos.Photos) != 0 {
		t.Fatalf("a follower lists an anonymous reporter's photos: %+v", photos)
	}
	if st, _ := follower.Raw("GET", url, nil); st != 404 {
		t.Fatalf("a follower reads an anonymous reporter's photo: %d", st)
	}
}

func postPhoto(t *testing.T, c *apptest.Client, caseID string) (int, string) {
	t.Helper()
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	return c.Upload("/api/v1/cases/"+caseID+"/photos", "photo", "p.jpg", img.Bytes())
}
