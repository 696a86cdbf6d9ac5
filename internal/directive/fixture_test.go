package directive

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// A small district for the store tests: 东海 (350503001) with communities 001 (three grids, two
// of them in zone Z01) and 002 (two grids); 城东 (350503002) with community 001 (two grids).
const (
	district  = "/350503/"
	donghai   = "/350503/350503001/"
	c1        = "/350503/350503001/350503001001/"
	c2        = "/350503/350503001/350503001002/"
	chengdong = "/350503/350503002/"
	c3        = "/350503/350503002/350503002001/"
)

func grid(code, zone string) Grid {
	community, sub := code[:12], code[:9]
	return Grid{Code: code, Name: "网格" + code[12:], Path: "/350503/" + sub + "/" + community + "/" + code + "/",
		CommunityCode: community, SubdistrictCode: sub, ZoneCode: zone}
}

var testGrids = []Grid{
	grid("350503001001001", "350503001Z01"), grid("350503001001002", "350503001Z01"), grid("350503001001003", ""),
	grid("350503001002001", ""), grid("350503001002002", ""),
	grid("350503002001001", ""), grid("350503002001002", ""),
}

type testTerritory struct{}

func (testTerritory) Places(_ context.Context, kind string) ([]Place, error) {
	return map[string][]Place{
		"district":    {{"350503", "丰泽区", district}},
		"subdistrict": {{"350503001", "东海街道", donghai}, {"350503002", "城东街道", chengdong}},
		"community":   {{"350503001001", "东梅社区", c1}, {"350503001002", "东星社区", c2}, {"350503002001", "城东社区", c3}},
		"zone":        {{"350503001Z01", "东海示范片区", donghai + "350503001Z01/"}},
	}[kind], nil
}

func (testTerritory) Grids(context.Context) ([]Grid, error) { return testGrids, nil }

// calendarClock counts working hours on the built-in 2026 calendar.
type calendarClock struct{ cal *calendar.Calendar }

func (c calendarClock) AddWorkingHours(_ context.Context, start time.Time, hours int) (time.Time, error) {
	return c.cal.Deadline(start, calendar.Limit{Value: hours, Unit: calendar.Hours}), nil
}

// people names everyone holding a role at a node "role@path", so tests read who was told.
type people struct{}

func (people) Holding(_ context.Context, _ db.Querier, roles []access.Role, path string) ([]string, error) {
	var out []string
	for _, r := range roles {
		out = append(out, string(r)+"@"+path)
	}
	return out, nil
}

func (people) Staff(context.Context, db.Querier, []string) ([]string, error) { return nil, nil }

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// cst is a wall-clock time in the district.
func cst(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, calendar.Zone)
}

func newService(t testing.TB, d *db.DB, clock *testClock) *Service {
	t.Helper()
	cal, err := calendar.New(calendar.DemoYears()...)
	if err != nil {
		t.Fatal(err)
	}
	outbox := notify.NewOutbox(d, people{}, i18n.MustLoad())
	outbox.Declare(EventTypes())
	return &Service{DB: d, Outbox: outbox, Now: clock.Now, Territory: testTerritory{}, Clock: calendarClock{cal}}
}

// as returns ctx signed in as a user holding role at the node of path.
func as(user string, role access.Role, path string) context.Context {
	code := path[strings.LastIndex(strings.TrimSuffix(path, "/"), "/")+1 : len(path)-1]
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: user, Username: user,
		Grants: []access.Grant{{Role: role, OrgCode: code, OrgPath: path, OrgName: "单位" + code}}})
}

var (
	districtLeader = as("district.leader", access.Leader, district)
	donghaiLeader  = as("donghai.leader", access.Leader, donghai)
	c1Worker       = as("c1.worker", access.GridWorker, c1)
	c1Staff        = as("c1.staff", access.CommunityStaff, c1)
	c2Staff        = as("c2.staff", access.CommunityStaff, c2)
	c3Worker       = as("c3.worker", access.GridWorker, c3)
)

// typhoon is an Alert due an hour after now.
func typhoon(now time.Time, target Target) Input {
	return Input{Title: "台风防御", Instruction: "排查广告牌、脚手架，完成后报告", MsgType: MsgTypeAlert, Urgency: UrgencyExpected,
		Severity: SeveritySevere, Certainty: CertaintyLikely, Target: target, AckDue: now.Add(time.Hour), ActionRequired: true}
}

func mustIssue(t *testing.T, s *Service, ctx context.Context, in Input) Issued {
	t.Helper()
	out, err := s.Issue(ctx, in)
	if err != nil {
		t.Fatalf("issue %s: %v", in.Title, err)
	}
	return out
}

func mustAck(t *testing.T, s *Service, ctx context.Context, id, grid string, done bool) TargetState {
	t.Helper()
	st, err := s.Ack(ctx, id, AckInput{GridCode: grid, Done: done})
	if err != nil {
		t.Fatalf("ack %s for %s: %v", id, grid, err)
	}
	return st
}

// told lists the notifications of an event type ("directive.escalate"): "recipient|params" in order.
func told(t *testing.T, d *db.DB, kind string) []string {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT user_id, params FROM notifications WHERE kind = $1 ORDER BY user_id, params`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u, p string
		if err := rows.Scan(&u, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, u+"|"+p)
	}
	return out
}
