package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// racecourseData makes the person tables of this month: 东海's grid worker reports six cases,
// 城东's five (one voided by 东海's shift lead, so 4 of 5 are valid), 北峰's one (below the
// scheme's minimum sample of 5); 东海's shift lead registers three. It returns the case ids of
// 东海's grid worker.
func racecourseData(t *testing.T, s *apptest.Server) []string {
	t.Helper()
	report := func(as string, n int, lat float64) []string {
		t.Helper()
		c := s.Login(t, as)
		var ids []string
		for i := 0; i < n; i++ {
			var out struct{ ID string }
			// In 东梅社区第1网格, ~60 m apart, so no report is taken for a duplicate of another.
			body := map[string]any{"category_code": "06010", "lat": lat, "lng": 118.5725 + float64(i)*0.0006,
				"description": fmt.Sprintf("%s 巡查发现第 %d 处暴露垃圾", as, i+1)}
			if st, raw := c.Raw("POST", "/api/v1/cases", body); st != 201 {
				t.Fatalf("%s report: %d %s", as, st, raw)
			} else if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, out.ID)
		}
		return ids
	}
	act := func(as, id, action string, body map[string]any) {
		t.Helper()
		if st, raw := s.Login(t, as).Raw("POST", "/api/v1/cases/"+id+"/actions/"+action, body); st != 200 {
			t.Fatalf("%s %s: %d %s", as, action, st, raw)
		}
	}
	donghai := report("donghai.grid_worker", 6, 24.9235)
	chengdong := report("chengdong.grid_worker", 5, 24.9250)
	report("beifeng.grid_worker", 1, 24.9265)
	act("donghai.shift_lead", chengdong[0], "void", map[string]any{"note": "现场核实并无此问题"})
	for _, id := range donghai[:3] {
		act("donghai.shift_lead", id, "register", nil)
	}
	if _, err := s.App.Eval.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return donghai
}

// TestBrowserRacecourse: a district leader opens the 赛马场, sees the grid workers ranked (the
// one below the minimum sample greyed, not ranked), opens the evidence of the first, picks them
// with a reason (a reason too short is refused at the field) and finds the pick in the list; the
// page fits a tablet and switches to English. The district's sys_admin adds version 2 of a
// scheme on /schemes and uploads a new scheme from a file.
func TestBrowserRacecourse(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	cases := racecourseData(t, s)
	b := startBrowser(t, s.URL)

	t.Run("leader", func(t *testing.T) {
		tb := b.tab(t, 1366, 900)
		tb.login("district.leader", apptest.DemoPassword)
		if nav := tb.nav(); !strings.Contains(nav, "赛马场") {
			t.Errorf("the leader's menu %q has no 赛马场", nav)
		}
		tb.do(chromedp.Click(chromedp.CSS(`#nav a[href="/racecourse"]`)), chromedp.WaitVisible(chromedp.CSS("#period-form")))
		tb.waitFor(`document.getElementById('posts').dataset.ready`)
		grid := `#posts section[data-post="grid_worker"]`
		rows := eval[[]string](tb, `[...document.querySelectorAll('`+grid+` tbody tr')].map(tr => [tr.dataset.rank, tr.dataset.ranked, tr.querySelector('.person-name').textContent].join('|'))`)
		// Staff are named as people know them (their display names), not by their account names.
		want := []string{"1|true|东海网格员", "2|true|城东网格员", "|false|北峰网格员"}
		if strings.Join(rows, ";") != strings.Join(want, ";") {
			t.Errorf("grid workers %q, want %q", rows, want)
		}
		first := tb.text(grid + ` tbody tr:first-child`)
		for _, w := range []string{"100", "A", "新上榜", "6 / 6"} {
			if !strings.Contains(first, w) {
				t.Errorf("first row %q lacks %q", first, w)
			}
		}
		if second := tb.text(grid + ` tbody tr:nth-child(2)`); !strings.Contains(second, "80") || !strings.Contains(second, "4 / 5") {
			t.Errorf("second row %q: 4 of 5 reports valid, score 80", second)
		}
		if last := tb.text(grid + ` tbody tr[data-ranked="false"]`); !strings.Contains(last, "样本不足") {
			t.Errorf("unranked row %q", last)
		}
		if head := tb.text(grid + ` h2`); !strings.Contains(head, "网格员") || !strings.Contains(head, "2 人排名 / 共 3 人") {
			t.Errorf("post heading %q", head)
		}
		// The shift lead registered three cases: listed, below the minimum sample of 5.
		if got := eval[int](tb, `document.querySelectorAll('#posts section[data-post="shift_lead"] tr[data-ranked="false"]').length`); got != 1 {
			t.Errorf("%d unranked shift leads, want 1", got)
		}
		tb.shot("racecourse")

		// The evidence of the first: six reports, each linking to its case.
		tb.click(grid + ` tbody tr:first-child .evidence-button`)
		tb.waitFor(`document.getElementById('evidence-dialog').open && document.getElementById('evidence-dialog').dataset.ready`)
		links := eval[[]string](tb, `[...document.querySelectorAll('#evidence-steps tbody a')].map(a => a.getAttribute('href'))`)
		if len(links) != len(cases) {
			t.Errorf("evidence lists %d steps, want %d", len(links), len(cases))
		}
		for _, id := range cases {
			if !strings.Contains(strings.Join(links, " "), "/cases/"+id) {
				t.Errorf("no link to case %s among %q", id, links)
			}
		}
		if facts := tb.text("#evidence-facts"); !strings.Contains(facts, "第 1 名 / 共 2 人") || !strings.Contains(facts, "gbt30428-supervisor v1") {
			t.Errorf("evidence facts %q", facts)
		}
		if got := tb.text("#evidence-picks"); got != "尚未被推选过。" {
			t.Errorf("earlier picks %q", got)
		}
		tb.shot("racecourse-evidence")

		// Pick: too short a reason is refused at the field, then a real one is taken.
		tb.click("#evidence-pick")
		tb.do(chromedp.WaitVisible(chromedp.CSS("#pick-dialog[open] #pick-reason")))
		tb.do(chromedp.SendKeys(chromedp.CSS("#pick-reason"), "好"), chromedp.Click(chromedp.CSS("#pick-submit")))
		tb.waitFor(`document.querySelector('#pick-reason[aria-invalid="true"]')`)
		if got := tb.text("#pick-dialog .field-error"); got != "推选理由须为 2–500 个字。" {
			t.Errorf("field error %q", got)
		}
		reason := "连续一个月上报全部有效，巡查细致"
		tb.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('pick-reason').value = ''`), chromedp.SendKeys(chromedp.CSS("#pick-reason"), reason),
			chromedp.Click(chromedp.CSS("#pick-submit")))
		tb.waitFor(`!document.getElementById('pick-dialog').open && document.querySelector('#picks-table tbody tr[data-user]')`)
		pick := tb.text("#picks-table tbody tr[data-user]")
		for _, w := range []string{"东海网格员", reason, "区领导"} {
			if !strings.Contains(pick, w) {
				t.Errorf("pick row %q lacks %q", pick, w)
			}
		}
		if got := tb.text("#racecourse-status"); got != "已推选 东海网格员 为担当者候选。" {
			t.Errorf("status %q", got)
		}
		// The evidence now lists the pick.
		tb.click(grid + ` tbody tr:first-child .evidence-button`)
		tb.waitFor(`document.getElementById('evidence-dialog').dataset.ready`)
		if got := tb.text("#evidence-picks"); !strings.Contains(got, reason) || !strings.Contains(got, "区领导") {
			t.Errorf("earlier picks after the pick %q", got)
		}
		tb.click("#evidence-dialog [data-close]")

		// A period ending before it starts is refused at the dates, in words.
		tb.do(chromedp.SetValue(chromedp.CSS("#period-preset"), "custom"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('period-preset').dispatchEvent(new Event('change'))`),
			chromedp.SetValue(chromedp.CSS("#period-from"), "2026-12-10"), chromedp.SetValue(chromedp.CSS("#period-to"), "2026-12-01"),
			chromedp.Click(chromedp.CSS("#period-submit")))
		tb.waitFor(`document.querySelector('#period-from[aria-invalid="true"]') && document.querySelector('#period-to[aria-invalid="true"]')`)
		if got := tb.text("#period-message"); got == "" || strings.Contains(got, "eval.") {
			t.Errorf("bad period message %q", got)
		}

		// Last month has none of these cases: nobody is listed.
		tb.do(chromedp.SetValue(chromedp.CSS("#period-preset"), "last_month"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('period-preset').dispatchEvent(new Event('change'))`),
			chromedp.Click(chromedp.CSS("#period-submit")))
		tb.waitFor(`document.getElementById('posts-empty')`)
		if !strings.Contains(tb.location(), "preset=last_month") {
			t.Errorf("the period is not in the address: %s", tb.location())
		}
	})

	t.Run("tablet-english", func(t *testing.T) {
		tb := b.tab(t, 820, 1180)
		tb.login("district.leader", apptest.DemoPassword)
		tb.open("/lang/en?next=/racecourse", "#period-form")
		tb.waitFor(`document.getElementById('posts').dataset.ready`)
		if h := tb.text("h1"); h != "Racecourse · learn from the best" {
			t.Errorf("heading %q", h)
		}
		if got := tb.text(`#posts section[data-post="grid_worker"] tr[data-ranked="false"]`); !strings.Contains(got, "Sample too small") {
			t.Errorf("English unranked row %q", got)
		}
		if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 820 {
			t.Errorf("the racecourse is %d px wide on an 820 px tablet", w)
		}
		tb.shot("racecourse-tablet-en")
	})

	t.Run("schemes", func(t *testing.T) {
		tb := b.tab(t, 1366, 900)
		tb.login("sysadmin", apptest.DemoPassword)
		tb.do(chromedp.Click(chromedp.CSS(`#nav a[href="/schemes"]`)), chromedp.WaitVisible(chromedp.CSS("#upload-panel")))
		tb.waitFor(`document.getElementById('schemes-list').dataset.ready`)
		card := `#schemes-list article[data-code="gbt30428-supervisor"]`
		if got := tb.text(card); !strings.Contains(got, "监督员岗位评价") || !strings.Contains(got, "第 1 版，自 2000-01-01 起生效") {
			t.Errorf("scheme card %q", got)
		}
		tb.shot("schemes")
		tb.click(card + " .add-version")
		tb.do(chromedp.WaitVisible(chromedp.CSS("#version-dialog[open] #version-valid-from")))
		tb.shot("schemes-version-dialog")
		// A version starting before the current one, and a weight of 0, are refused at their fields.
		tb.do(chromedp.SetValue(chromedp.CSS("#version-valid-from"), "1999-12-31"),
			chromedp.SetValue(chromedp.CSS(`#version-terms input[name="terms.0.weight"]`), "0"),
			chromedp.Click(chromedp.CSS("#version-submit")))
		tb.waitFor(`document.querySelector('#version-valid-from[aria-invalid="true"]') && document.querySelector('#version-terms input[name="terms.0.weight"][aria-invalid="true"]')`)
		if got := tb.text("#version-dialog .alert"); got != "请更正标出的内容。" {
			t.Errorf("dialog message %q", got)
		}
		tb.do(chromedp.SetValue(chromedp.CSS("#version-valid-from"), "2027-01-01"),
			chromedp.SetValue(chromedp.CSS(`#version-terms input[name="terms.0.weight"]`), "50"),
			chromedp.Click(chromedp.CSS("#version-submit")))
		tb.waitFor(`!document.getElementById('version-dialog').open && document.querySelector('` + card + `[data-version="2"]')`)
		if got := tb.text(card + " .version-list"); !strings.Contains(got, "第 2 版，自 2027-01-01 起生效") {
			t.Errorf("versions %q", got)
		}
		if got := tb.text("#schemes-message"); !strings.Contains(got, "第 2 版") {
			t.Errorf("message %q", got)
		}
		set, err := s.App.Eval.Schemes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, sc := range set {
			if sc.Code == "gbt30428-supervisor" && sc.Version == 2 {
				found = true
				if sc.ValidFrom != "2027-01-01" || sc.Terms[0].Weight != 50 || len(sc.Terms) != 3 {
					t.Errorf("version 2 stored as %+v", sc)
				}
			}
		}
		if !found {
			t.Error("version 2 was not stored")
		}
		tb.shot("schemes-version-2")

		// A file that is not JSON is refused in words; a scheme file adds a new scheme.
		dir := t.TempDir()
		bad := filepath.Join(dir, "bad.json")
		good := filepath.Join(dir, "scheme.json")
		if err := os.WriteFile(bad, []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
		scheme := `{"code":"donghai-monthly","name":"东海街道月度考评","standard_ref":"东海街道考评办法（试行）","levels":["grid"],` +
			`"min_sample":{"count":"should_close","n":3},"valid_from":"2027-01-01",` +
			`"terms":[{"label":"按期结案率","weight":60,"indicator":"on_time_closure_rate"},{"label":"满意率","weight":40,"indicator":"satisfaction_rate"}],` +
			`"grades":[{"grade":"优","min":90},{"grade":"良","min":75},{"grade":"中","min":60},{"grade":"差","min":0}]}`
		if err := os.WriteFile(good, []byte(scheme), 0o644); err != nil {
			t.Fatal(err)
		}
		tb.click("#upload-panel summary")
		tb.do(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{bad}), chromedp.Click(chromedp.CSS("#upload-submit")))
		tb.waitFor(`document.querySelector('#upload-message.alert-error:not([hidden])')`)
		if got := tb.text("#upload-message"); got != "这个文件不是有效的 JSON，请检查后重新上传。" {
			t.Errorf("bad file message %q", got)
		}
		tb.do(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{good}), chromedp.Click(chromedp.CSS("#upload-submit")))
		tb.waitFor(`document.querySelector('#schemes-list article[data-code="donghai-monthly"]')`)
		if got := tb.text(`#schemes-list article[data-code="donghai-monthly"]`); !strings.Contains(got, "东海街道月度考评") || !strings.Contains(got, "60%") {
			t.Errorf("uploaded scheme card %q", got)
		}
		if got := tb.text("#upload-message"); !strings.Contains(got, "东海街道月度考评") {
			t.Errorf("upload message %q", got)
		}
	})
}
