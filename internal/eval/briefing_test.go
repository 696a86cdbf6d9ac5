package eval_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/eval"
	"github.com/yiwang-gov/yiwang/internal/jobs"
)

const chengdong = "350503002"

// briefingCase is one imported case of the briefing's week: reported at 09:00 on day of
// November 2026, registered at 09:30 and, when closed, worked to the end the same day.
func briefingCase(id, category string, lat, lng float64, day int, closed bool) string {
	at := func(hm string) string { return fmt.Sprintf("2026-11-%02dT%s:00+08:00", day, hm) }
	events := []string{fmt.Sprintf(`{"action":"register","at":%q}`, at("09:30"))}
	if closed {
		events = append(events, fmt.Sprintf(`{"action":"dispatch","at":%q,"department_code":"350503D01"}`, at("10:00")),
			fmt.Sprintf(`{"action":"sign","at":%q}`, at("10:30")), fmt.Sprintf(`{"action":"report_back","at":%q}`, at("14:00")),
			fmt.Sprintf(`{"action":"verify","at":%q,"result":"pass"}`, at("14:30")), fmt.Sprintf(`{"action":"close","at":%q}`, at("15:00")))
	}
	return fmt.Sprintf(`{"external_id":%q,"channel":"patrol","kind":"report","category_code":%q,"lat":%v,"lng":%v,"description":"简报测试案卷 %s","reported_at":%q,"events":[%s]}`,
		id, category, lat, lng, id, at("09:00"), strings.Join(events, ","))
}

// briefingWeek is the week of 2 to 8 November 2026. Donghai: 12 cases, 9 of exposed garbage
// (06010) at one place of which the first two (2 and 3 November) are still open, 3 of noise
// (06028) at another place, all closed. Chengdong: 10 cases of garbage, 5 closed.
func briefingWeek() string {
	var lines []string
	for i := range 12 {
		if i < 9 {
			lines = append(lines, briefingCase(fmt.Sprintf("D-%02d", i), "06010", 24.925, 118.575, 2+i%5, i >= 2))
		} else {
			lines = append(lines, briefingCase(fmt.Sprintf("D-%02d", i), "06028", 24.924, 118.576, 2+i%5, true))
		}
	}
	for i := range 10 {
		lines = append(lines, briefingCase(fmt.Sprintf("C-%02d", i), "06010", 24.925, 118.5995, 2+i%5, i >= 5))
	}
	return strings.Join(lines, "\n") + "\n"
}

type briefingAnswer struct {
	Level   string `json:"level"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	From    string `json:"from"`
	To      string `json:"to"`
	Figures struct {
		Counts map[string]int64    `json:"counts"`
		Rates  map[string]*float64 `json:"rates"`
		Score  *float64            `json:"score"`
		Scheme string              `json:"scheme"`
	} `json:"figures"`
	KeyRates   []string `json:"key_rates"`
	Rank       *int     `json:"rank"`
	Of         int      `json:"of"`
	PrevRank   *int     `json:"previous_rank"`
	RankChange *int     `json:"rank_change"`
	Overdue    []struct {
		Number      string `json:"number"`
		Stage       string `json:"stage"`
		LateMinutes int64  `json:"late_minutes"`
	} `json:"overdue"`
	Categories  []eval.Group `json:"categories"`
	Places      []eval.Group `json:"places"`
	StandardRef string       `json:"standard_ref"`
	GeneratedAt time.Time    `json:"generated_at"`
}

func TestBriefing(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			// Friday 20 November 2026, 10:00 in Beijing: the week's open cases are long overdue.
			clock := apptest.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			if st, raw := srv.Login(t, "sysadmin").Raw("POST", "/api/v1/import/cases", briefingWeek()); st != 200 {
				t.Fatalf("import: %d %s", st, raw)
			}
			if _, err := srv.App.Eval.CatchUp(context.Background()); err != nil {
				t.Fatal(err)
			}
			week := "&from=2026-11-02&to=2026-11-08"
			get := func(as, query string) briefingAnswer {
				t.Helper()
				var b briefingAnswer
				if st, raw := srv.Login(t, as).Raw("GET", "/api/v1/briefings?"+query, nil); st != 200 {
					t.Fatalf("%s %s: %d %s", as, query, st, raw)
				} else if err := jsonUnmarshal(raw, &b); err != nil {
					t.Fatal(err)
				}
				return b
			}

			b := get("donghai.leader", "level=subdistrict&code="+donghai+week)
			if b.Name != "东海街道" || b.From != "2026-11-02" || b.To != "2026-11-08" || !b.GeneratedAt.Equal(clock.Now()) {
				t.Errorf("head: %q %s..%s generated %s", b.Name, b.From, b.To, b.GeneratedAt)
			}
			c := b.Figures.Counts
			if c["reports"] != 12 || c["registered"] != 12 || c["closed"] != 10 || c["should_close"] != 12 {
				t.Errorf("counts: reports %d registered %d closed %d should_close %d, want 12 12 10 12",
					c["reports"], c["registered"], c["closed"], c["should_close"])
			}
			if r := b.Figures.Rates["closure_rate"]; r == nil || *r != 83.33 {
				t.Errorf("closure rate %v, want 83.33 (10 of 12)", r)
			}
			if b.Figures.Score == nil || b.Figures.Scheme != "gbt30428-area v1" || !strings.Contains(b.StandardRef, "GB/T 30428.4") {
				t.Errorf("score %v scheme %q standard %q", b.Figures.Score, b.Figures.Scheme, b.StandardRef)
			}
			if !slices.Contains(b.KeyRates, "on_time_closure_rate") {
				t.Errorf("key rates %v", b.KeyRates)
			}
			// Donghai (10 of 12 closed) is ranked above Chengdong (5 of 10) among all the district's
			// subdistricts, though its leader reaches Donghai alone; no other subdistrict has the
			// minimum sample. The week before had no case: no previous rank.
			if b.Rank == nil || *b.Rank != 1 || b.Of != 2 || b.PrevRank != nil || b.RankChange != nil {
				t.Errorf("rank %v of %d (previous %v, change %v), want 1 of 2 without a previous", b.Rank, b.Of, b.PrevRank, b.RankChange)
			}
			other := get("chengdong.leader", "level=subdistrict&code="+chengdong+week)
			if other.Rank == nil || *other.Rank != 2 || other.Of != 2 || other.Figures.Counts["reports"] != 10 {
				t.Errorf("Chengdong: rank %v of %d, %d reports; want 2 of 2, 10", other.Rank, other.Of, other.Figures.Counts["reports"])
			}
			// The open cases, most late first: D-00 (2 November) before D-01 (3 November); Chengdong's
			// open cases are not Donghai's.
			if len(b.Overdue) != 2 || b.Overdue[0].LateMinutes <= b.Overdue[1].LateMinutes || b.Overdue[0].Stage != "dispatch" {
				t.Errorf("overdue: %+v", b.Overdue)
			}
			groups := func(gs []eval.Group) string {
				var out []string
				for _, g := range gs {
					out = append(out, fmt.Sprintf("%s:%d/%d/%d", g.Key, g.Count, g.Open, g.Closed))
				}
				return strings.Join(out, " ")
			}
			if got := groups(b.Categories); got != "06010:9/2/7 06028:3/0/3" {
				t.Errorf("categories %s", got)
			}
			if len(b.Places) != 2 || b.Places[0].Count != 9 || b.Places[1].Count != 3 || b.Places[0].GridCode == "" {
				t.Errorf("places %+v", b.Places)
			}
			if d := get("district.leader", "level=district&code=350503"+week); d.Figures.Counts["reports"] != 22 || len(d.Overdue) != 7 {
				t.Errorf("district: %d reports, %d overdue; want 22, 7", d.Figures.Counts["reports"], len(d.Overdue))
			}

			for _, tc := range []struct {
				as, query, key string
				want           int
			}{
				{"donghai.leader", "level=subdistrict&code=" + chengdong + week, "eval.unknown_unit", 404},
				{"donghai.leader", "level=community&code=350503002001" + week, "eval.unknown_unit", 404},
				{"dept01.staff", "level=subdistrict&code=" + donghai + week, "eval.unknown_unit", 404},
				{"donghai.leader", "level=person&code=x" + week, "eval.bad_level", 400},
				{"donghai.leader", "level=subdistrict" + week, "briefing.no_unit", 400},
				{"donghai.leader", "level=subdistrict&code=" + donghai + "&from=2026-11-08&to=2026-11-02", "eval.bad_period", 400},
				{"donghai.leader", "level=subdistrict&code=" + donghai + week + "&format=pdf", "export.bad_format", 400},
				{"resident1", "level=subdistrict&code=" + donghai + week, "auth.forbidden", 403},
			} {
				st, raw := srv.Login(t, tc.as).Raw("GET", "/api/v1/briefings?"+tc.query, nil)
				var e struct{ Key, Message string }
				_ = jsonUnmarshal(raw, &e)
				if st != tc.want || (tc.want != 403 && e.Key != tc.key) || e.Message == "" {
					t.Errorf("%s %s: %d %s, want %d %s", tc.as, tc.query, st, raw, tc.want, tc.key)
				}
			}

			// The workbook holds the same content, section after section.
			st, raw := srv.Login(t, "donghai.leader").Raw("GET", "/api/v1/briefings?level=subdistrict&code="+donghai+week+"&format=xlsx", nil)
			if st != 200 {
				t.Fatalf("xlsx: %d %s", st, raw)
			}
			f, err := excelize.OpenReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("open the workbook: %v", err)
			}
			defer f.Close()
			rows, err := f.GetRows(f.GetSheetList()[0])
			if err != nil {
				t.Fatal(err)
			}
			var cells []string
			for _, r := range rows {
				cells = append(cells, strings.Join(r, "|"))
			}
			sheet := strings.Join(cells, "\n")
			for _, want := range []string{"东海街道 工作简报（2026-11-02 至 2026-11-08）", "关键指标", "排名与变化\n名次|参评单位数|上期名次|名次变化\n1|2",
				"超期案卷（超期最久的 10 件）", "高发问题类别（前 10）", "暴露垃圾|9|2|7", "噪声扰民|3|0|3", "高发地点（前 10）", "指标口径"} {
				if !strings.Contains(sheet, want) {
					t.Errorf("workbook lacks %q:\n%s", want, sheet)
				}
			}
			if n := strings.Count(sheet, "简报测试案卷"); n != 0 {
				t.Errorf("the workbook shows case descriptions (%d)", n)
			}
		})
	}
}

func TestParseSchedule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want eval.Schedule
		bad  bool
	}{
		{"weekly", eval.Schedule{Weekly: true}, false},
		{"monthly", eval.Schedule{Monthly: true}, false},
		{"weekly,monthly", eval.Schedule{Weekly: true, Monthly: true}, false},
		{" monthly , weekly ", eval.Schedule{Weekly: true, Monthly: true}, false},
		{"none", eval.Schedule{}, false},
		{"daily", eval.Schedule{}, true},
		{"weekly,yearly", eval.Schedule{}, true},
	} {
		got, err := eval.ParseSchedule(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseSchedule(%q) = %+v, %v", tc.in, got, err)
		}
		if err == nil {
			if again, _ := eval.ParseSchedule(got.String()); again != got {
				t.Errorf("%q does not read back: %+v", got.String(), again)
			}
		}
	}
}

type notice struct {
	Kind   string `json:"kind"`
	Text   string `json:"text"`
	Object string `json:"case_id"`
}

// briefingNotices lists the briefing notifications of a user.
func briefingNotices(t *testing.T, srv *apptest.Server, user string) []notice {
	t.Helper()
	var res struct{ Notifications []notice }
	if st := srv.Login(t, user).Do("GET", "/api/v1/notifications", nil, &res); st != 200 {
		t.Fatalf("notifications of %s: %d", user, st)
	}
	return slices.DeleteFunc(res.Notifications, func(n notice) bool { return n.Kind != eval.BriefingEvent })
}

func TestBriefingsAreSentOncePerPeriodAndCluster(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			// Monday 30 November 2026, 08:30 in Beijing.
			clock := apptest.NewClock(time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC))
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			// A second node of the cluster: its own runner on the same database.
			other, err := jobs.NewRunner(srv.App.DB, clock.Now, nil, nil, srv.App.Jobs.Jobs()...)
			if err != nil {
				t.Fatal(err)
			}
			tick := func(r *jobs.Runner) bool {
				t.Helper()
				ran, err := r.Tick(ctx)
				if err != nil {
					t.Fatalf("tick at %s: %v", clock.Now(), err)
				}
				return slices.Contains(ran, "eval.briefing")
			}
			if !tick(srv.App.Jobs) || tick(other) || tick(srv.App.Jobs) {
				t.Fatal("Monday's briefings were not sent exactly once in the cluster")
			}
			week := "code=" + donghai + "&from=2026-11-23&level=subdistrict&to=2026-11-29"
			got := briefingNotices(t, srv, "donghai.leader")
			if len(got) != 1 || got[0].Object != week || !strings.Contains(got[0].Text, "东海街道") || !strings.Contains(got[0].Text, "2026-11-23") {
				t.Fatalf("Donghai's leader was told %+v, want last week's briefing with the link %s", got, week)
			}
			// The district's leaders get the district's briefing, not one per subdistrict.
			if got := briefingNotices(t, srv, "district.leader"); len(got) != 1 || !strings.Contains(got[0].Object, "level=district") {
				t.Errorf("district leader: %+v", got)
			}
			if got := briefingNotices(t, srv, "chengdong.leader"); len(got) != 1 || !strings.Contains(got[0].Text, "城东街道") {
				t.Errorf("Chengdong's leader: %+v", got)
			}
			if got := briefingNotices(t, srv, "donghai.shift_lead"); len(got) != 0 {
				t.Errorf("a shift lead was sent a leaders' briefing: %+v", got)
			}

			// Tuesday 1 December: the month's briefing; Wednesday: nothing.
			clock.Advance(24 * time.Hour)
			if !tick(other) || tick(srv.App.Jobs) {
				t.Fatal("the 1st's run did not happen exactly once")
			}
			got = briefingNotices(t, srv, "donghai.leader")
			month := "code=" + donghai + "&from=2026-11-01&level=subdistrict&to=2026-11-30"
			if len(got) != 2 || !slices.ContainsFunc(got, func(n notice) bool { return n.Object == month }) {
				t.Fatalf("after the 1st: %+v, want November's briefing too", got)
			}
			clock.Advance(24 * time.Hour)
			if !tick(srv.App.Jobs) {
				t.Fatal("Wednesday's period did not run")
			}
			if got := briefingNotices(t, srv, "donghai.leader"); len(got) != 2 {
				t.Errorf("Wednesday sent briefings: %+v", got)
			}
		})
	}
}

func TestBriefingsOff(t *testing.T) {
	srv := apptest.StartWith(t, dbtest.Engines(t)[0], func(c *app.Config) { c.Briefings = eval.Schedule{} })
	for _, j := range srv.App.Jobs.Jobs() {
		if j.Name == "eval.briefing" {
			t.Fatal("briefings set to none still have a job")
		}
	}
	weekly := apptest.NewClock(time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC)) // Tuesday the 1st, 08:30
	srv = apptest.StartWith(t, dbtest.Engines(t)[0], func(c *app.Config) {
		c.Clock, c.Briefings = weekly.Now, eval.Schedule{Weekly: true}
	})
	n, err := srv.App.Eval.SendBriefings(context.Background(), weekly.Now())
	if err != nil || n != 0 {
		t.Errorf("weekly only, on a Tuesday the 1st: %d sent, %v", n, err)
	}
}
