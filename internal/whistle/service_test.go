package whistle

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// The service on both engines, with the case desk and the org tree as fakes: scope (a community
// sees its grids' whistles only, a department the whistles that summon it, another subdistrict
// nothing), escalation timing on the work calendar, once.

const (
	donghai   = "/350503/350503001/"
	dongmei   = donghai + "350503001001/" // 东梅社区
	dongxing  = donghai + "350503001002/" // 东星社区
	chengdong = "/350503/350503002/"
)

// fakeCases holds the cases the tests blow whistles on.
type fakeCases map[string]CasePlace

func (f fakeCases) Place(_ context.Context, id string) (CasePlace, error) {
	c, ok := f[id]
	if !ok {
		return c, apperr.New(apperr.NotFound, "case.not_found")
	}
	return c, nil
}

type fakeUnits struct{}

func (fakeUnits) Department(_ context.Context, code string) (Unit, bool, error) {
	if len(code) == 9 && code[:7] == "350503D" {
		return Unit{Code: code, Name: "部门" + code[7:]}, true, nil
	}
	return Unit{}, false, nil
}

type fixedClock struct{ cal Calendar }

func (c fixedClock) Calendar(context.Context) (Calendar, error) { return c.cal, nil }

// testClock is a settable now.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func place(id, path string, lat, lng float64) CasePlace {
	grid := path[len(path)-16 : len(path)-1]
	return CasePlace{ID: id, Number: "20260309-" + id, Path: path, GridCode: grid, CommunityCode: grid[:12],
		SubdistrictCode: grid[:9], Lat: lat, Lng: lng, Located: true, Open: true}
}

func newService(t *testing.T, d *db.DB, clock *testClock) (*Service, fakeCases) {
	cases := fakeCases{
		"dongmei":   place("dongmei", dongmei+"350503001001001/", 24.925, 118.5742),
		"dongxing":  place("dongxing", dongxing+"350503001002001/", 24.9213, 118.5743),
		"chengdong": place("chengdong", chengdong+"350503002001/350503002001001/", 24.925, 118.5995),
	}
	return &Service{DB: d, Outbox: notify.NewOutbox(d, nil, nil), Now: clock.Now, Cases: cases, Units: fakeUnits{},
		Clock: fixedClock{realCalendar(t)}}, cases
}

// as is a context whose caller holds one role at one node.
func as(user string, role access.Role, code, path string) context.Context {
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: user, Username: user, DisplayName: user,
		Grants: []access.Grant{{Role: role, OrgCode: code, OrgPath: path}}})
}

var (
	gridWorker     = as("gw", access.GridWorker, "350503001001", dongmei)
	dongmeiStaff   = as("cs1", access.CommunityStaff, "350503001001", dongmei)
	dongxingStaff  = as("cs2", access.CommunityStaff, "350503001002", dongxing)
	donghaiLeader  = as("lead", access.Leader, "350503001", donghai)
	chengdongGrid  = as("cgw", access.GridWorker, "350503002001", chengdong+"350503002001/")
	chengdongShift = as("cshift", access.ShiftLead, "350503002", chengdong)
	dept01         = as("d1", access.DepartmentStaff, "350503D01", "/350503/350503D01/")
	dept02         = as("d2", access.DepartmentStaff, "350503D02", "/350503/350503D02/")
	dept03         = as("d3", access.DepartmentStaff, "350503D03", "/350503/350503D03/")
)

func blow(t *testing.T, s *Service, ctx context.Context, caseID string, kind Kind, units ...string) Whistle {
	t.Helper()
	w, err := s.Blow(ctx, BlowInput{CaseID: caseID, Kind: kind, DepartmentCodes: units, Ask: "请到场联合处置"})
	if err != nil {
		t.Fatalf("blow on %s: %v", caseID, err)
	}
	return w
}

func ids(t *testing.T, s *Service, ctx context.Context, f Filter) []string {
	t.Helper()
	page, err := s.List(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, w := range page.Whistles {
		out = append(out, w.CaseID)
	}
	slices.Sort(out)
	return out
}

func TestScope(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := &testClock{now: cst(2026, 3, 9, 9, 0)}
		s, _ := newService(t, d, clock)
		a := blow(t, s, gridWorker, "dongmei", Daily, "350503D01")
		b := blow(t, s, dongxingStaff, "dongxing", Hard, "350503D02")
		c := blow(t, s, chengdongGrid, "chengdong", Emergency, "350503D01", "350503D03")
		for _, sc := range []struct {
			name string
			ctx  context.Context
			sees []string
		}{
			{"东梅's community staff: its grids only", dongmeiStaff, []string{"dongmei"}},
			{"东星's community staff", dongxingStaff, []string{"dongxing"}},
			{"东海's leader: the subdistrict", donghaiLeader, []string{"dongmei", "dongxing"}},
			{"城东's shift lead: not 东海's", chengdongShift, []string{"chengdong"}},
			{"department 01: the whistles summoning it", dept01, []string{"chengdong", "dongmei"}},
			{"department 02", dept02, []string{"dongxing"}},
			{"department 03", dept03, []string{"chengdong"}},
		} {
			t.Run(sc.name, func(t *testing.T) {
				got := ids(t, s, sc.ctx, Filter{})
				if !slices.Equal(got, sc.sees) {
					t.Errorf("lists %v, want %v", got, sc.sees)
				}
				for _, w := range []Whistle{a, b, c} {
					_, err := s.Get(sc.ctx, w.ID)
					if slices.Contains(sc.sees, w.CaseID) != (err == nil) {
						t.Errorf("get %s: %v", w.CaseID, err)
					}
					if err != nil && apperr.CodeOf(err) != apperr.NotFound {
						t.Errorf("get %s out of reach: %v, want not found", w.CaseID, err)
					}
				}
			})
		}
		// Filters narrow within the scope, never widen it.
		if got := ids(t, s, donghaiLeader, Filter{Department: "350503D01"}); !slices.Equal(got, []string{"dongmei"}) {
			t.Errorf("东海's leader, department 01: %v", got)
		}
		if got := ids(t, s, dept01, Filter{Kind: Emergency}); !slices.Equal(got, []string{"chengdong"}) {
			t.Errorf("department 01, emergencies: %v", got)
		}
		// 东海's staff cannot blow on 城东's place; 东星's staff not on 东梅's.
		if _, err := s.Blow(dongxingStaff, BlowInput{CaseID: "dongmei", Kind: Daily, DepartmentCodes: []string{"350503D01"}, Ask: "请到场"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("东星 blows on 东梅: %v", err)
		}
		// A department not summoned cannot check in; a summoned one can.
		lat, lng := 24.925, 118.5742
		if _, err := s.CheckIn(dept02, a.ID, CheckInInput{Lat: &lat, Lng: &lng}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("department 02 checks in to a whistle not summoning it: %v", err)
		}
		if _, err := s.CheckIn(gridWorker, a.ID, CheckInInput{Lat: &lat, Lng: &lng}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a grid worker checks in: %v", err)
		}
		if r, err := s.CheckIn(dept01, a.ID, CheckInInput{Lat: &lat, Lng: &lng}); err != nil || r.DistanceM != 0 || r.Late || r.Flagged {
			t.Errorf("department 01 checks in on the spot: %+v %v", r, err)
		}
		// Figures: a department sees its own row even where the whistle summoned others too;
		// a subdistrict the units its whistles summoned.
		rows := func(ctx context.Context) []string {
			tab, err := s.Figures(ctx, "2026-03-01", "2026-03-31", "department")
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range tab.Rows {
				out = append(out, r.Code)
			}
			return out
		}
		if got := rows(dept01); !slices.Equal(got, []string{"350503D01"}) {
			t.Errorf("department 01's figures: %v", got)
		}
		if got := rows(donghaiLeader); !slices.Equal(got, []string{"350503D01", "350503D02"}) {
			t.Errorf("东海's figures: %v", got)
		}
		if got := rows(dongmeiStaff); !slices.Equal(got, []string{"350503D01"}) {
			t.Errorf("东梅's figures: %v", got)
		}
	})
}

// lateEvents counts the escalations recorded in the outbox.
func lateEvents(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT count(*) FROM outbox_events WHERE type = $1`, EventLate).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Escalation timing: a daily whistle blown on Friday afternoon is due on Monday afternoon (one
// working day, the weekend not counted); an emergency blown on Saturday morning is due 30
// wall-clock minutes later. Each missing check-in is escalated once, however often the job runs;
// one checked in, or a whistle closed, is not.
func TestEscalation(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := &testClock{now: cst(2026, 3, 6, 16, 0)} // Friday
		s, cases := newService(t, d, clock)
		ctx := context.Background()
		daily := blow(t, s, gridWorker, "dongmei", Daily, "350503D01", "350503D02")
		if want := cst(2026, 3, 9, 16, 0); !daily.Summons[0].DueAt.Equal(want) {
			t.Fatalf("daily due %s, want Monday 16:00", daily.Summons[0].DueAt.In(Zone))
		}
		clock.Set(cst(2026, 3, 7, 10, 0)) // Saturday
		if e := blow(t, s, dongxingStaff, "dongxing", Emergency, "350503D03"); !e.Summons[0].DueAt.Equal(cst(2026, 3, 7, 10, 30)) {
			t.Fatalf("emergency due %s, want Saturday 10:30", e.Summons[0].DueAt.In(Zone))
		}
		run := func(at time.Time) int {
			t.Helper()
			n, err := s.Escalate(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := run(cst(2026, 3, 7, 10, 29)); n != 0 {
			t.Errorf("escalated %d before the emergency's 30 minutes", n)
		}
		if n := run(cst(2026, 3, 7, 10, 31)); n != 1 {
			t.Errorf("escalated %d after the emergency's 30 minutes, want 1", n)
		}
		if n := run(cst(2026, 3, 8, 12, 0)); n != 0 {
			t.Errorf("Sunday: escalated %d; the daily whistle is not due before Monday 16:00", n)
		}
		// Department 02 checks in on Monday at 15:00: on time. Department 01 does not come.
		clock.Set(cst(2026, 3, 9, 15, 0))
		lat, lng := 24.925, 118.5742
		if r, err := s.CheckIn(dept02, daily.ID, CheckInInput{Lat: &lat, Lng: &lng}); err != nil || r.Late {
			t.Fatalf("department 02 checks in on time: %+v %v", r, err)
		}
		if n := run(cst(2026, 3, 9, 15, 59)); n != 0 {
			t.Errorf("escalated %d before Monday 16:00", n)
		}
		if n := run(cst(2026, 3, 9, 16, 1)); n != 1 {
			t.Errorf("escalated %d after Monday 16:00, want department 01 only", n)
		}
		for i := 0; i < 3; i++ {
			if n := run(cst(2026, 3, 9, 17+i, 0)); n != 0 {
				t.Errorf("run %d escalated %d again", i, n)
			}
		}
		if n := lateEvents(t, d); n != 2 {
			t.Errorf("%d escalation events, want 2", n)
		}
		clock.Set(cst(2026, 3, 9, 16, 5))
		got, err := s.Get(dept01, daily.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sm := range got.Summons {
			switch sm.DepartmentCode {
			case "350503D01":
				if sm.EscalatedAt == nil || !sm.Late || sm.CheckedInAt != nil {
					t.Errorf("department 01: %+v", sm)
				}
			case "350503D02":
				if sm.EscalatedAt != nil || sm.Late {
					t.Errorf("department 02 checked in on time: %+v", sm)
				}
			}
		}
		// Late arrivals after the escalation are recorded as late; a cancelled whistle is not
		// escalated at all.
		clock.Set(cst(2026, 3, 9, 16, 30))
		if r, err := s.CheckIn(dept01, daily.ID, CheckInInput{Lat: &lat, Lng: &lng}); err != nil || !r.Late {
			t.Errorf("department 01 arrives late: %+v %v", r, err)
		}
		clock.Set(cst(2026, 3, 9, 9, 0))
		c := cases["dongmei"]
		c.ID = "dongmei2"
		cases["dongmei2"] = c
		called := blow(t, s, gridWorker, "dongmei2", Emergency, "350503D05")
		if _, err := s.Cancel(gridWorker, called.ID, EndInput{Note: "误报，已自行解决"}); err != nil {
			t.Fatal(err)
		}
		if n := run(cst(2026, 3, 9, 11, 0)); n != 0 {
			t.Errorf("a cancelled whistle escalated %d", n)
		}
	})
}

// The whistle's life: acknowledge, check in far (flagged, accepted), report done, close only once
// the case is solved and only by the whistler, rate each unit once.
func TestLife(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := &testClock{now: cst(2026, 3, 9, 9, 0)}
		s, cases := newService(t, d, clock)
		w := blow(t, s, gridWorker, "dongmei", Hard, "350503D01", "350503D02")
		if _, err := s.Acknowledge(dept01, w.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Acknowledge(dept01, w.ID, ""); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("acknowledged twice: %v", err)
		}
		if _, err := s.Acknowledge(dept01, w.ID, "350503D02"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("department 01 acknowledges for 02: %v", err)
		}
		clock.Set(cst(2026, 3, 9, 9, 40))
		lat, lng := 24.93, 118.5742 // about 555 m north
		r, err := s.CheckIn(dept01, w.ID, CheckInInput{Lat: &lat, Lng: &lng})
		if err != nil || !r.Flagged || r.Late || r.DistanceM < 550 || r.DistanceM > 560 {
			t.Errorf("far check-in: %+v %v", r, err)
		}
		if _, err := s.TaskDone(dept02, w.ID, "350503D02", DoneInput{Note: "已处理"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("done before checking in: %v", err)
		}
		if _, err := s.TaskDone(dept01, w.ID, "350503D01", DoneInput{Note: "已清理占道摊点"}); err != nil {
			t.Error(err)
		}
		if _, err := s.Say(dept02, w.ID, PostInput{Body: "住建局已出发"}); err != nil {
			t.Error(err)
		}
		if _, err := s.Say(dept03, w.ID, PostInput{Body: "我们也来"}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("a unit not summoned posts: %v", err)
		}
		if posts, err := s.Thread(gridWorker, w.ID); err != nil || len(posts) != 1 || posts[0].Role != "department_staff" {
			t.Errorf("thread: %+v %v", posts, err)
		}
		if _, err := s.Close(gridWorker, w.ID, EndInput{}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("closed before the case is solved: %v", err)
		}
		c := cases["dongmei"]
		c.Solved = true
		cases["dongmei"] = c
		if _, err := s.Close(dongmeiStaff, w.ID, EndInput{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("someone else's whistle closed by community staff: %v", err)
		}
		if _, err := s.Rate(gridWorker, w.ID, RateInput{DepartmentCode: "350503D01", Stars: 5}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("rated before the close: %v", err)
		}
		closed, err := s.Close(gridWorker, w.ID, EndInput{Note: "联合处置完毕"})
		if err != nil || closed.Status != Closed || closed.ClosedAt == nil {
			t.Fatalf("close: %+v %v", closed, err)
		}
		if _, err := s.CheckIn(dept02, w.ID, CheckInInput{Lat: &lat, Lng: &lng}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("check-in after the close: %v", err)
		}
		if _, err := s.Rate(gridWorker, w.ID, RateInput{DepartmentCode: "350503D01", Stars: 6}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("6 stars: %v", err)
		}
		if _, err := s.Rate(gridWorker, w.ID, RateInput{DepartmentCode: "350503D09", Stars: 3}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("rating a unit not summoned: %v", err)
		}
		if sm, err := s.Rate(donghaiLeader, w.ID, RateInput{DepartmentCode: "350503D01", Stars: 4, Note: "到场及时"}); err != nil || *sm.Stars != 4 {
			t.Errorf("the leader rates for the whistler: %+v %v", sm, err)
		}
		if _, err := s.Rate(gridWorker, w.ID, RateInput{DepartmentCode: "350503D01", Stars: 5}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("rated twice: %v", err)
		}
		tab, err := s.Figures(donghaiLeader, "2026-03-09", "2026-03-09", "department")
		if err != nil || len(tab.Rows) != 2 {
			t.Fatalf("figures: %+v %v", tab, err)
		}
		if d1 := tab.Rows[0]; d1.Code != "350503D01" || *d1.OnTimeCheckInRate != 100 || *d1.MedianCheckInMinutes != 40 || *d1.Rating != 4 {
			t.Errorf("department 01's figures: %+v", d1)
		}
		// Department 02 never came: its deadline (2 working hours from 09:00) has passed by now.
		clock.Set(cst(2026, 3, 9, 12, 0))
		tab, _ = s.Figures(donghaiLeader, "2026-03-09", "2026-03-09", "department")
		if d2 := tab.Rows[1]; d2.Late != 1 || d2.OnTimeCheckInRate == nil || *d2.OnTimeCheckInRate != 0 {
			t.Errorf("department 02's figures: %+v", d2)
		}
		var audits int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE object_id = $1`, w.ID).Scan(&audits); err != nil || audits != 7 {
			t.Errorf("%d audit records (blow, ack, check-in, done, message, close, rate), want 7: %v", audits, err)
		}
	})
}
