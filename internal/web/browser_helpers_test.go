package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Helpers of the browser tests: finding and starting Chromium, tabs with their own cookies,
// waiting on conditions (never on time) and screenshots.

// chromiumPath finds Chromium: $CHROMIUM_PATH, /usr/bin/chromium, or chromium / chromium-browser
// on PATH. Without one the test is skipped, except in CI (CI=true), where it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CHROMIUM_PATH=%s: %v", p, err)
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium not found (set CHROMIUM_PATH or install the Debian package chromium): CI must run the browser tests")
	}
	t.Skip("Chromium not found: set CHROMIUM_PATH or `apt-get install chromium fonts-wqy-microhei` to run the browser tests")
	return ""
}

// browser is one headless Chromium shared by the subtests of a test.
type browser struct {
	ctx   context.Context
	base  string
	shots *shots
}

func startBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// A browser set to Chinese, as the district's staff use: pages default to zh-CN.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	return &browser{ctx: ctx, base: base, shots: newShots(t)}
}

// tab is a page in a fresh browser context (its own cookies), closed when the test ends.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	b    *browser

	mu       sync.Mutex
	problems []string // uncaught exceptions and CSP violations seen in the page
}

func (b *browser) tab(t *testing.T, width, height int64) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	tb := &tab{t: t, ctx: ctx, base: b.base, b: b}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if text := m.String(); m.IsException() || strings.Contains(text, "Content Security Policy") {
				tb.mu.Lock()
				tb.problems = append(tb.problems, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, text))
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return tb
}

// timeout bounds each step, so a missing element fails the test in a minute rather than at the
// package timeout; it leaves room for a page on two cores shared with other packages under -race
// (half a minute was once too little for a report-back with a photo, in the whole package's run).
const timeout = 60 * time.Second

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	err := chromedp.Do(ctx, actions...)
	if err != nil && strings.Contains(err.Error(), "Could not find node with given id") {
		// The node was found, then the document under it was replaced (a page still finishing
		// its navigation) before the action reached it: nothing happened, so run it again.
		err = chromedp.Do(ctx, actions...)
	}
	if err != nil {
		tb.t.Fatalf("browser: %v (at %s%s)", err, tb.location(), tb.scene())
	}
}

// scene says what the page showed when a step failed: its open dialogs and visible alerts, which
// usually tell why (a refused action, a form still open).
func (tb *tab) scene() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[
		...[...document.querySelectorAll('dialog[open]')].map((d) => 'dialog#' + d.id + ' open'),
		...[...document.querySelectorAll('.alert:not([hidden])')].map((a) => 'alert#' + a.id + ': ' + a.textContent.trim()),
	].join('; ')`))
	if s == "" {
		return ""
	}
	return "; " + s
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// eval runs a JavaScript expression and decodes its value.
func eval[T any](tb *tab, expression string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}

// waitFor waits until a JavaScript condition holds in the current page.
func (tb *tab) waitFor(condition string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+condition+")", chromedp.WithPollingTimeout(timeout))); err != nil {
		tb.t.Fatalf("waiting for %s: %v (at %s%s)", condition, err, tb.location(), tb.scene())
	}
}

func (tb *tab) text(selector string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ''`, selector))
}

// open navigates to path and waits until selector is visible.
func (tb *tab) open(path, selector string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base+path), chromedp.WaitVisible(chromedp.CSS(selector)))
}

// login signs in through the form and waits for the home page.
func (tb *tab) login(username, password string) {
	tb.t.Helper()
	tb.open("/login", "#login-form")
	tb.do(
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#greeting")),
	)
}

// nav returns the labels of the main navigation.
func (tb *tab) nav() string {
	return eval[string](tb, `[...document.querySelectorAll('#nav ul a')].map(a => a.textContent.trim()).join(',')`)
}

// gridPaths counts the grid polygons Leaflet drew (SVG paths in the overlay pane).
const gridPaths = `document.querySelectorAll('.leaflet-overlay-pane svg path.leaflet-interactive').length`

// shot saves a screenshot of the whole page.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	tb.waitFor(`!document.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim')`) // a map at rest
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	tb.b.shots.save(tb.t, name, png)
}

// shots keeps the screenshots in the test's temporary directory and copies them to
// $TMPDIR/yiwang-shots for people to look at.
type shots struct {
	dir, keep string
}

func newShots(t *testing.T) *shots {
	s := &shots{dir: t.TempDir(), keep: filepath.Join(os.TempDir(), "yiwang-shots")}
	if err := os.MkdirAll(s.keep, 0o755); err != nil {
		t.Logf("screenshots stay in the temporary directory only: %v", err)
		s.keep = ""
	}
	return s
}

func (s *shots) save(t *testing.T, name string, png []byte) {
	t.Helper()
	file := filepath.Join(s.dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if s.keep != "" {
		kept := filepath.Join(s.keep, name+".png")
		if err := os.WriteFile(kept, png, 0o644); err == nil {
			t.Logf("screenshot %s (copy: %s)", file, kept)
			return
		}
	}
	t.Logf("screenshot %s", file)
}

// geolocate grants the tab's page the position (lat, lng), as a phone's GPS would give it.
func (tb *tab) geolocate(lat, lng float64) {
	tb.t.Helper()
	contextID := chromedp.FromContext(tb.ctx).BrowserContextID
	accuracy := 10.0
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: tb.base, BrowserContextID: contextID})
		return err
	}), chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
			Latitude: &lat, Longitude: &lng, Accuracy: &accuracy})
		return err
	}))
}

// click clicks the element selector matches once it is visible.
func (tb *tab) click(selector string) {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(selector)), chromedp.Click(chromedp.CSS(selector)))
}

// fitsPhone fails the test when the page is wider than a 390 px phone.
func (tb *tab) fitsPhone(page string) {
	tb.t.Helper()
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
		tb.t.Errorf("%s is %d px wide on a 390 px phone", page, w)
	}
}

// writeJPEG writes a small photo for upload tests and returns its path.
func writeJPEG(t *testing.T, name string, tint uint8) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 96; x++ {
			img.Set(x, y, color.RGBA{R: tint, G: uint8(x * 2), B: uint8(y * 3), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fullShot saves a screenshot of the whole page: the viewport is stretched to the page's
// height for the capture (Chromium paints little beyond the viewport otherwise), then restored.
func (tb *tab) fullShot(name string) {
	tb.t.Helper()
	size := eval[[]int64](tb, `[window.innerWidth, window.innerHeight]`)
	height := eval[int64](tb, `(window.scrollTo(0, 0), document.documentElement.scrollHeight)`)
	if height > size[1] {
		tb.do(chromedp.EmulateViewport(size[0], height))
		defer tb.do(chromedp.EmulateViewport(size[0], size[1]))
		tb.waitFor(fmt.Sprintf(`window.innerHeight === %d`, height))
	}
	tb.shot(name)
}
