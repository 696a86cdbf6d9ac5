package participant_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/participant"
)

const donghaiZone = "350503001Z01"

func me(t *testing.T, c *apptest.Client) string {
	t.Helper()
	var u struct{ ID string }
	if s := c.Do("GET", "/api/v1/me", nil, &u); s != 200 || u.ID == "" {
		t.Fatalf("me: %d", s)
	}
	return u.ID
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %.200s: %v", b, err)
	}
}

// The demo's 1+N rosters: one per zone, a lead and N participants with pledges; contacts are
// masked for readers and whole for managers, and sealed at rest; another subdistrict's staff do
// not reach the roster at all.
func TestRosters(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			worker, staff := srv.Login(t, "donghai.grid_worker"), srv.Login(t, "donghai.community_staff")
			var r participant.Roster
			if s := worker.Do("GET", "/api/v1/zones/"+donghaiZone+"/roster", nil, &r); s != 200 {
				t.Fatalf("roster as the grid worker: %d", s)
			}
			if r.Lead == nil || r.Lead.Name != "东海街道党工委" || len(r.Participants) != 4 {
				t.Fatalf("the demo roster: %+v", r)
			}
			for _, p := range append(r.Participants, *r.Lead) {
				if !p.Masked || !strings.Contains(p.ContactPhone, "****") || len(p.Pledges) == 0 {
					t.Errorf("as a reader: %+v", p)
				}
			}
			if s := staff.Do("GET", "/api/v1/zones/"+donghaiZone+"/roster", nil, &r); s != 200 || r.Lead.Masked || !strings.HasPrefix(r.Lead.ContactPhone, "1385950") || strings.Contains(r.Lead.ContactPhone, "*") {
				t.Errorf("as a manager the contact is whole: %d %+v", s, r.Lead)
			}
			// At rest the phone is sealed.
			var enc string
			if err := srv.App.DB.QueryRow(t.Context(), `SELECT contact_phone_enc FROM participants WHERE id = $1`, r.Lead.ID).Scan(&enc); err != nil ||
				!strings.HasPrefix(enc, "pii1:") || strings.Contains(enc, r.Lead.ContactPhone) {
				t.Errorf("stored phone: %q %v", enc, err)
			}
			var zones int
			if err := srv.App.DB.QueryRow(t.Context(), `SELECT count(DISTINCT zone_code) FROM participants WHERE kind = 'lead'`).Scan(&zones); err != nil || zones != 8 {
				t.Errorf("demo rosters: %d zones with a lead, %v", zones, err)
			}

			// A 城东 community staff member reaches none of 东海's roster.
			admin := srv.Login(t, "secadmin")
			if s := admin.Do("POST", "/api/v1/users", map[string]any{"username": "chengdong.community_staff", "display_name": "城东社区工作人员",
				"password": apptest.DemoPassword, "must_change_password": false,
				"roles": []map[string]string{{"role": "community_staff", "org_code": "350503002001"}}}, nil); s != 201 {
				t.Fatalf("create 城东's community staff: %d", s)
			}
			other := srv.Login(t, "chengdong.community_staff")
			if s, b := other.Raw("GET", "/api/v1/zones/"+donghaiZone+"/roster", nil); s != 404 || strings.Contains(string(b), "1385950") || strings.Contains(string(b), "党工委") {
				t.Errorf("城东's community staff reads 东海's roster: %d %s", s, b)
			}
			if s := other.Do("POST", "/api/v1/zones/"+donghaiZone+"/participants", map[string]any{"kind": "firm", "name": "闯入企业"}, nil); s != 404 {
				t.Errorf("城东's community staff adds to 东海's roster: %d", s)
			}
			if s := other.Do("PATCH", "/api/v1/participants/"+r.Lead.ID, map[string]any{"contact_phone": "13900000000"}, nil); s != 404 {
				t.Errorf("城东's community staff edits 东海's lead: %d", s)
			}
			var teams struct{ Teams []participant.Team }
			other.Do("GET", "/api/v1/volunteer-teams", nil, &teams)
			for _, tm := range teams.Teams {
				if tm.ZoneCode == donghaiZone {
					t.Errorf("城东's community staff lists 东海's team %+v", tm)
				}
			}

			// Managing: the lead is one; a participant and its pledge's progress.
			if s := staff.Do("POST", "/api/v1/zones/"+donghaiZone+"/participants", map[string]any{"kind": "lead", "name": "另一个党组织"}, nil); s != 409 {
				t.Errorf("a second lead: %d, want 409", s)
			}
			for _, body := range []map[string]any{{"kind": "club", "name": "某俱乐部"}, {"kind": "firm", "name": "x"},
				{"kind": "firm", "name": "某企业", "contact_phone": "12345"}, {"kind": "firm"}} {
				if s := staff.Do("POST", "/api/v1/zones/"+donghaiZone+"/participants", body, nil); s != 400 {
					t.Errorf("add %v: %d, want 400", body, s)
				}
			}
			var p participant.Participant
			if s := staff.Do("POST", "/api/v1/zones/"+donghaiZone+"/participants", map[string]any{"kind": "firm", "name": "泉州某超市有限公司",
				"contact_name": "陈大明", "contact_phone": "139 5950 1234"}, &p); s != 201 || p.ContactPhone != "13959501234" {
				t.Fatalf("add a firm: %d %+v", s, p)
			}
			if s := worker.Do("POST", "/api/v1/participants/"+p.ID+"/pledges", map[string]any{"title": "爱心驿站", "kind": "resource"}, nil); s != 403 {
				t.Errorf("a grid worker adds a pledge: %d, want 403", s)
			}
			var pl participant.Pledge
			if s := staff.Do("POST", "/api/v1/participants/"+p.ID+"/pledges", map[string]any{"title": "爱心驿站", "kind": "resource",
				"description": "为环卫工人提供饮水休息"}, &pl); s != 201 || pl.Status != "pledged" {
				t.Fatalf("add a pledge: %d %+v", s, pl)
			}
			if s := staff.Do("PATCH", "/api/v1/pledges/"+pl.ID, map[string]any{"status": "done"}, nil); s != 400 {
				t.Errorf("a bad status: %d, want 400", s)
			}
			if s := staff.Do("PATCH", "/api/v1/pledges/"+pl.ID, map[string]any{"status": "delivered"}, &pl); s != 200 || pl.Status != "delivered" {
				t.Errorf("deliver: %d %+v", s, pl)
			}
			if s := staff.Do("PATCH", "/api/v1/participants/"+p.ID, map[string]any{"kind": "unit"}, nil); s != 400 {
				t.Errorf("a kind change: %d, want 400", s)
			}
			if s := staff.Do("PATCH", "/api/v1/participants/"+p.ID, map[string]any{"contact_phone": "13800001111"}, &p); s != 200 || p.ContactPhone != "13800001111" {
				t.Errorf("a new phone: %d %+v", s, p)
			}
			worker.Do("GET", "/api/v1/zones/"+donghaiZone+"/roster", nil, &r)
			found := false
			for _, x := range r.Participants {
				if x.ID == p.ID {
					found = true
					if x.ContactPhone != "138****1111" || x.ContactName != "陈**" || len(x.Pledges) != 1 {
						t.Errorf("the firm as a reader sees it: %+v", x)
					}
				}
			}
			if !found {
				t.Error("the new firm is not on the roster")
			}
		})
	}
}

// Volunteers' hours: logged hours await a manager's confirmation and count only then; the
// managers are told; a volunteer reads only their own hours.
func TestHours(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			clock := apptest.NewClock(time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			volunteer, staff, worker := srv.Login(t, "donghai.volunteer"), srv.Login(t, "donghai.community_staff"), srv.Login(t, "donghai.grid_worker")
			id := me(t, volunteer)
			var teams struct{ Teams []participant.Team }
			if s := volunteer.Do("GET", "/api/v1/volunteer-teams", nil, &teams); s != 200 || len(teams.Teams) != 1 || teams.Teams[0].ZoneCode != donghaiZone {
				t.Fatalf("the volunteer's teams: %d %+v", s, teams)
			}
			var members struct{ Members []participant.Member }
			volunteer.Do("GET", "/api/v1/volunteer-teams/"+teams.Teams[0].ID+"/members", nil, &members)
			if len(members.Members) != 3 {
				t.Errorf("members of 东海's team: %+v", members)
			}
			for _, body := range []map[string]any{{"day": "2026-12-01", "minutes": 0, "note": "社区义诊"},
				{"day": "2026-12-09", "minutes": 60, "note": "社区义诊"}, {"day": "2026-12-01", "minutes": 60, "note": ""},
				{"day": "2026-12-01", "minutes": 60, "note": "社区义诊", "team_id": "x"}} {
				if s := volunteer.Do("POST", "/api/v1/volunteers/"+id+"/hours", body, nil); s != 400 {
					t.Errorf("log %v: %d, want 400", body, s)
				}
			}
			var e participant.HoursEntry
			if s, b := volunteer.Raw("POST", "/api/v1/volunteers/"+id+"/hours", map[string]any{"day": "2026-12-01", "minutes": 90, "note": "协助社区义诊"}); s != 201 {
				t.Fatalf("log: %d %s", s, b)
			} else {
				decode(t, b, &e)
			}
			if e.Status != "pending" {
				t.Errorf("hours the volunteer logs: %+v", e)
			}
			var h participant.Hours
			volunteer.Do("GET", "/api/v1/volunteers/"+id+"/hours?from=2026-12-01&to=2026-12-31", nil, &h)
			if h.TotalMinutes != 0 || h.PendingMinutes != 90 || len(h.Entries) != 1 {
				t.Errorf("before confirmation: %+v", h)
			}
			var notes struct {
				Notifications []struct{ Text string } `json:"notifications"`
			}
			staff.Do("GET", "/api/v1/notifications", nil, &notes)
			if len(notes.Notifications) == 0 || !strings.Contains(notes.Notifications[0].Text, "90") {
				t.Errorf("the community staff were not told: %+v", notes)
			}
			if s := volunteer.Do("POST", "/api/v1/volunteer-hours/"+e.ID+"/confirm", nil, nil); s != 403 {
				t.Errorf("the volunteer confirms: %d, want 403", s)
			}
			if s := staff.Do("POST", "/api/v1/volunteer-hours/"+e.ID+"/confirm", nil, &e); s != 200 || e.Status != "confirmed" {
				t.Fatalf("confirm: %d %+v", s, e)
			}
			if s := staff.Do("POST", "/api/v1/volunteer-hours/"+e.ID+"/confirm", nil, nil); s != 409 {
				t.Errorf("confirm twice: %d, want 409", s)
			}
			volunteer.Do("GET", "/api/v1/volunteers/"+id+"/hours?from=2026-12-01&to=2026-12-31", nil, &h)
			if h.TotalMinutes != 90 || h.ConfirmedMinutes != 90 || h.PendingMinutes != 0 {
				t.Errorf("after confirmation: %+v", h)
			}
			// Logged by a manager, hours are confirmed at once.
			if s := staff.Do("POST", "/api/v1/volunteers/"+id+"/hours", map[string]any{"day": "2026-12-02", "minutes": 30, "note": "垃圾分类宣传"}, &e); s != 201 || e.Status != "confirmed" {
				t.Errorf("a manager logs: %d %+v", s, e)
			}
			if s := volunteer.Do("GET", "/api/v1/volunteers/"+id+"/hours?from=2026-12-31&to=2026-12-01", nil, nil); s != 400 {
				t.Errorf("to before from: %d, want 400", s)
			}
			// Someone else's hours are not a volunteer's or a grid worker's to read.
			if s := worker.Do("GET", "/api/v1/volunteers/"+id+"/hours", nil, nil); s != 404 {
				t.Errorf("the grid worker reads the volunteer's hours: %d, want 404", s)
			}
			if s := volunteer.Do("GET", "/api/v1/volunteers/"+me(t, worker)+"/hours", nil, nil); s != 404 {
				t.Errorf("the volunteer reads the grid worker's hours: %d, want 404", s)
			}
			// A named member without an account.
			var m participant.Member
			if s := staff.Do("POST", "/api/v1/volunteer-teams/"+teams.Teams[0].ID+"/members", map[string]any{"name": "郑秀英"}, &m); s != 201 || m.UserID != "" {
				t.Fatalf("add a member without an account: %d %+v", s, m)
			}
			if s := staff.Do("POST", "/api/v1/volunteer-teams/"+teams.Teams[0].ID+"/members", map[string]any{"user_id": id}, nil); s != 409 {
				t.Errorf("add the volunteer twice: %d, want 409", s)
			}
			if s := staff.Do("POST", "/api/v1/volunteers/"+m.ID+"/hours", map[string]any{"day": "2026-12-02", "minutes": 45, "note": "陪同老人就医"}, nil); s != 201 {
				t.Errorf("hours of a member without an account: %d", s)
			}
			staff.Do("GET", "/api/v1/volunteers/"+m.ID+"/hours?from=2026-12-01&to=2026-12-31", nil, &h)
			if h.TotalMinutes != 45 {
				t.Errorf("hours of a member without an account: %+v", h)
			}
		})
	}
}
