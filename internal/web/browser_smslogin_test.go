package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/consent"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserSMSLogin: a resident opens the "短信验证码登录" tab on a phone-sized screen, asks for
// a code, is refused a wrong one in Chinese, signs in with the code the demo's log gateway
// "sent", and reaches home; then opens 我的数据 and sees their own phone number.
func TestBrowserSMSLogin(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) { c.Clock = clock.Now })
	const phone = "13900000031"
	signUpThroughAPI(t, s, phone, "居民短信")
	clock.Advance(2 * time.Minute)

	b := startBrowser(t, s.URL)
	tb := b.tab(t, 390, 844)
	tb.open("/login", "#login-form")
	tb.do(chromedp.Click(chromedp.CSS("#tab-sms")), chromedp.WaitVisible(chromedp.CSS("#sms-form")))
	if !eval[bool](tb, `document.getElementById('login-form').hidden`) {
		t.Error("the password form stays shown on the SMS tab")
	}
	tb.do(chromedp.SendKeys(chromedp.CSS("#sms-phone"), phone), chromedp.Click(chromedp.CSS("#sms-send")),
		chromedp.WaitVisible(chromedp.CSS("#sms-message.alert-ok")))
	msg, ok := s.App.SMS.Last(phone)
	if !ok || len(msg.Params) == 0 || msg.Template != "verification_code" {
		t.Fatal("no sign-in code was sent")
	}
	code := fmt.Sprint(msg.Params[0])
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	tb.do(chromedp.SendKeys(chromedp.CSS("#sms-code"), wrong), chromedp.Click(chromedp.CSS("#sms-submit")),
		chromedp.WaitVisible(chromedp.CSS("#sms-message.alert-error")))
	if got := tb.text("#sms-message"); !strings.Contains(got, "验证码错误") {
		t.Errorf("wrong code message %q", got)
	}
	tb.shot("sms-login")
	tb.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('sms-code').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#sms-code"), code), chromedp.Click(chromedp.CSS("#sms-submit")),
		chromedp.WaitVisible(chromedp.CSS("#greeting")))
	if got := tb.text("#greeting"); !strings.Contains(got, "居民短信") {
		t.Errorf("greeting %q", got)
	}
	tb.open("/me/data", "#mydata-summary")
	tb.waitFor(`document.querySelectorAll('#mydata-summary dd').length > 0`)
	if got := tb.text("#mydata-summary"); !strings.Contains(got, phone) {
		t.Errorf("my data does not show my phone: %q", got)
	}
	tb.fitsPhone("my data")
}

// TestBrowserConsent: sign-up needs the consent box ticked (the texts open from the form, with
// their versions); when the privacy policy gets a new version the resident is sent to accept it
// before going on, and comes back where they were going.
func TestBrowserConsent(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)
	const phone = "13900000032"

	tb := b.tab(t, 390, 844)
	tb.open("/privacy", "#document-privacy")
	if got := tb.text("#document-version"); !strings.Contains(got, "版本 1.0") {
		t.Errorf("privacy version line %q", got)
	}
	tb.open("/signup", "#signup-form")
	tb.do(chromedp.SendKeys(chromedp.CSS("#phone"), phone), chromedp.Click(chromedp.CSS("#send-code")),
		chromedp.WaitVisible(chromedp.CSS("#signup-message.alert-ok")))
	sms, ok := s.App.SMS.Last(phone)
	if !ok || len(sms.Params) == 0 {
		t.Fatal("no verification code was sent")
	}
	tb.do(
		chromedp.SendKeys(chromedp.CSS("#code"), fmt.Sprint(sms.Params[0])),
		chromedp.SendKeys(chromedp.CSS("#display-name"), "居民同意"),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "Resident-Passw0rd!"),
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), "Resident-Passw0rd!"),
		chromedp.Click(chromedp.CSS("#signup-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#signup-message.alert-error")),
	)
	if got := tb.text("#signup-message"); !strings.Contains(got, "隐私政策") {
		t.Errorf("sign-up without consent: %q", got)
	}
	var n int
	s.App.DB.Read.QueryRow(`SELECT count(*) FROM users WHERE display_name = '居民同意'`).Scan(&n)
	if n != 0 {
		t.Fatal("an account was made without consent")
	}
	tb.do(chromedp.Click(chromedp.CSS("#consent")), chromedp.Click(chromedp.CSS("#signup-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#greeting")))
	var versions []string
	rows, err := s.App.DB.Read.Query(`SELECT c.document || ' ' || c.version FROM consents c JOIN users u ON u.id = c.user_id
		WHERE u.display_name = '居民同意' ORDER BY c.document`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		rows.Scan(&v)
		versions = append(versions, v)
	}
	rows.Close()
	if strings.Join(versions, ",") != "privacy 1.0,terms 1.0" {
		t.Fatalf("consents recorded: %v", versions)
	}

	// A new privacy policy: the next page sends the resident to accept it, then on.
	s.App.Auth.Consents().SetVersion(consent.Privacy, "1.1")
	tb.do(chromedp.Navigate(s.URL+"/my"), chromedp.WaitVisible(chromedp.CSS("#consent-agree")))
	if got := tb.text("#consent-documents"); !strings.Contains(got, "隐私政策") || strings.Contains(got, "用户协议") {
		t.Errorf("documents to accept: %q", got)
	}
	tb.shot("consent-again")
	tb.do(chromedp.Click(chromedp.CSS("#consent-agree")), chromedp.WaitVisible(chromedp.CSS("#my-cases")))
	if loc := tb.location(); !strings.HasSuffix(loc, "/my") {
		t.Errorf("after accepting: %s", loc)
	}
	var needed bool
	s.App.DB.Read.QueryRow(`SELECT count(*) = 0 FROM consents WHERE version = '1.1'`).Scan(&needed)
	if needed {
		t.Error("the new version's acceptance was not recorded")
	}
	// Staff are never asked.
	staff := b.tab(t, 1366, 900)
	staff.login("donghai.leader", apptest.DemoPassword)
	if loc := staff.location(); strings.Contains(loc, "/consent") {
		t.Errorf("staff sent to the consent page: %s", loc)
	}
}

// signUpThroughAPI makes a resident account as the sign-up page would.
func signUpThroughAPI(t *testing.T, s *apptest.Server, phone, name string) {
	t.Helper()
	c := s.Anonymous(t)
	if st, b := c.Raw("POST", "/api/v1/auth/signup/code", map[string]string{"phone": phone}); st != 202 {
		t.Fatalf("sign-up code: %d %s", st, b)
	}
	m, _ := s.App.SMS.Last(phone)
	if st, b := c.Raw("POST", "/api/v1/auth/signup", map[string]any{"phone": phone, "code": fmt.Sprint(m.Params[0]),
		"display_name": name, "password": "Resident-Passw0rd!", "consent": s.App.Auth.Consents().Current()}); st != 201 {
		t.Fatalf("sign up: %d %s", st, b)
	}
}
