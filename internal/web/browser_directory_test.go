package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// 一网速查 on the page. The demo directory (internal/demo/data/services.json) answers the pinyin
// initials directoryQuery with directoryTop first.
const (
	directoryQuery = "jzz"
	directoryTop   = "居住证申领"
	// directoryNothing finds nothing: it shows on the editors' 零结果查询 tab.
	directoryNothing = "飞碟"
)

// directoryClock is 10:00 on Wednesday 2 December 2026, Beijing time: a working day in working
// hours, so the offices of the demo are open.
func directoryClock() *apptest.Clock {
	return apptest.NewClock(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
}

// searchResult is what the test reads of GET /api/v1/services/search.
type searchResult struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	OpenNow  bool     `json:"open_now"`
	Distance *float64 `json:"distance_m"`
}

func searchAPI(t *testing.T, c *apptest.Client, query string) []searchResult {
	t.Helper()
	var res struct {
		Results []searchResult `json:"results"`
	}
	if st := c.Do("GET", "/api/v1/services/search?"+query, nil, &res); st != http.StatusOK {
		t.Fatalf("search %s: %d", query, st)
	}
	return res.Results
}

// TestBrowserDirectoryResident: a resident on a phone, not signed in, types pinyin initials,
// sees suggestions, searches, narrows to 离我近 and goes back, opens the top service and sees it
// open (as the API says, at the test's fixed working-day hour), its places on the map, the
// window that serves their position, and shares the link; a search that finds nothing says so
// and what to try.
func TestBrowserDirectoryResident(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			clock := directoryClock()
			s := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			anon := s.Anonymous(t)
			top := searchAPI(t, anon, url.Values{"q": {directoryQuery}}.Encode())
			if len(top) == 0 || top[0].Name != directoryTop {
				t.Fatalf("the API's answer to %q: %+v, want %s first", directoryQuery, top, directoryTop)
			}
			b := startBrowser(t, s.URL)

			phone := b.tab(t, 390, 844)
			phone.geolocate(reportLat, reportLng)
			phone.allowClipboard()
			phone.open("/services", "#svc-q")
			phone.waitFor(`document.querySelectorAll('#svc-categories .svc-chip').length > 1`)
			phone.do(chromedp.SendKeys(chromedp.CSS("#svc-q"), directoryQuery))
			phone.waitFor(`!document.getElementById('svc-suggest').hidden && document.querySelector('#svc-suggest li')`)
			if got := phone.text("#svc-suggest"); !strings.Contains(got, directoryTop) {
				t.Errorf("suggestions for %q: %q, want %s among them", directoryQuery, got, directoryTop)
			}
			// A name several units' entries share is one line, saying how many.
			if got := eval[[]string](phone, `[...document.querySelectorAll('#svc-suggest li')].map((li) => li.dataset.name)`); len(got) != len(uniq(got)) {
				t.Errorf("suggestions repeat a name: %q", got)
			}
			phone.shot("services-suggest-phone")
			phone.click("#svc-submit")
			phone.waitFor(`document.querySelector('#svc-results li.svc-card')`)
			if got := eval[string](phone, `location.search`); got != "?q="+directoryQuery {
				t.Errorf("the address keeps the search as %q", got)
			}
			if got := phone.text("#svc-results li.svc-card .svc-card-name"); got != directoryTop {
				t.Errorf("top card %q, want %s", got, directoryTop)
			}
			if got := eval[string](phone, `document.querySelector('#svc-results li.svc-card').dataset.id`); got != top[0].ID {
				t.Errorf("top card is %s, the API's top result %s", got, top[0].ID)
			}
			phone.fitsPhone("/services")
			phone.fullShot("services-results-phone")

			// 离我近: by distance, each card saying how far; back goes back to the plain search.
			phone.click("#f-near")
			phone.waitFor(`location.search.includes('near=1') && document.getElementById('svc-results').getAttribute('aria-busy') === 'false' && document.querySelector('#svc-results .svc-distance')`)
			distances := eval[[]float64](phone, `[...document.querySelectorAll('#svc-results li.svc-card')].map((li) => {
				const d = li.querySelector('.svc-distance'); if (!d) return 1e9;
				const [n, unit] = d.textContent.split(' '); return Number(n.replace(/,/g, '')) * (unit === '公里' ? 1000 : 1); })`)
			for i := 1; i < len(distances); i++ {
				if distances[i] < distances[i-1] {
					t.Errorf("离我近 is not nearest first: %v", distances)
					break
				}
			}
			phone.shot("services-near-phone")
			phone.do(chromedp.NavigateBack())
			phone.waitFor(`location.search === '?q=` + directoryQuery + `' && document.getElementById('f-near').getAttribute('aria-pressed') === 'false' && document.getElementById('svc-q').value === '` + directoryQuery + `'`)
			phone.waitFor(`document.querySelector('#svc-results li.svc-card') && !document.querySelector('#svc-results .svc-distance')`)
			// A category chip narrows the same search.
			phone.click(`#svc-categories .svc-chip[data-code="household"]`)
			phone.waitFor(`location.search.includes('category=household') && document.getElementById('svc-results').getAttribute('aria-busy') === 'false' && document.querySelector('#svc-results li.svc-card')`)
			if other := eval[int](phone, `[...document.querySelectorAll('#svc-results .svc-card-meta')].filter((m) => !m.textContent.startsWith('户籍')).length`); other != 0 {
				t.Errorf("%d cards outside 户籍 under its chip", other)
			}
			phone.do(chromedp.NavigateBack())
			phone.waitFor(`location.search === '?q=` + directoryQuery + `' && document.querySelector('#svc-categories .svc-chip[data-code=""]').getAttribute('aria-pressed') === 'true'`)

			// The service's page: open now as the API says, the places on the map.
			var service struct {
				OpenNow bool `json:"open_now"`
				Places  []struct {
					ID  string  `json:"id"`
					Lat float64 `json:"lat"`
					Lng float64 `json:"lng"`
				} `json:"places"`
			}
			if st := anon.Do("GET", "/api/v1/public/services/"+top[0].ID, nil, &service); st != http.StatusOK {
				t.Fatalf("GET the service: %d", st)
			}
			if !service.OpenNow {
				t.Errorf("the API says %s is closed at 10:00 on a working Wednesday", directoryTop)
			}
			phone.click(`#svc-results li.svc-card[data-id="` + top[0].ID + `"] a`)
			phone.do(chromedp.WaitVisible(chromedp.CSS(`#service-page[aria-busy="false"]`)))
			if got := phone.text("#svc-name"); got != directoryTop {
				t.Errorf("service page heading %q", got)
			}
			badge := eval[string](phone, `(document.querySelector('#svc-open') || {dataset: {}}).dataset.open || ''`)
			if badge != fmt.Sprint(service.OpenNow) {
				t.Errorf("open badge says open=%s, the API %v", badge, service.OpenNow)
			}
			if got := phone.text("#svc-open"); service.OpenNow && !strings.HasPrefix(got, "现在开门") {
				t.Errorf("open badge %q, want 现在开门", got)
			}
			located := 0
			for _, p := range service.Places {
				if p.Lat != 0 || p.Lng != 0 {
					located++
				}
			}
			if located == 0 {
				t.Fatalf("%s has no place on the map", directoryTop)
			}
			phone.waitFor(fmt.Sprintf(`document.querySelectorAll('#svc-map path.svc-place-marker').length === %d`, located))
			if n := eval[int](phone, `document.querySelectorAll('#svc-materials li').length`); n == 0 {
				t.Error("no 所需材料 listed")
			}
			if n := eval[int](phone, `document.querySelectorAll('#svc-places a[href^="tel:"]').length`); n == 0 {
				t.Error("no place has a phone link")
			}

			// 哪个窗口为我服务, from the phone's position: the page shows what the API answers.
			var serving struct {
				Place *struct {
					ID string `json:"id"`
				} `json:"place"`
				Community string `json:"community_name"`
			}
			if st := anon.Do("GET", fmt.Sprintf("/api/v1/public/services/%s/serving?lat=%v&lng=%v", top[0].ID, reportLat, reportLng), nil, &serving); st != http.StatusOK {
				t.Fatalf("GET serving: %d", st)
			}
			phone.click("#serving-gps")
			if serving.Place != nil {
				phone.waitFor(`document.querySelector('#serving-place[data-id="` + serving.Place.ID + `"]')`)
				phone.waitFor(`document.querySelector('#svc-places li.svc-place-serving[data-id="` + serving.Place.ID + `"]')`)
			} else {
				phone.waitFor(`document.getElementById('serving-none')`)
			}
			if got := phone.text("#serving-area"); serving.Community != "" && !strings.Contains(got, serving.Community) {
				t.Errorf("serving area %q, want %s", got, serving.Community)
			}
			if eval[bool](phone, `!navigator.share`) {
				phone.click("#svc-share")
				phone.waitFor(`document.getElementById('share-status').textContent !== ''`)
				if got := phone.text("#share-status"); got != "链接已复制，可以发给别人。" {
					t.Errorf("share status %q", got)
				}
				phone.do(chromedp.Evaluate[chromedp.Void](`window.clip = undefined; navigator.clipboard.readText().then(v => { window.clip = v; }, e => { window.clip = 'error: ' + e; })`))
				phone.waitFor(`window.clip !== undefined`)
				if got := eval[string](phone, `window.clip`); got != s.URL+"/services/"+top[0].ID {
					t.Errorf("shared link %q", got)
				}
			}
			phone.fitsPhone("/services/{id}")
			phone.fullShot("service-phone")

			// A search that finds nothing says so, with what to try.
			phone.open("/services?q="+url.QueryEscape(directoryNothing), "#svc-q")
			phone.waitFor(`document.getElementById('svc-empty')`)
			if got := phone.text("#svc-empty"); !strings.Contains(got, "没有找到") || !strings.Contains(got, "试试") {
				t.Errorf("empty state %q", got)
			}
			phone.fitsPhone("/services (nothing found)")
			phone.shot("services-empty-phone")
		})
	}
}

// TestBrowserDirectoryEditors: the district's editor changes an entry of 东海's; the change
// waits, and the proposer cannot approve it; 东海's editor sees it field by field and approves
// it; the resident's search then shows the new name; a search that found nothing shows on the
// editors' 零结果查询 tab.
func TestBrowserDirectoryEditors(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			clock := directoryClock()
			s := apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now })
			proposer, approver := "district.directory_editor", "donghai.directory_editor"
			var list struct {
				Services []struct {
					ID, Name string
				} `json:"services"`
			}
			if st := s.Login(t, approver).Do("GET", "/api/v1/services?limit=200", nil, &list); st != http.StatusOK || len(list.Services) == 0 {
				t.Fatalf("%s's services: %d, %d entries", approver, st, len(list.Services))
			}
			target := list.Services[0]
			renamed := target.Name + "（新址）"
			anon := s.Anonymous(t)
			if st, _ := anon.Raw("GET", "/api/v1/services/search?q="+url.QueryEscape(directoryNothing), nil); st != http.StatusOK {
				t.Fatalf("search %s: %d", directoryNothing, st)
			}
			b := startBrowser(t, s.URL)

			one := b.tab(t, 1366, 900)
			one.login(proposer, apptest.DemoPassword)
			if nav := one.nav(); !strings.Contains(nav, "办事指南维护") {
				t.Errorf("the editor's menu %q lacks 办事指南维护", nav)
			}
			one.open("/directory", "#svc-table")
			one.waitFor(`document.querySelector('#svc-table tbody tr[data-id]')`)
			one.shot("directory-services")
			row := `#svc-table tr[data-id="` + target.ID + `"]`
			// The rows of the first list are marked: the filtered list replaces them.
			one.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#svc-table tbody tr').forEach((tr) => { tr.dataset.old = '1'; })`),
				chromedp.SendKeys(chromedp.CSS("#sf-q"), target.Name))
			one.click("#sf-submit")
			row += `:not([data-old])`
			one.waitFor(`document.getElementById('svc-table').getAttribute('aria-busy') === 'false' && document.querySelector('` + row + `')`)
			one.click(row + ` button[data-action="edit"]`)
			one.waitFor(`document.getElementById('service-dialog').open && document.getElementById('s-name').value === ` + jsString(target.Name) +
				` && document.querySelector('#s-unit option') && document.querySelector('#s-places input')`)
			one.do(chromedp.SetValue(chromedp.CSS("#s-name"), renamed))
			one.shot("directory-edit")
			one.click("#service-submit")
			one.waitFor(`!document.getElementById('service-dialog').open && document.getElementById('dir-status').textContent.includes('等待另一位编辑审核')`)
			// The proposer's own change: shown, but not theirs to approve.
			one.click("#tab-changes")
			own := `#changes-list li.dir-change[data-service="` + target.ID + `"]`
			one.waitFor(`document.querySelector('` + own + `')`)
			if !eval[bool](one, `document.querySelector('`+own+` button[data-action="approve"]').disabled`) {
				t.Error("the proposer may approve their own change")
			}
			if got := one.text(own + " .reason"); !strings.Contains(got, "另一位编辑") {
				t.Errorf("reason of the disabled approval: %q", got)
			}

			two := b.tab(t, 1366, 900)
			two.login(approver, apptest.DemoPassword)
			two.open("/directory#changes", "#changes-list")
			item := `#changes-list li.dir-change[data-service="` + target.ID + `"]`
			two.waitFor(`document.querySelector('` + item + ` tr[data-field="name"]')`)
			if got := two.text(item + ` tr[data-field="name"] td.before`); got != target.Name {
				t.Errorf("name before: %q, want %s", got, target.Name)
			}
			if got := two.text(item + ` tr[data-field="name"] td.after`); got != renamed {
				t.Errorf("name after: %q, want %s", got, renamed)
			}
			if n := eval[int](two, `document.querySelectorAll('`+item+` tbody tr').length`); n != 1 {
				t.Errorf("%d fields shown as changed, want only the name", n)
			}
			two.fullShot("directory-review")
			two.click(item + ` button[data-action="approve"]`)
			two.waitFor(`document.getElementById('review-dialog').open`)
			two.do(chromedp.SendKeys(chromedp.CSS("#review-note"), "核对无误"))
			two.click("#review-submit")
			two.waitFor(`!document.querySelector('` + item + `') && document.getElementById('dir-status').textContent.includes('已通过')`)

			// The resident finds the entry by its new name at once.
			phone := b.tab(t, 390, 844)
			phone.open("/services?q="+url.QueryEscape(renamed), "#svc-q")
			phone.waitFor(`document.querySelector('#svc-results li.svc-card[data-id="` + target.ID + `"]')`)
			if got := phone.text(`#svc-results li.svc-card[data-id="` + target.ID + `"] .svc-card-name`); got != renamed {
				t.Errorf("the resident's card says %q, want %s", got, renamed)
			}

			// What residents searched and did not find.
			two.click("#tab-queries")
			two.waitFor(`document.querySelector('#queries-table tr[data-q="` + directoryNothing + `"]')`)
			two.shot("directory-queries")

			// 地点: a place's hours in the editor, a row per period, and whom it serves.
			two.click("#tab-places")
			two.waitFor(`document.querySelector('#place-table tbody tr[data-id]')`)
			two.click(`#place-table tbody tr[data-id] button[data-action="edit"]`)
			two.waitFor(`document.getElementById('place-dialog').open && document.querySelector('#p-periods .dir-period') && document.querySelector('#p-serves input:checked')`)
			two.shot("directory-place")
			two.click(`#place-dialog button[data-close]`)
			two.waitFor(`!document.getElementById('place-dialog').open`)

			// 同义词 as one group a line.
			two.click("#tab-synonyms")
			two.waitFor(`document.getElementById('synonyms-text').value.includes('居住证、暂住证')`)

			// 导入: the file is checked first; a wrong row is shown and nothing can be imported.
			file := filepath.Join(t.TempDir(), "services.csv")
			csv := "name,category,unit_code,places\n便民修鞋点,convenience,350503001,P-350503001-BMFW\n便民配钥匙,convenience,350503001,P-NO-SUCH-PLACE\n"
			if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
				t.Fatal(err)
			}
			two.click("#tab-import")
			two.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}))
			two.click("#import-check")
			two.waitFor(`document.querySelector('#import-errors tbody tr')`)
			if got := two.text("#import-errors tbody"); !strings.Contains(got, "P-NO-SUCH-PLACE") {
				t.Errorf("import problems %q, want the unknown place named", got)
			}
			if !eval[bool](two, `document.getElementById('import-run').disabled`) {
				t.Error("a file with a wrong row may be imported")
			}
			two.shot("directory-import")
		})
	}
}

// uniq is list without repeats.
func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
