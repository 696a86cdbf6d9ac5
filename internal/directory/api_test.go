package directory_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/directory"
)

// wednesday10 is a working Wednesday, 10:00 in Beijing: offices are open.
var wednesday10 = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)

// TestDirectory runs the directory's scenarios on each engine, against one app per engine (an
// app with the demo district takes seconds to start under the race detector): searches first,
// then the scenarios that change entries, the stale period last.
func TestDirectory(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, clock := start(t, engine)
			for _, step := range []struct {
				name string
				run  func(*testing.T, *apptest.Server, *apptest.Clock)
			}{
				{"DemoQueries", demoQueryTable}, {"ResidentsFindServices", residentsFindServices},
				{"SearchRefusesBadInput", searchRefusesBadInput}, {"ZeroResultQueries", zeroResultQueries},
				{"ChangesNeedASecondEditor", changesNeedASecondEditor}, {"ImportAndExport", importAndExport},
				{"StaleEntries", staleEntries},
			} {
				t.Run(step.name, func(t *testing.T) { step.run(t, srv, clock) })
			}
		})
	}
}

// A point in 东梅社区 (东海街道).
const homeLat, homeLng = 24.9265, 118.574

func start(t *testing.T, engine db.Engine) (*apptest.Server, *apptest.Clock) {
	t.Helper()
	clock := apptest.NewClock(wednesday10)
	srv := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
	return srv, clock
}

type found struct {
	Query   string             `json:"query"`
	Results []directory.Result `json:"results"`
}

func searchFor(t *testing.T, c *apptest.Client, query string) found {
	t.Helper()
	var f found
	if s := c.Do("GET", "/api/v1/services/search?"+query, nil, &f); s != 200 {
		t.Fatalf("search %s: %d", query, s)
	}
	return f
}

func names(f found) []string {
	var out []string
	for _, r := range f.Results {
		out = append(out, r.Name)
	}
	return out
}

// Residents find services without signing in: by words, initials, pinyin and phrases; the
// filters narrow; a point sorts by distance; the service page tells open now, and which office
// serves an address.
func residentsFindServices(t *testing.T, srv *apptest.Server, clock *apptest.Clock) {
	anon := srv.Anonymous(t)
	for _, q := range []string{"社保", "sb", "shebao", "医保", "yb", "哪里可以打疫苗", "老年卡", "居住证"} {
		f := searchFor(t, anon, "q="+url.QueryEscape(q))
		if len(f.Results) == 0 {
			t.Errorf("%q finds nothing", q)
			continue
		}
		top := f.Results[0]
		if top.ID == "" || top.Name == "" || top.Category == "" || top.CategoryName == "" || top.Aliases == nil {
			t.Errorf("%q: the contract's fields: %+v", q, top)
		}
	}
	// Category and online filters.
	for _, r := range searchFor(t, anon, "q="+url.QueryEscape("办理")+"&category=medical_insurance").Results {
		if r.Category != "medical_insurance" {
			t.Errorf("category filter let %s (%s) through", r.Name, r.Category)
		}
	}
	for _, r := range searchFor(t, anon, "q="+url.QueryEscape("社保")+"&online=true").Results {
		if !r.Online {
			t.Errorf("online filter let %s through", r.Name)
		}
	}
	// Near me: equal matches come nearer first, each with its distance.
	near := searchFor(t, anon, fmt.Sprintf("q=%s&lat=%v&lng=%v&limit=50", url.QueryEscape("社保卡"), homeLat, homeLng))
	if len(near.Results) < 2 {
		t.Fatalf("near: %v", names(near))
	}
	for _, r := range near.Results {
		if r.DistanceM == nil || r.Place == nil {
			t.Errorf("near: %s has no distance or place", r.Name)
		}
	}
	// Open now on a working Wednesday morning; not at 12:30 (lunch) for a centre with a
	// lunch break, nor on a Sunday for one that follows the work calendar.
	open := searchFor(t, anon, "q="+url.QueryEscape("社保")+"&open_now=true")
	if len(open.Results) == 0 {
		t.Fatal("nothing open on a Wednesday at 10:00")
	}
	var sv directory.Service
	if s := anon.Do("GET", "/api/v1/public/services/"+open.Results[0].ID, nil, &sv); s != 200 || !sv.OpenNow || len(sv.Places) == 0 {
		t.Fatalf("service page: %d %+v", s, sv)
	}
	for _, p := range sv.Places {
		if p.HoursText == "" || (p.OpenNow && len(p.Today) == 0) {
			t.Errorf("place %s: hours %q today %v", p.Name, p.HoursText, p.Today)
		}
	}
	clock.Advance(4 * 24 * time.Hour) // Sunday 10:00
	defer clock.Advance(-4 * 24 * time.Hour)
	var sunday directory.Service
	anon.Do("GET", "/api/v1/public/services/"+sv.ID, nil, &sunday)
	for i, p := range sunday.Places {
		if p.Hours.Rule == "workdays" && p.OpenNow {
			t.Errorf("%s follows the work calendar but is open on a Sunday", p.Name)
		}
		if sv.Places[i].Hours.Rule == "workdays" && sunday.Places[i].NextChange == nil {
			t.Errorf("%s: no next opening", p.Name)
		}
	}
	// Which office serves my address: a point in 东海 gets 东海's place when the entry has one.
	var serving directory.Serving
	if s := anon.Do("GET", fmt.Sprintf("/api/v1/public/services/%s/serving?lat=%v&lng=%v", sv.ID, homeLat, homeLng), nil, &serving); s != 200 ||
		!serving.Inside || serving.Place == nil || serving.SubdistrictName != "东海街道" {
		t.Errorf("serving: %d %+v", s, serving)
	}
	if s := anon.Do("GET", "/api/v1/public/services/"+sv.ID+"/serving?lat=39.9&lng=116.4", nil, &serving); s != 200 || serving.Inside || serving.Place != nil {
		t.Errorf("serving outside the district: %d %+v", s, serving)
	}
	// Suggestions as one types.
	// (The contract's field names are lower case: decoded into a map, not a case-blind struct.)
	var sug struct{ Suggestions []map[string]any }
	if s := anon.Do("GET", "/api/v1/services/suggest?q=she", nil, &sug); s != 200 || len(sug.Suggestions) == 0 ||
		sug.Suggestions[0]["id"] == nil || sug.Suggestions[0]["name"] == nil {
		t.Errorf("suggest she: %d %+v", s, sug)
	}
}

// Bad input is refused in the user's language and counts nothing.
func searchRefusesBadInput(t *testing.T, srv *apptest.Server, clock *apptest.Clock) {
	anon := srv.Anonymous(t)
	for _, q := range []string{"q=" + url.QueryEscape("社保\x00"), "q=" + strings.Repeat("长", 101), "lat=24.9", "lat=x&lng=1",
		"lat=91&lng=0", "category=nope", "open_now=maybe", "limit=0", "limit=51", "radius=100", "q=%ff%fe"} {
		status, body := anon.Raw("GET", "/api/v1/services/search?"+q, nil)
		if status != 400 || !strings.Contains(string(body), `"message"`) {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}
	if status, body := anon.Raw("GET", "/api/v1/services/search?q=x&lang=zh-CN&category=nope", nil); status != 400 || !strings.Contains(string(body), "类别") {
		t.Errorf("zh-CN message: %d %s", status, body)
	}
}

// The two-person rule: an editor's change is published only when another editor whose units
// reach it approves; the proposer cannot; a rejection says why; every step is audited.
func changesNeedASecondEditor(t *testing.T, srv *apptest.Server, clock *apptest.Clock) {
	editor, second, anon := srv.Login(t, "donghai.directory_editor"), srv.Login(t, "district.directory_editor"), srv.Anonymous(t)
	var l directory.Listing
	if s := editor.Do("GET", "/api/v1/services?unit=350503001&limit=3", nil, &l); s != 200 || len(l.Services) == 0 {
		t.Fatalf("东海's entries: %d", s)
	}
	sv := l.Services[0]
	in := map[string]any{"name": "东海便民测试服务", "aliases": []string{"测试别名甲"}, "category": sv.Category, "unit_code": "350503001",
		"description": sv.Description, "online": sv.Online, "online_url": sv.OnlineURL, "place_ids": placeIDs(sv), "version": sv.Version}
	var proposed struct{ Change directory.Change }
	if s := editor.Do("PUT", "/api/v1/services/"+sv.ID, in, &proposed); s != 202 || proposed.Change.Status != "pending" {
		t.Fatalf("propose: %d %+v", s, proposed)
	}
	if got := searchFor(t, anon, "q="+url.QueryEscape("东海便民测试服务")); len(got.Results) > 0 && got.Results[0].ID == sv.ID {
		t.Fatal("a change was published before review")
	}
	// A second change of the same entry waits for the first.
	if s := editor.Do("PUT", "/api/v1/services/"+sv.ID, in, nil); s != 409 {
		t.Errorf("second pending change: %d", s)
	}
	var changes struct{ Changes []directory.Change }
	editor.Do("GET", "/api/v1/services/changes?status=pending", nil, &changes)
	if len(changes.Changes) != 1 || changes.Changes[0].CanReview || changes.Changes[0].Before == nil || changes.Changes[0].Before.Name != sv.Name {
		t.Errorf("the proposer's view of the change: %+v", changes.Changes)
	}
	if s := editor.Do("POST", "/api/v1/services/changes/"+proposed.Change.ID+"/approve", map[string]any{}, nil); s != 403 {
		t.Errorf("the proposer approved their own change: %d", s)
	}
	if s := second.Do("POST", "/api/v1/services/changes/"+proposed.Change.ID+"/reject", map[string]any{"note": ""}, nil); s != 400 {
		t.Errorf("a rejection without a reason: %d", s)
	}
	var decided directory.Change
	if s := second.Do("POST", "/api/v1/services/changes/"+proposed.Change.ID+"/approve", map[string]any{"note": "已核对"}, &decided); s != 200 || decided.Status != "approved" {
		t.Fatalf("approve: %d %+v", s, decided)
	}
	got := searchFor(t, anon, "q="+url.QueryEscape("东海便民测试服务"))
	if len(got.Results) == 0 || got.Results[0].ID != sv.ID || got.Results[0].Match != "name" {
		t.Errorf("after approval the new name finds the entry first: %v", names(got))
	}
	if got := searchFor(t, anon, "q="+url.QueryEscape("测试别名甲")); len(got.Results) == 0 || got.Results[0].ID != sv.ID {
		t.Errorf("the new alias: %v", names(got))
	}
	var after directory.Service
	anon.Do("GET", "/api/v1/public/services/"+sv.ID, nil, &after)
	if after.Version != sv.Version+1 || after.ReviewedByName != "区办事指南编辑" || after.Stale {
		t.Errorf("published entry: %+v", after)
	}
	// The stale change (made against the old version) is refused.
	if s := editor.Do("PUT", "/api/v1/services/"+sv.ID, in, nil); s != 409 {
		t.Errorf("a change against an old version: %d", s)
	}
	// Every step is in the audit chain.
	for _, action := range []string{"directory.propose", "directory.approve"} {
		var n int
		if err := srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil || n == 0 {
			t.Errorf("audit %s: %d %v", action, n, err)
		}
	}
}

func placeIDs(sv directory.Service) []string {
	var out []string
	for _, p := range sv.Places {
		out = append(out, p.ID)
	}
	return out
}

// Entries not reviewed for stale_months are flagged; a review clears the flag; a shorter period
// set by the district flags more.
func staleEntries(t *testing.T, srv *apptest.Server, clock *apptest.Clock) {
	editor, district := srv.Login(t, "donghai.directory_editor"), srv.Login(t, "district.directory_editor")
	var l directory.Listing
	if s := editor.Do("GET", "/api/v1/services?stale=true&limit=200", nil, &l); s != 200 || len(l.Services) == 0 {
		t.Fatalf("东海's stale entries: %d %d", s, len(l.Services))
	}
	stale := l.Services[0]
	var reviewed directory.Service
	if s := editor.Do("POST", "/api/v1/services/"+stale.ID+"/review", nil, &reviewed); s != 200 || reviewed.Stale {
		t.Errorf("review: %d %+v", s, reviewed)
	}
	var again directory.Listing
	editor.Do("GET", "/api/v1/services?stale=true&limit=200", nil, &again)
	if len(again.Services) != len(l.Services)-1 {
		t.Errorf("stale after a review: %d, want %d", len(again.Services), len(l.Services)-1)
	}
	if s := district.Do("PUT", "/api/v1/services/settings", map[string]any{"stale_months": 1}, nil); s != 200 {
		t.Fatalf("settings: %d", s)
	}
	var more directory.Listing
	editor.Do("GET", "/api/v1/services?stale=true&limit=200", nil, &more)
	if len(more.Services) <= len(again.Services) {
		t.Errorf("a one-month period flags %d, a year %d", len(more.Services), len(again.Services))
	}
}

// What residents search without finding anything is shown to the editors.
func zeroResultQueries(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	anon, editor := srv.Anonymous(t), srv.Login(t, "donghai.directory_editor")
	for range 3 {
		if f := searchFor(t, anon, "q="+url.QueryEscape("月球护照")); len(f.Results) != 0 {
			t.Fatalf("月球护照 found %v", names(f))
		}
	}
	searchFor(t, anon, "q="+url.QueryEscape("长寿金"))
	stat := func(zero bool, q string) *directory.QueryStat {
		var list struct{ Queries []directory.QueryStat }
		if s := editor.Do("GET", fmt.Sprintf("/api/v1/services/queries?zero=%v", zero), nil, &list); s != 200 {
			t.Fatal(s)
		}
		for _, s := range list.Queries {
			if s.Q == q {
				return &s
			}
		}
		return nil
	}
	if s := stat(true, "月球护照"); s == nil || s.Count != 3 || s.ZeroCount != 3 {
		t.Errorf("月球护照 among the zero-result queries: %+v", s)
	}
	if s := stat(true, "长寿金"); s != nil {
		t.Errorf("长寿金 found something, yet is listed as a zero-result query: %+v", s)
	}
	if s := stat(false, "长寿金"); s == nil || s.Count < 1 || s.ZeroCount != 0 {
		t.Errorf("长寿金 among all queries: %+v", s)
	}
}

// Import: every row is checked and its problems named; nothing is proposed while any row is
// wrong; CSV, xlsx and JSON; an export imports back as changes of the same entries.
func importAndExport(t *testing.T, srv *apptest.Server, clock *apptest.Clock) {
	editor := srv.Login(t, "donghai.directory_editor")
	bad := "名称,类别,所属单位,可网上办,网上办理地址,地点\n" +
		"好的服务,convenience,350503001,是,https://example.gov.cn/a,\n" +
		"x,convenience,350503001,是,https://example.gov.cn/b,\n" +
		"类别错的服务,nope,350503001,是,,\n" +
		"地点错的服务,convenience,350503001,否,,NO-SUCH-PLACE\n" +
		"越界的服务,convenience,350503002,是,https://example.gov.cn/c,\n" +
		"网址错的服务,convenience,350503001,是,ftp://x,\n"
	var rep directory.ImportReport
	if s := editor.Do("POST", "/api/v1/services/import?dry_run=true", bad, &rep); s != 200 {
		t.Fatalf("dry run: %d", s)
	}
	rows := map[int]string{}
	for _, p := range rep.Errors {
		rows[p.Row] = p.Field
	}
	want := map[int]string{3: "name", 4: "category", 5: "places", 6: "unit_code", 7: "online_url"}
	for row, field := range want {
		if got, ok := rows[row]; !ok || got != field {
			t.Errorf("row %d: problem on %q, want %q (%+v)", row, got, field, rep.Errors)
		}
	}
	if _, ok := rows[2]; ok || rep.Valid != 1 {
		t.Errorf("the good row: valid %d, problems %+v", rep.Valid, rep.Errors)
	}
	before := pending(t, srv)
	if status, body := editor.Raw("POST", "/api/v1/services/import", bad); status != 400 || !strings.Contains(string(body), "details") {
		t.Errorf("import with problems: %d %s", status, body)
	}
	if pending(t, srv) != before {
		t.Error("a refused import proposed changes")
	}
	// xlsx: one good row.
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"name", "category", "unit_code", "online", "online_url"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"表格导入的服务", "convenience", "350503001", "是", "https://example.gov.cn/x"})
	var buf bytes.Buffer
	x.Write(&buf)
	if s := editor.Do("POST", "/api/v1/services/import", buf.Bytes(), &rep); s != 200 || rep.Changes != 1 {
		t.Errorf("xlsx import: %d %+v", s, rep)
	}
	// JSON.
	j := `{"services":[{"name":"JSON 导入的服务","category":"convenience","unit_code":"350503001","online":true,"online_url":"https://example.gov.cn/j"}]}`
	if s := editor.Do("POST", "/api/v1/services/import", j, &rep); s != 200 || rep.Changes != 1 {
		t.Errorf("json import: %d %+v", s, rep)
	}
	// Export, then import back: each row is an existing entry.
	status, csv := editor.Raw("GET", "/api/v1/services/export?format=csv", nil)
	if status != 200 || !strings.HasPrefix(strings.TrimPrefix(string(csv), "\ufeff"), "name,aliases,category") {
		t.Fatalf("export: %d %.200s", status, csv)
	}
	var exported struct{ Services []directory.ExportRow }
	_, js := editor.Raw("GET", "/api/v1/services/export?format=json", nil)
	if err := json.Unmarshal(js, &exported); err != nil || len(exported.Services) == 0 {
		t.Fatalf("json export: %v", err)
	}
	for _, r := range exported.Services {
		if !strings.HasPrefix(r.UnitCode, "350503001") {
			t.Errorf("东海's export holds %s of %s", r.Name, r.UnitCode)
		}
	}
	if s := editor.Do("POST", "/api/v1/services/import?dry_run=true", csv, &rep); s != 200 || len(rep.Errors) != 0 || rep.Valid != len(exported.Services) {
		t.Errorf("the export imports back: %d valid %d of %d, %+v", s, rep.Valid, len(exported.Services), rep.Errors)
	}
}

func pending(t *testing.T, srv *apptest.Server) int {
	var n int
	if err := srv.App.DB.QueryRow(t.Context(), `SELECT count(*) FROM service_changes WHERE status = 'pending'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
