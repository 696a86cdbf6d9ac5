package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserLeague: a district leader opens the department league table from the menu and sees
// the handling units in the order and with the ranks the rankings API gives (an unranked unit
// greyed), each with its gaps to the best and the median; a unit's trend shows 12 months; another
// period reloads the table and is kept in the URL; the workbook link downloads the same units.
func TestBrowserLeague(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	ctx := context.Background()
	// Two months of synthetic history: departments with dozens of cases each, and a few with few.
	if err := casegen.Generate(ctx, s.App.DB, casegen.Options{Count: 900, Days: 45, Seed: 11, Batch: 300}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Eval.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	leader := s.Login(t, "district.leader")
	b := startBrowser(t, s.URL)
	tb := b.tab(t, 1366, 900)
	tb.login("district.leader", apptest.DemoPassword)
	if nav := tb.nav(); !strings.Contains(nav, navLeague) {
		t.Fatalf("the leader's menu %q has no %s", nav, navLeague)
	}
	tb.do(chromedp.Click(chromedp.CSS(`#nav a[href="/league"]`)), chromedp.WaitVisible(chromedp.CSS("#period-form")))
	tb.waitFor(`document.getElementById('league-table').dataset.ready`)
	// The last 30 days (this month may have begun today), as a link names them.
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	tb.open("/league?preset=custom&from="+today.AddDate(0, 0, -29).Format(time.DateOnly)+"&to="+today.Format(time.DateOnly), "#period-form")

	// check compares the table with the API's ranking of the period the form shows.
	check := func() (from, to string) {
		t.Helper()
		tb.waitFor(`document.getElementById('league-table').dataset.ready`)
		from, to = eval[string](tb, `document.getElementById('period-from').value`), eval[string](tb, `document.getElementById('period-to').value`)
		var want struct {
			Rows []struct {
				Code   string
				Name   string
				Rank   *int
				Ranked bool
			}
		}
		q := url.Values{"level": {"department"}, "from": {from}, "to": {to}}
		if st := leader.Do("GET", "/api/v1/rankings?"+q.Encode(), nil, &want); st != http.StatusOK {
			t.Fatalf("rankings: %d", st)
		}
		got := eval[[]string](tb, `[...document.querySelectorAll('#league-table tbody tr[data-id]')].map(tr => [tr.dataset.id, tr.dataset.rank, tr.dataset.ranked, tr.querySelector('.unit-name').textContent].join('|'))`)
		var exp []string
		ranked := 0
		for _, r := range want.Rows {
			rank := ""
			if r.Rank != nil {
				rank, ranked = strconv.Itoa(*r.Rank), ranked+1
			}
			exp = append(exp, strings.Join([]string{r.Code, rank, strconv.FormatBool(r.Rank != nil), r.Name}, "|"))
		}
		if strings.Join(got, ";") != strings.Join(exp, ";") {
			t.Errorf("%s–%s: table\n%q\nwant the API's\n%q", from, to, got, exp)
		}
		if ranked < 2 {
			t.Fatalf("%s–%s: %d departments ranked; the test needs at least two", from, to, ranked)
		}
		if count := tb.text("#league-count"); !strings.Contains(count, strconv.Itoa(ranked)+" 个单位排名") {
			t.Errorf("count %q, want %d ranked", count, ranked)
		}
		return from, to
	}
	from, to := check()
	first := tb.text(`#league-table tbody tr[data-rank="1"]`)
	for _, w := range []string{"距第一名", "持平或领先", "结案率"} {
		if !strings.Contains(first, w) {
			t.Errorf("the first row %q lacks %q", first, w)
		}
	}
	if n := eval[int](tb, `document.querySelectorAll('#league-table tbody tr[data-ranked="false"]').length`); n > 0 {
		if row := tb.text(`#league-table tbody tr[data-ranked="false"]`); !strings.Contains(row, "样本不足") {
			t.Errorf("an unranked row %q", row)
		}
	}
	tb.shot("league")

	// The first unit's trend: a point a month for 12 months, in the chart and the table.
	tb.click(`#league-table tbody tr[data-rank="1"] .trend-button`)
	tb.waitFor(`document.getElementById('trend-dialog').open && document.getElementById('trend-dialog').dataset.ready`)
	if n := eval[int](tb, `document.querySelectorAll('#trend-table tbody tr').length`); n != 12 {
		t.Errorf("the trend lists %d months, want 12", n)
	}
	if month := eval[string](tb, `document.querySelector('#trend-table tbody tr').dataset.period`); !strings.HasPrefix(to, month) {
		t.Errorf("the trend's latest month %q is not the period's end (%s)", month, to)
	}
	if eval[int](tb, `document.querySelectorAll('#trend-chart svg path').length`) == 0 {
		t.Error("the trend chart drew nothing")
	}
	tb.click(`#trend-dialog [data-close]`)

	// Last month: the table follows, and the link keeps the period.
	tb.do(chromedp.SetValue(chromedp.CSS(`#period-preset`), "last_month"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('period-preset').dispatchEvent(new Event('change'))`))
	tb.click(`#period-submit`)
	tb.waitFor(`location.search.includes('preset=last_month') && document.getElementById('league-table').dataset.ready !== '` + from + `'`)
	lastFrom, lastTo := check()
	if !strings.HasSuffix(lastFrom, "-01") || lastTo >= today.Format("2006-01-")+"01" {
		t.Errorf("last month is %s–%s", lastFrom, lastTo)
	}

	// The workbook: the same units, as an xlsx download.
	href := eval[string](tb, `document.getElementById('league-xlsx').getAttribute('href')`)
	if !strings.Contains(href, "level=department") || !strings.Contains(href, "from="+lastFrom) || !strings.Contains(href, "to="+lastTo) || !strings.Contains(href, "format=xlsx") {
		t.Fatalf("workbook link %q", href)
	}
	st, raw := leader.Raw("GET", href, nil)
	if st != http.StatusOK || len(raw) < 4 || string(raw[:2]) != "PK" {
		t.Errorf("workbook: %d, %d bytes", st, len(raw))
	}
}
