package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserSecondFactor: a leader whose role requires a second factor signs in with the
// password, is taken to the enrolment page, scans (reads) the QR code's secret, is refused a wrong
// code in Chinese, confirms with the right one, sees the recovery codes once and reaches home.
func TestBrowserSecondFactor(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Clock = clock.Now
		c.MFARequiredRoles = []string{"leader"}
	})
	b := startBrowser(t, s.URL)
	tb := b.tab(t, 1366, 900)
	tb.open("/login", "#login-form")
	tb.do(
		chromedp.SendKeys(chromedp.CSS("#username"), "donghai.leader"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.DemoPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#mfa-enrol")),
	)
	tb.waitFor(`document.getElementById('mfa-qr').complete && document.getElementById('mfa-qr').naturalWidth > 0`)
	tb.shot("mfa-enrol")
	secret := tb.text("#mfa-secret")
	if len(secret) < 16 {
		t.Fatalf("secret shown: %q", secret)
	}
	tb.do(chromedp.SendKeys(chromedp.CSS("#mfa-code"), "000000"), chromedp.Click(chromedp.CSS("#mfa-submit")),
		chromedp.WaitVisible(chromedp.CSS("#mfa-error")))
	if got := tb.text("#mfa-error"); !strings.Contains(got, "动态验证码不正确") {
		t.Errorf("wrong code message %q", got)
	}
	code, err := totp.GenerateCode(secret, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	tb.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('mfa-code').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#mfa-code"), code), chromedp.Click(chromedp.CSS("#mfa-submit")),
		chromedp.WaitVisible(chromedp.CSS("#mfa-recovery")))
	if n := eval[int](tb, `document.querySelectorAll('#mfa-recovery-codes li').length`); n != 10 {
		t.Errorf("%d recovery codes shown", n)
	}
	tb.shot("mfa-recovery")
	tb.do(chromedp.Click(chromedp.CSS("#mfa-continue")), chromedp.WaitVisible(chromedp.CSS("#greeting")))
}
