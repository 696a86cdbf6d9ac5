package web_test

import (
	"context"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserAPIKeys: the district's sys_admin issues an Open311 key on /apikeys, sees it once
// (with a warning and a copy button), and revokes it after confirming.
func TestBrowserAPIKeys(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)
	tb := b.tab(t, 1366, 900)
	tb.allowClipboard()
	tb.login("sysadmin", apptest.DemoPassword)
	if got := tb.nav(); got != navOf(navHome, navOrg, navOnboard, navSettings, navAPIKeys, navDeliveries, navSchemes, navPassword) {
		t.Errorf("navigation %q", got)
	}
	tb.do(chromedp.Click(chromedp.CSS(`#nav a[href="/apikeys"]`)), chromedp.WaitVisible(chromedp.CSS("#apikey-form")))
	tb.waitFor(`document.querySelector('#apikeys-table td.empty')`)
	if got := tb.text("#apikeys-table tbody"); got != "还没有发放任何密钥。" {
		t.Errorf("empty list %q", got)
	}

	// A bad name is refused with the server's message in Chinese; nothing is shown as a key.
	tb.do(chromedp.SendKeys(chromedp.CSS("#key-name"), "two words"), chromedp.Click(chromedp.CSS("#create-submit")),
		chromedp.WaitVisible(chromedp.CSS("#create-message.alert-error")))
	if got := tb.text("#create-message"); !strings.Contains(got, "应用名称须为 2–64 个") {
		t.Errorf("bad name message %q", got)
	}
	if !eval[bool](tb, `document.getElementById('secret-panel').hidden`) {
		t.Error("a refused create shows a key panel")
	}

	// Issue a key: it is shown once, with the warning.
	tb.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('key-name').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#key-name"), "city-app"), chromedp.SendKeys(chromedp.CSS("#key-rate"), "120"),
		chromedp.Click(chromedp.CSS("#create-submit")))
	tb.waitFor(`!document.getElementById('secret-panel').hidden || document.querySelector('#create-message.alert-error:not([hidden])')`)
	if msg := tb.text("#create-message"); !strings.Contains(msg, "已为 city-app 发放密钥") {
		t.Fatalf("create: %q", msg)
	}
	secret := eval[string](tb, `document.getElementById('secret-value').value`)
	if !strings.HasPrefix(secret, apikey.Prefix) || len(secret) != len(apikey.Prefix)+43 {
		t.Fatalf("shown key %q", secret)
	}
	if got := tb.text("#secret-warning"); !strings.Contains(got, "只显示这一次") {
		t.Errorf("warning %q", got)
	}
	ctx := context.Background()
	if k, err := s.App.APIKeys.Authenticate(ctx, secret); err != nil || k.Name != "city-app" || k.RatePerMinute != 120 {
		t.Fatalf("the shown key does not work: %+v %v", k, err)
	}
	tb.waitFor(`document.querySelector('#apikeys-table tr[data-name="city-app"][data-state="active"]')`)
	row := tb.text(`#apikeys-table tr[data-name="city-app"]`)
	for _, want := range []string{"city-app", "有效", "120 次/分钟", "sysadmin", "从未使用"} {
		if !strings.Contains(row, want) {
			t.Errorf("row %q lacks %q", row, want)
		}
	}

	// The copy button puts the key on the clipboard.
	tb.click("#secret-copy")
	tb.waitFor(`document.getElementById('copy-status').textContent !== ''`)
	if got := tb.text("#copy-status"); got != "已复制到剪贴板。" {
		t.Errorf("copy status %q", got)
	}
	tb.do(chromedp.Evaluate[chromedp.Void](`window.clip = undefined; navigator.clipboard.readText().then(v => { window.clip = v; }, e => { window.clip = 'error: ' + e; })`))
	tb.waitFor(`window.clip !== undefined`)
	if got := eval[string](tb, `window.clip`); got != secret {
		t.Errorf("clipboard %q, want the key", got)
	}
	tb.shot("apikeys-created")

	// Once stored, the key leaves the page, and the list never shows it again.
	tb.click("#secret-done")
	tb.waitFor(`document.getElementById('secret-panel').hidden`)
	if eval[bool](tb, `document.documentElement.outerHTML.includes(`+jsString(secret)+`)`) {
		t.Error("the key is still in the page after it was stored")
	}
	tb.open("/apikeys", `#apikeys-table tr[data-name="city-app"]`)
	if eval[bool](tb, `document.documentElement.outerHTML.includes(`+jsString(secret)+`) || !document.getElementById('secret-panel').hidden`) {
		t.Error("the key is shown again")
	}

	// Revoke asks first: cancel keeps the key, confirm ends it.
	tb.click(`tr[data-name="city-app"] .revoke-button`)
	tb.do(chromedp.WaitVisible(chromedp.CSS("#revoke-dialog[open] #revoke-submit")))
	if got := tb.text("#revoke-name"); got != "city-app" {
		t.Errorf("the dialog asks about %q", got)
	}
	tb.shot("apikeys-revoke")
	tb.click("#revoke-dialog [data-close]")
	tb.waitFor(`!document.getElementById('revoke-dialog').open`)
	if _, err := s.App.APIKeys.Authenticate(ctx, secret); err != nil {
		t.Fatalf("cancel revoked the key: %v", err)
	}
	tb.click(`tr[data-name="city-app"] .revoke-button`)
	tb.click("#revoke-dialog[open] #revoke-submit")
	tb.waitFor(`document.querySelector('#apikeys-table tr[data-name="city-app"][data-state="revoked"]') && !document.getElementById('revoke-dialog').open`)
	if row := tb.text(`#apikeys-table tr[data-name="city-app"]`); !strings.Contains(row, "已吊销") {
		t.Errorf("revoked row %q", row)
	}
	if eval[bool](tb, `!!document.querySelector('tr[data-name="city-app"] .revoke-button')`) {
		t.Error("a revoked key can be revoked again")
	}
	if got := tb.text("#apikeys-status"); !strings.Contains(got, "已吊销 city-app 的密钥") {
		t.Errorf("status %q", got)
	}
	if _, err := s.App.APIKeys.Authenticate(ctx, secret); err == nil {
		t.Error("the revoked key still works")
	}
}

// allowClipboard lets the tab's page write and read the clipboard without asking.
func (tb *tab) allowClipboard() {
	tb.t.Helper()
	contextID := chromedp.FromContext(tb.ctx).BrowserContextID
	for _, name := range []string{"clipboard-write", "clipboard-read"} {
		tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted,
				Origin: tb.base, BrowserContextID: contextID})
			return err
		}))
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
