package cases_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

type caseJSON struct {
	ID         string  `json:"id"`
	Number     string  `json:"number"`
	Status     string  `json:"status"`
	GridCode   string  `json:"grid_code"`
	Subdist    string  `json:"subdistrict_code"`
	Dept       string  `json:"department_code"`
	Suggested  string  `json:"suggested_department_code"`
	StageDue   *string `json:"stage_due"`
	Deadline   *string `json:"deadline"`
	Rework     int     `json:"rework_count"`
	Reopen     int     `json:"reopen_count"`
	Supervise  int     `json:"supervise_count"`
	Rating     string  `json:"rating"`
	Light      string  `json:"sla"`
	Phone      string  `json:"reporter_phone"`
	Duplicates []struct {
		Number string `json:"number"`
	} `json:"duplicates"`
	FollowToken string `json:"follow_token"`
}

// donghai is a point inside 东海街道 (350503001).
const lat, lng = 24.925, 118.575

func act(t *testing.T, c *apptest.Client, id, action string, body map[string]any) caseJSON {
	t.Helper()
	var out caseJSON
	st, raw := c.Raw("POST", "/api/v1/cases/"+id+"/actions/"+action, body)
	if st != 200 {
		t.Fatalf("%s as %s: %d %s", action, c.Username, st, raw)
	}
	if err := jsonUnmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWholeLoopOnBothEngines(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			resident := srv.Login(t, "resident1")
			var c caseJSON
			st, raw := resident.Raw("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng,
				"description": "小区门口垃圾堆积三天无人清理，气味很大"})
			if st != 201 {
				t.Fatalf("report: %d %s", st, raw)
			}
			jsonUnmarshal(raw, &c)
			if c.Status != "confirming" || c.Subdist != "350503001" || c.Number == "" || c.StageDue == nil || c.Suggested == "" {
				t.Fatalf("new case: %s", raw)
			}
			if !strings.HasPrefix(c.Number, "2026") || len(c.Number) != 13 {
				t.Fatalf("number %q", c.Number)
			}
			worker := srv.Login(t, "donghai.grid_worker")
			lead := srv.Login(t, "donghai.shift_lead")
			dispatcher := srv.Login(t, "donghai.dispatcher")
			dept := srv.Login(t, "dept01.staff")
			leader := srv.Login(t, "donghai.leader")

			// A second report of the same problem nearby is offered as a duplicate.
			var dup caseJSON
			resident2 := srv.Login(t, "resident2")
			st, raw = resident2.Raw("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat + 0.0001, "lng": lng,
				"description": "门口垃圾没人清理"})
			jsonUnmarshal(raw, &dup)
			if st != 201 || len(dup.Duplicates) == 0 || dup.Duplicates[0].Number != c.Number {
				t.Fatalf("duplicate not offered: %d %s", st, raw)
			}
			act(t, lead, dup.ID, "merge", map[string]any{"target_id": c.ID})

			act(t, worker, c.ID, "confirm", map[string]any{"result": "pass"})
			// Illegal transitions are refused with a clear message.
			if st, raw := lead.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/close", map[string]any{}); st != 409 || !strings.Contains(string(raw), "当前不能执行") {
				t.Fatalf("illegal close: %d %s", st, raw)
			}
			if st, _ := worker.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/register", map[string]any{}); st != 403 {
				t.Fatalf("grid worker registering: %d", st)
			}
			act(t, lead, c.ID, "register", nil)
			c = act(t, dispatcher, c.ID, "dispatch", map[string]any{"department_code": "350503D01", "assisting_department_codes": []string{"350503D02"}})
			if c.Status != "dispatched" || c.Dept != "350503D01" {
				t.Fatalf("dispatch: %+v", c)
			}
			// The department sees the case in its inbox and sees the reporter's contact masked.
			var inbox struct{ Cases []caseJSON }
			dept.Do("GET", "/api/v1/cases?status=dispatched", nil, &inbox)
			if len(inbox.Cases) != 1 || inbox.Cases[0].ID != c.ID {
				t.Fatalf("department inbox: %+v", inbox)
			}
			c = act(t, dept, c.ID, "sign", nil)
			if c.Deadline == nil || c.Status != "handling" {
				t.Fatalf("sign: %+v", c)
			}
			act(t, leader, c.ID, "supervise", map[string]any{"note": "请尽快处理"})
			act(t, dept, c.ID, "handle", map[string]any{"note": "已安排清运车辆"})
			act(t, dept, c.ID, "report_back", map[string]any{"note": "已清理完毕"})
			c = act(t, worker, c.ID, "verify", map[string]any{"result": "fail", "note": "仍有残留"})
			if c.Status != "handling" || c.Rework != 1 {
				t.Fatalf("failed verification: %+v", c)
			}
			act(t, dept, c.ID, "report_back", map[string]any{"note": "残留已清理"})
			act(t, worker, c.ID, "verify", map[string]any{"result": "pass"})
			c = act(t, lead, c.ID, "close", nil)
			if c.Status != "closed" || c.Supervise != 1 {
				t.Fatalf("close: %+v", c)
			}
			// Someone else cannot rate; the reporter rates unsatisfied and the case reopens once.
			if st, _ := resident2.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/rate", map[string]any{"rating": "satisfied"}); st != 404 && st != 403 {
				t.Fatalf("a stranger rated: %d", st)
			}
			c = act(t, resident, c.ID, "rate", map[string]any{"rating": "unsatisfied"})
			if c.Status != "handling" || c.Reopen != 1 {
				t.Fatalf("unsatisfied: %+v", c)
			}
			// The timeline holds every step, with the reopen recorded by the system.
			var ev struct {
				Events []struct{ Action, Status string }
			}
			resident.Do("GET", "/api/v1/cases/"+c.ID+"/events", nil, &ev)
			var actions []string
			for _, e := range ev.Events {
				actions = append(actions, e.Action)
			}
			want := "report confirm register dispatch sign supervise handle report_back verify report_back verify close rate reopen"
			if strings.Join(actions, " ") != want {
				t.Fatalf("timeline:\n got %s\nwant %s", strings.Join(actions, " "), want)
			}
			// Keyword search finds it by a 2-character word, on both engines.
			var found struct{ Cases []caseJSON }
			lead.Do("GET", "/api/v1/cases?q=垃圾", nil, &found)
			if len(found.Cases) != 2 {
				t.Fatalf("search 垃圾: %d", len(found.Cases))
			}
			lead.Do("GET", "/api/v1/cases?q=清理&status=handling", nil, &found)
			if len(found.Cases) != 1 || found.Cases[0].ID != c.ID {
				t.Fatalf("search 清理 + status: %+v", found.Cases)
			}
			// Notifications reached the department and the reporter.
			var notes struct {
				Notifications []struct{ Kind, Text string }
				Unread        int
			}
			resident.Do("GET", "/api/v1/notifications", nil, &notes)
			if notes.Unread == 0 || !strings.Contains(fmt.Sprint(notes.Notifications), c.Number) {
				t.Fatalf("resident notifications: %+v", notes)
			}
		})
	}
}

func TestBadReportsAre4xxAndWriteNothing(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	resident := srv.Login(t, "resident1")
	cases := []struct {
		body   any
		status int
		key    string
	}{
		{map[string]any{"lat": 24.90, "lng": 118.70, "description": "区外的问题"}, 400, "case.outside_district"},
		{map[string]any{"lat": lat, "lng": lng, "description": "未知类别", "category_code": "99999"}, 400, "case.unknown_category"},
		{map[string]any{"lat": lat, "lng": lng, "description": "x"}, 400, "case.bad_description"},
		{map[string]any{"lat": "north", "lng": lng, "description": "类型错误"}, 400, "request.wrong_type"},
		{map[string]any{"lat": lat, "lng": lng, "description": "渠道", "channel": "patrol"}, 400, "case.bad_channel"},
		{map[string]any{"lat": lat, "lng": lng, "description": "紧急", "urgency": "panic"}, 400, "case.bad_urgency"},
		{`{"lat":`, 400, "request.bad_json"},
		{map[string]any{"lat": lat, "lng": lng, "description": strings.Repeat("长", 70000)}, 413, "request.too_large"},
	}
	for _, tc := range cases {
		st, raw := resident.Raw("POST", "/api/v1/cases", tc.body)
		if st != tc.status || !strings.Contains(string(raw), `"key":"`+tc.key+`"`) {
			t.Errorf("%.60v: %d %.200s", tc.body, st, raw)
		}
	}
	var n int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&n)
	if n != 0 {
		t.Fatalf("refused reports wrote %d cases", n)
	}
	// English messages on request.
	st, raw := resident.Raw("POST", "/api/v1/cases?lang=en", map[string]any{"lat": 24.90, "lng": 118.70, "description": "outside"})
	if st != 400 || !strings.Contains(string(raw), "outside the district") {
		t.Fatalf("english: %d %s", st, raw)
	}
}

func TestReclassifyAndRevealContact(t *testing.T) {
	srv := apptest.Start(t, "sqlite")
	intake := srv.Login(t, "donghai.intake_operator")
	var c caseJSON
	intake.Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "lat": lat, "lng": lng,
		"description": "路口噪音扰民", "reporter_phone": "0595-22345678", "reporter_name": "陈女士"}, &c)
	if c.Phone != "059*****5678" {
		t.Fatalf("masked landline: %q", c.Phone)
	}
	// The desk sets the category and moves the pin into 城东: routing and place follow.
	st, raw := intake.Raw("POST", "/api/v1/cases/"+c.ID+"/actions/reclassify", map[string]any{"category_code": "06028", "lat": 24.925, "lng": 118.5995, "urgency": "urgent"})
	if st != 200 || !strings.Contains(string(raw), `"subdistrict_name":"城东街道"`) {
		t.Fatalf("reclassify: %d %s", st, raw)
	}
	jsonUnmarshal(raw, &c)
	if c.Subdist != "350503002" || c.Suggested == "" || c.StageDue == nil {
		t.Fatalf("reclassified: %+v", c)
	}
	if st, _ := intake.Raw("GET", "/api/v1/cases/"+c.ID, nil); st != 404 {
		t.Fatalf("the case moved to another subdistrict's desk but 东海 still reads it: %d", st)
	}
	other := srv.Login(t, "chengdong.intake_operator")
	var contact struct {
		Name  string `json:"reporter_name"`
		Phone string `json:"reporter_phone"`
	}
	// Every reveal says why (等保: access to personal information is justified and recorded).
	for _, body := range []any{nil, map[string]string{}, map[string]string{"reason": " "}, map[string]string{"reason": strings.Repeat("因", 201)}} {
		if st, raw := other.Raw("POST", "/api/v1/cases/"+c.ID+"/contact", body); st != 400 {
			t.Fatalf("reveal without a reason %v: %d %s", body, st, raw)
		}
	}
	if st := other.Do("POST", "/api/v1/cases/"+c.ID+"/contact", map[string]string{"reason": "回访核实"}, &contact); st != 200 || contact.Phone != "059522345678" || contact.Name != "陈女士" {
		t.Fatalf("reveal: %d %+v", st, contact)
	}
	if st, _ := srv.Login(t, "chengdong.leader").Raw("POST", "/api/v1/cases/"+c.ID+"/contact", map[string]string{"reason": "回访核实"}); st != 403 {
		t.Fatalf("a leader revealed the contact: %d", st)
	}
	var recs struct {
		Records []struct{ Action, After string }
	}
	srv.Login(t, "auditadmin").Do("GET", "/api/v1/audit?action=case.reveal_contact", nil, &recs)
	if len(recs.Records) != 1 || !strings.Contains(recs.Records[0].After, "回访核实") {
		t.Fatalf("reveal not audited: %+v", recs)
	}
}
