package cases_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// publicCase is one case of the table below: how it was made and whether the public sees it.
type publicCase struct {
	name   string
	id     string
	number string
	public bool
}

// The whole of what the public view may show (publicview.go): any other field is a leak.
var (
	publicProperties = []string{"number", "category_code", "category_name", "status", "step", "status_text", "text", "reply",
		"department", "place", "subdistrict_code", "subdistrict_name", "zone_code", "reported_at", "updated_at", "closed_at",
		"expected_by", "photos", "timeline"}
	publicTimelineFields = []string{"at", "action", "text"}
)

// TestPublicViewShowsOnlyThePublicView: issue 14's table. Cases in every status, with every kind
// of internal text (notes of each step, 督办, comments, the exact address, the reporter's name and
// phone, staff names), plus a private report and a sensitive category: the public JSON
// API and Open311 list exactly the registered, publishable ones, and no byte of internal text
// leaves through either, on both engines.
func TestPublicViewShowsOnlyThePublicView(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
			if err := srv.App.Categories.SetFlag(sys, category.SensitiveFlag, category.Event, "09003", true); err != nil {
				t.Fatal(err)
			}
			resident := srv.Login(t, "resident1")
			worker := srv.Login(t, "donghai.grid_worker")
			lead := srv.Login(t, "donghai.shift_lead")
			dispatcher := srv.Login(t, "donghai.dispatcher")
			dept := srv.Login(t, "dept01.staff")
			leader := srv.Login(t, "donghai.leader")
			review := time.Now().AddDate(0, 1, 0).Format(time.RFC3339)

			// Each path starts with a resident's report and takes the actions named; every note
			// carries the marker 内参 (internal text), the address 丰海路28号, the reporter 秘名.
			steps := map[string]func(id string){
				"confirm": func(id string) {
					act(t, worker, id, "confirm", map[string]any{"result": "pass", "note": "内参核实"})
				},
				"register": func(id string) { act(t, lead, id, "register", map[string]any{"note": "内参立案"}) },
				"dispatch": func(id string) {
					act(t, dispatcher, id, "dispatch", map[string]any{"department_code": "350503D01", "note": "内参派遣"})
				},
				"return":    func(id string) { act(t, dept, id, "return", map[string]any{"note": "内参退回理由"}) },
				"sign":      func(id string) { act(t, dept, id, "sign", nil) },
				"supervise": func(id string) { act(t, leader, id, "supervise", map[string]any{"note": "内参督办要求"}) },
				"comment":   func(id string) { act(t, lead, id, "comment", map[string]any{"note": "内参评论", "internal": true}) },
				"handle":    func(id string) { act(t, dept, id, "handle", map[string]any{"note": "内参处置记录"}) },
				"extension": func(id string) {
					act(t, dept, id, "request_extension", map[string]any{"note": "内参延期申请", "new_deadline": review})
				},
				"report_back": func(id string) { act(t, dept, id, "report_back", map[string]any{"note": "内参反馈说明"}) },
				"verify": func(id string) {
					act(t, worker, id, "verify", map[string]any{"result": "pass", "note": "内参核查"})
				},
				"close": func(id string) { act(t, lead, id, "close", map[string]any{"note": "内参结案"}) },
				"void":  func(id string) { act(t, lead, id, "void", map[string]any{"note": "内参作废理由"}) },
				"shelve": func(id string) {
					act(t, lead, id, "shelve", map[string]any{"note": "内参挂账理由", "review_date": review})
				},
				"defer": func(id string) {
					act(t, lead, id, "defer", map[string]any{"note": "内参缓办理由", "review_date": review})
				},
			}
			toClose := "confirm register dispatch sign supervise comment handle extension report_back verify close"
			table := []struct {
				name, path string
				public     bool
				extra      map[string]any
			}{
				{"confirming", "", false, nil},
				{"reported", "confirm", false, nil},
				{"registered", "confirm register", true, nil},
				{"dispatched", "confirm register dispatch", true, nil},
				{"returned", "confirm register dispatch return", true, nil},
				{"handling", "confirm register dispatch sign supervise comment handle extension", true, nil},
				{"reported_back", "confirm register dispatch sign handle report_back", true, nil},
				{"verified", "confirm register dispatch sign report_back verify", true, nil},
				{"closed", toClose, true, nil},
				{"voided", "confirm void", false, nil},
				{"voided after registration", "confirm register void", false, nil},
				{"shelved", "confirm register shelve", true, nil},
				{"deferred", "confirm register defer", true, nil},
				{"private", toClose, false, map[string]any{"private": true}},
				{"sensitive category", toClose, false, map[string]any{"category_code": "09003"}},
			}
			var made []publicCase
			for i, row := range table {
				body := map[string]any{"category_code": "06010", "lat": lat + float64(i)*0.00004, "lng": lng + 0.00037,
					"description": "路边垃圾堆放第" + fmt.Sprint(i) + "处，联系我13912345678", "address": "丰海路28号",
					"reporter_name": "秘名王五"}
				for k, v := range row.extra {
					body[k] = v
				}
				var c caseJSON
				if st, raw := resident.Raw("POST", "/api/v1/cases", body); st != 201 {
					t.Fatalf("%s: report: %d %s", row.name, st, raw)
				} else if err := json.Unmarshal(raw, &c); err != nil {
					t.Fatal(err)
				}
				for _, step := range strings.Fields(row.path) {
					if step == "confirm" && c.Status != "confirming" {
						continue // a category without on-site confirmation starts at the desk
					}
					steps[step](c.ID)
				}
				made = append(made, publicCase{name: row.name, id: c.ID, number: c.Number, public: row.public})
			}
			// A duplicate merged into the registered case is not public either.
			var dup caseJSON
			resident.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng + 0.00037,
				"description": "同一处垃圾内参重复"}, &dup)
			act(t, lead, dup.ID, "merge", map[string]any{"target_id": made[2].id})
			made = append(made, publicCase{name: "merged", id: dup.ID, number: dup.Number})

			// Everything staff wrote or saw that the public must not: staff names from the events.
			secrets := []string{"内参", "丰海路28号", "秘名", "王五", "13912345678", "5678"}
			for _, m := range made {
				var ev struct{ Events []struct{ Actor string } }
				lead.Do("GET", "/api/v1/cases/"+m.id+"/events", nil, &ev)
				for _, e := range ev.Events {
					if e.Actor != "" && !slices.Contains(secrets, e.Actor) {
						secrets = append(secrets, e.Actor)
					}
				}
			}
			anon := srv.Anonymous(t)
			leaks := func(where string, raw []byte) {
				t.Helper()
				for _, s := range secrets {
					if strings.Contains(string(raw), s) {
						t.Errorf("%s shows %q: %.400s", where, s, raw)
					}
				}
			}

			// The list: exactly the public ones, as GeoJSON, each feature only public fields.
			st, raw := anon.Raw("GET", "/api/v1/public/cases?limit=500", nil)
			if st != 200 {
				t.Fatalf("public list: %d %s", st, raw)
			}
			leaks("the public list", raw)
			var fc struct {
				Type     string `json:"type"`
				Features []struct {
					Type       string                           `json:"type"`
					Geometry   *struct{ Coordinates []float64 } `json:"geometry"`
					Properties map[string]json.RawMessage       `json:"properties"`
				} `json:"features"`
			}
			if err := json.Unmarshal(raw, &fc); err != nil || fc.Type != "FeatureCollection" {
				t.Fatalf("not a FeatureCollection: %v %.200s", err, raw)
			}
			listed := map[string]bool{}
			for _, f := range fc.Features {
				var number string
				json.Unmarshal(f.Properties["number"], &number)
				listed[number] = true
				for k := range f.Properties {
					if !slices.Contains(publicProperties, k) {
						t.Errorf("case %s: property %q is outside the public view", number, k)
					}
				}
				if f.Geometry == nil || len(f.Geometry.Coordinates) != 2 {
					t.Errorf("case %s: no point", number)
					continue
				}
				for _, v := range f.Geometry.Coordinates {
					if math.Abs(v*1000-math.Round(v*1000)) > 1e-6 {
						t.Errorf("case %s: coordinate %v is finer than 3 decimals", number, v)
					}
				}
			}
			for _, m := range made {
				if listed[m.number] != m.public {
					t.Errorf("%s (%s): listed %v, want %v", m.name, m.number, listed[m.number], m.public)
				}
				// One case, with its timeline: public ones only; others are not found.
				st, raw := anon.Raw("GET", "/api/v1/public/cases/"+m.number, nil)
				if want := map[bool]int{true: 200, false: 404}[m.public]; st != want {
					t.Errorf("%s: one public case: %d, want %d", m.name, st, want)
				}
				leaks("public case "+m.name, raw)
				if m.public {
					var one struct {
						Properties struct {
							Text      string                       `json:"text"`
							UpdatedAt json.RawMessage              `json:"updated_at"`
							Timeline  []map[string]json.RawMessage `json:"timeline"`
						} `json:"properties"`
					}
					json.Unmarshal(raw, &one)
					tl := one.Properties.Timeline
					if !strings.Contains(one.Properties.Text, "路边垃圾堆放") || len(tl) < 2 {
						t.Errorf("%s: public text or timeline missing: %.300s", m.name, raw)
					} else if string(one.Properties.UpdatedAt) != string(tl[len(tl)-1]["at"]) {
						// The last public change is the last public step: a later 督办 or note must not show.
						t.Errorf("%s: updated_at %s, the last public step %s", m.name, one.Properties.UpdatedAt, tl[len(tl)-1]["at"])
					}
					for _, e := range one.Properties.Timeline {
						for k := range e {
							if !slices.Contains(publicTimelineFields, k) {
								t.Errorf("%s: timeline field %q", m.name, k)
							}
						}
						var action string
						json.Unmarshal(e["action"], &action)
						if slices.Contains([]string{"supervise", "comment", "request_extension", "handle", "return", "confirm"}, action) {
							t.Errorf("%s: internal step %q on the public timeline", m.name, action)
						}
					}
				}
				st, raw = anon.Raw("GET", "/open311/v2/requests/"+m.number+".json?extensions=true", nil)
				if want := map[bool]int{true: 200, false: 404}[m.public]; st != want {
					t.Errorf("%s: Open311 request: %d, want %d", m.name, st, want)
				}
				leaks("Open311 request "+m.name, raw)
			}
			st, raw = anon.Raw("GET", "/open311/v2/requests.json?extensions=true", nil)
			if st != 200 {
				t.Fatalf("Open311 list: %d %s", st, raw)
			}
			leaks("the Open311 list", raw)
			var requests []struct {
				ID string `json:"service_request_id"`
			}
			json.Unmarshal(raw, &requests)
			for _, r := range requests {
				if !listed[r.ID] {
					t.Errorf("Open311 lists %s, which the public view does not", r.ID)
				}
			}
			if len(requests) != len(fc.Features) {
				t.Errorf("Open311 lists %d requests, the public view %d", len(requests), len(fc.Features))
			}

			// Filters: the contract's status and subdistrict, and paging by cursor.
			var page struct {
				Features   []json.RawMessage `json:"features"`
				NextCursor string            `json:"next_cursor"`
			}
			anon.Do("GET", "/api/v1/public/cases?status=closed", nil, &page)
			if len(page.Features) != 1 {
				t.Errorf("status=closed: %d cases, want 1", len(page.Features))
			}
			anon.Do("GET", "/api/v1/public/cases?subdistrict=350503002", nil, &page)
			if len(page.Features) != 0 {
				t.Errorf("another subdistrict: %d cases", len(page.Features))
			}
			seen := map[string]bool{}
			for next, pages := "", 0; pages == 0 || next != ""; pages++ {
				page.NextCursor = ""
				if st := anon.Do("GET", "/api/v1/public/cases?limit=3&cursor="+next, nil, &page); st != 200 || pages > 10 {
					t.Fatalf("paging: %d after %d pages", st, pages)
				}
				for _, f := range page.Features {
					var x struct{ ID string }
					json.Unmarshal(f, &x)
					if seen[x.ID] {
						t.Errorf("case %s on two pages", x.ID)
					}
					seen[x.ID] = true
				}
				next = page.NextCursor
			}
			if len(seen) != len(fc.Features) {
				t.Errorf("paging saw %d cases, the list %d", len(seen), len(fc.Features))
			}
			for _, bad := range []string{"status=voided", "status=nonsense", "limit=0", "limit=501", "cursor=garbage", "from=2026-13-01", "lat=91&lng=1"} {
				if st, raw := anon.Raw("GET", "/api/v1/public/cases?"+bad, nil); st != 400 {
					t.Errorf("%s: %d %.200s", bad, st, raw)
				}
			}
		})
	}
}

// TestStaffSetWhatThePublicSees: the desk edits the public text, the handling unit writes its
// reply, staff mark photos public; the reporter and a stranger cannot; the text still passes the
// redaction function; an unmarked photo stays out.
func TestStaffSetWhatThePublicSees(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	resident := srv.Login(t, "resident1")
	worker := srv.Login(t, "donghai.grid_worker")
	lead := srv.Login(t, "donghai.shift_lead")
	dispatcher := srv.Login(t, "donghai.dispatcher")
	dept := srv.Login(t, "dept01.staff")
	var c caseJSON
	resident.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng, "description": "楼下垃圾桶满了"}, &c)
	for _, p := range []string{"first.jpg", "second.jpg"} {
		if st, raw := postPhoto(t, resident, c.ID); st != 201 {
			t.Fatalf("photo %s: %d %s", p, st, raw)
		}
	}
	act(t, worker, c.ID, "confirm", map[string]any{"result": "pass"})
	act(t, lead, c.ID, "register", nil)
	act(t, dispatcher, c.ID, "dispatch", map[string]any{"department_code": "350503D01"})
	// The desk finds a case by its number typed into the search box; another subdistrict's does not.
	var found struct{ Cases []caseJSON }
	lead.Do("GET", "/api/v1/cases?q="+c.Number, nil, &found)
	if len(found.Cases) != 1 || found.Cases[0].ID != c.ID {
		t.Errorf("search by number %s: %+v", c.Number, found.Cases)
	}
	// The finished history by period is the server's filter: changed today, not before.
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	for q, want := range map[string]int{"changed_from=" + today.Format(time.DateOnly): 1,
		"changed_to=" + today.AddDate(0, 0, -1).Format(time.DateOnly): 0} {
		lead.Do("GET", "/api/v1/cases?q="+c.Number+"&"+q, nil, &found)
		if len(found.Cases) != want {
			t.Errorf("%s: %d cases, want %d", q, len(found.Cases), want)
		}
	}
	if st, _ := lead.Raw("GET", "/api/v1/cases?changed_from=yesterday", nil); st != 400 {
		t.Errorf("a bad day: %d", st)
	}
	srv.Login(t, "chengdong.shift_lead").Do("GET", "/api/v1/cases?q="+c.Number, nil, &found)
	if len(found.Cases) != 0 {
		t.Errorf("another subdistrict finds %s by number", c.Number)
	}
	var photos struct{ Photos []struct{ ID string } }
	lead.Do("GET", "/api/v1/cases/"+c.ID+"/photos", nil, &photos)
	if len(photos.Photos) != 2 {
		t.Fatalf("photos: %+v", photos)
	}
	anon := srv.Anonymous(t)
	path := "/api/v1/cases/" + c.ID + "/publication"
	for _, who := range []*apptest.Client{resident, srv.Login(t, "resident2"), srv.Login(t, "chengdong.shift_lead")} {
		if st, _ := who.Raw("PUT", path, map[string]any{"public_text": "改"}); st != 403 && st != 404 {
			t.Errorf("%s set the public text: %d", who.Username, st)
		}
	}
	if st, raw := lead.Raw("PUT", path, map[string]any{"public_text": "小区垃圾桶满溢，请来电13800001111", "public_photos": []string{photos.Photos[1].ID}}); st != 200 {
		t.Fatalf("desk sets text: %d %s", st, raw)
	}
	if st, raw := dept.Raw("PUT", path, map[string]any{"public_reply": "已安排今日清运"}); st != 200 {
		t.Fatalf("unit sets reply: %d %s", st, raw)
	}
	for _, bad := range []map[string]any{{}, {"public_photos": []string{"not-a-photo"}}, {"public_text": strings.Repeat("长", 2001)}} {
		if st, raw := lead.Raw("PUT", path, bad); st != 400 {
			t.Errorf("%v: %d %.200s", bad, st, raw)
		}
	}
	var one struct {
		Properties struct {
			Text   string   `json:"text"`
			Reply  string   `json:"reply"`
			Photos []string `json:"photos"`
		} `json:"properties"`
	}
	if st, raw := anon.Raw("GET", "/api/v1/public/cases/"+c.Number, nil); st != 200 || json.Unmarshal(raw, &one) != nil {
		t.Fatalf("public case: %d %s", st, raw)
	}
	p := one.Properties
	if !strings.HasPrefix(p.Text, "小区垃圾桶满溢") || strings.Contains(p.Text, "13800001111") || p.Reply != "已安排今日清运" || len(p.Photos) != 1 {
		t.Fatalf("public case after staff set it: %+v", p)
	}
	if st, _ := anon.Raw("GET", p.Photos[0], nil); st != 200 {
		t.Errorf("the marked photo: %d", st)
	}
	if st, _ := anon.Raw("GET", "/api/v1/public/photos/"+photos.Photos[0].ID, nil); st != 404 {
		t.Errorf("an unmarked photo: %d", st)
	}
	// The reporter reads the case in plain words: the step, and the working days left once the
	// unit has signed (no more than the calendar days to the deadline, at least one).
	act(t, dept, c.ID, "sign", nil)
	var mine struct {
		Step     string     `json:"step"`
		Days     *int       `json:"expected_working_days"`
		Deadline *time.Time `json:"deadline"`
		Public   bool       `json:"public"`
	}
	resident.Do("GET", "/api/v1/cases/"+c.ID, nil, &mine)
	if mine.Step != "handling" || !mine.Public || mine.Days == nil || mine.Deadline == nil || *mine.Days < 1 ||
		float64(*mine.Days) > time.Until(*mine.Deadline).Hours()/24+1 {
		t.Errorf("the reporter's view: %+v", mine)
	}
	var requests []struct {
		Notes string `json:"status_notes"`
	}
	anon.Do("GET", "/open311/v2/requests/"+c.Number+".json", nil, &requests)
	if len(requests) != 1 || requests[0].Notes != "已安排今日清运" {
		t.Errorf("Open311 status_notes: %+v", requests)
	}
	var audits int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'case.publication' AND object_id = ?`, c.ID).Scan(&audits)
	if audits != 2 {
		t.Errorf("audited %d publication changes, want 2", audits)
	}
}

// TestJoinByNumberOnlyPublicCases: case numbers run in sequence, so a number is no secret. A
// resident who types one may follow (我也遇到) a case the public sees, never one its reporter
// kept private, one of a sensitive category, or one not yet registered — each would show them
// its text and progress.
func TestJoinByNumberOnlyPublicCases(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	sys := access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
	if err := srv.App.Categories.SetFlag(sys, category.SensitiveFlag, category.Event, "09003", true); err != nil {
		t.Fatal(err)
	}
	owner, other := srv.Login(t, "resident1"), srv.Login(t, "resident2")
	worker, lead := srv.Login(t, "donghai.grid_worker"), srv.Login(t, "donghai.shift_lead")
	report := func(extra map[string]any, register bool) caseJSON {
		body := map[string]any{"category_code": "06010", "lat": lat, "lng": lng, "description": "楼道堆放杂物"}
		for k, v := range extra {
			body[k] = v
		}
		var c caseJSON
		if st, raw := owner.Raw("POST", "/api/v1/cases", body); st != 201 || json.Unmarshal(raw, &c) != nil {
			t.Fatalf("report: %d %s", st, raw)
		}
		if register {
			if c.Status == "confirming" {
				act(t, worker, c.ID, "confirm", map[string]any{"result": "pass"})
			}
			act(t, lead, c.ID, "register", nil)
		}
		return c
	}
	public := report(nil, true)
	for name, c := range map[string]caseJSON{
		"private":        report(map[string]any{"private": true}, true),
		"sensitive":      report(map[string]any{"category_code": "09003"}, true),
		"not registered": report(nil, false),
	} {
		if st, raw := other.Raw("POST", "/api/v1/cases/"+c.Number+"/join", nil); st != 404 {
			t.Errorf("joined a %s case by its number: %d %.200s", name, st, raw)
		}
	}
	if st, raw := other.Raw("POST", "/api/v1/cases/"+public.Number+"/join", nil); st != 200 {
		t.Errorf("joining a public case by its number: %d %s", st, raw)
	}
}
