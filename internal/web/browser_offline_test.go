package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// cable is a proxy in front of the server whose cable can be pulled: while it is out, every
// request — the page's and the service worker's alike — ends without an answer, as on a phone
// without network. (The browser's own offline emulation applies to the page; whether a service
// worker obeys it depends on the Chromium version, so the cable makes sure of it.)
type cable struct {
	URL string
	out atomic.Bool
}

func newCable(t *testing.T, target string) *cable {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &cable{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.out.Load() {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

// offline cuts the tab's network (page and service worker, with the browser's emulation) and
// pulls the cable, or puts both back.
func (tb *tab) offline(c *cable, off bool) {
	tb.t.Helper()
	c.out.Store(off)
	tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		if _, err := cdp.Call(ctx, target, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, target, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &off,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
		})
		if err != nil {
			tb.t.Logf("offline emulation by rule not offered (%v): the pulled cable alone cuts the network", err)
		}
		return nil
	}))
}

// Issue 14: a resident reports offline. The report form was opened once online (the service
// worker keeps it); the network goes; the report with its photo is kept on the phone and shown
// as waiting; the form opens again without network, from the service worker's copy; back online,
// the report is sent by itself — once, with its photo.
func TestBrowserOffline(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s := apptest.Start(t, engine)
			c := newCable(t, s.URL)
			b := startBrowser(t, c.URL)
			photo := writeJPEG(t, "offline.jpg", 120)
			const description = "离线时发现路灯不亮，先存在手机上"

			resident := b.tab(t, 390, 844)
			resident.geolocate(reportLat, reportLng)
			resident.login("resident1", apptest.DemoPassword)
			resident.open("/report", "#report-form")
			resident.waitFor(`document.querySelector('#where.where-ok')`)
			// The service worker is in control and keeps the form and my reports.
			resident.waitFor(`navigator.serviceWorker.controller`)
			resident.waitFor(`(caches.match('/report').then((r) => (window.kept = Boolean(r))), window.kept)`)
			resident.waitFor(`(caches.match('/my').then((r) => (window.keptMy = Boolean(r))), window.keptMy)`)

			resident.offline(c, true)
			resident.waitFor(`!navigator.onLine && !document.getElementById('offline-notice').hidden`)
			resident.do(chromedp.SetUploadFiles(chromedp.CSS("#photos"), []string{photo}))
			resident.waitFor(`document.querySelectorAll('#photo-previews img').length === 1`)
			resident.do(chromedp.SendKeys(chromedp.CSS("#description"), description))
			resident.click("#report-submit")
			resident.waitFor(`document.getElementById('offline-queue').dataset.count === '1'`)
			if got := resident.text("#offline-queue"); !strings.Contains(got, "待发送") || !strings.Contains(got, "已保存在手机上") {
				t.Errorf("queue box %q", got)
			}
			if got := resident.text("#report-message"); !strings.Contains(got, "不会重复") {
				t.Errorf("message %q", got)
			}
			resident.shot("offline-queued")

			// Without network the form opens again (the service worker's copy), still holding
			// the report; my reports opens too.
			resident.open("/my", "#my-cases")
			resident.open("/report", "#report-form")
			resident.waitFor(`document.getElementById('offline-queue').dataset.count === '1'`)
			if n := countReports(t, s, description); n != 0 {
				t.Fatalf("%d cases arrived while offline", n)
			}
			resident.fullShot("offline-reopened")

			// Back online: it is sent by itself, once, with its photo, and leaves the queue.
			resident.offline(c, false)
			resident.waitFor(`document.getElementById('offline-sent') && document.getElementById('offline-queue').hidden`)
			resident.shot("offline-sent")
			if n := countReports(t, s, description); n != 1 {
				t.Errorf("%d cases with the description, want 1", n)
			}
			var photos int
			if err := s.App.DB.Read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM case_photos
				WHERE case_id = (SELECT id FROM cases WHERE description = $1)`, description).Scan(&photos); err != nil || photos != 1 {
				t.Errorf("photos of the case: %d %v, want 1", photos, err)
			}
			// A later page load finds nothing left to send: still one case.
			resident.open("/my", "#my-cases")
			resident.waitFor(`document.querySelector('#my-cases li')`)
			if got := resident.text("#my-cases"); !strings.Contains(got, "路灯不亮") {
				t.Errorf("my reports %q, want the sent report", got)
			}
			if n := countReports(t, s, description); n != 1 {
				t.Errorf("after another page load %d cases, want 1", n)
			}
		})
	}
}

// countReports counts resident1's cases with the description, on the server.
func countReports(t *testing.T, s *apptest.Server, description string) int {
	t.Helper()
	var n int
	err := s.App.DB.Read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases
		WHERE description = $1 AND reporter_id = (SELECT id FROM users WHERE username = 'resident1')`, description).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
