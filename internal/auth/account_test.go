package auth_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/consent"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// consentNow is the consent a sign-up form sends: the versions in force.
func consentNow(srv *apptest.Server) map[string]string { return srv.App.Auth.Consents().Current() }

// lastCode is the code the demo's log gateway "sent" to phone ("" when none).
func lastCode(srv *apptest.Server, phone string) string {
	m, ok := srv.App.SMS.Last(phone)
	if !ok || len(m.Params) == 0 {
		return ""
	}
	return fmt.Sprint(m.Params[0])
}

// signUp makes a resident account through the API and returns its signed-in client.
func signUp(t *testing.T, srv *apptest.Server, phone, name string) *apptest.Client {
	t.Helper()
	c := srv.Anonymous(t)
	if s, b := c.Raw("POST", "/api/v1/auth/signup/code", map[string]string{"phone": phone}); s != 202 {
		t.Fatalf("sign-up code: %d %s", s, b)
	}
	var res struct{ Token string }
	if s := c.Do("POST", "/api/v1/auth/signup", map[string]any{"phone": phone, "code": lastCode(srv, phone),
		"display_name": name, "password": "Resident-Passw0rd", "consent": consentNow(srv)}, &res); s != 201 {
		t.Fatalf("sign up %s: %d", phone, s)
	}
	c.Token = res.Token
	c.HTTP.Jar = nil
	return c
}

// reportLat, reportLng is a point inside a 东海街道 grid (as in the cases tests).
const reportLat, reportLng = 24.925, 118.575

func wrongCode(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

// Attacks first: brute force, reuse, enumeration.
func TestSMSLoginAttacks(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, clock := start(t, engine)
			const phone, stranger = "13911110001", "13911110002"
			signUp(t, srv, phone, "居民甲")
			clock.Advance(2 * time.Minute)
			anon := srv.Anonymous(t)

			// Enumeration: a number with an account and one without answer byte for byte alike,
			// and both are held to the same interval.
			s1, b1 := anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": phone})
			s2, b2 := anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": stranger})
			if s1 != 202 || s1 != s2 || string(b1) != string(b2) {
				t.Fatalf("answers differ: %d %s / %d %s", s1, b1, s2, b2)
			}
			s1, b1 = anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": phone})
			s2, b2 = anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": stranger})
			if s1 != 429 || s1 != s2 || string(b1) != string(b2) {
				t.Fatalf("second asks differ: %d %s / %d %s", s1, b1, s2, b2)
			}
			if lastCode(srv, stranger) != "" {
				t.Fatal("a code was sent to a number without an account")
			}
			code := lastCode(srv, phone)
			if code == "" {
				t.Fatal("no code sent to the account's number")
			}
			// A wrong code for either number: the same answer.
			s1, b1 = anon.Raw("POST", "/api/v1/auth/login/sms", map[string]string{"phone": phone, "code": wrongCode(code)})
			s2, b2 = anon.Raw("POST", "/api/v1/auth/login/sms", map[string]string{"phone": stranger, "code": wrongCode(code)})
			if s1 != 401 || s1 != s2 || string(b1) != string(b2) {
				t.Fatalf("wrong codes answer differently: %d %s / %d %s", s1, b1, s2, b2)
			}

			// Brute force: after CodeMaxAttempts checks the code is void, the right one included.
			for i := 0; i < 4; i++ {
				anon.Raw("POST", "/api/v1/auth/login/sms", map[string]string{"phone": phone, "code": wrongCode(code)})
				clock.Advance(20 * time.Second) // past the throttle's delays, to reach the code's own limit
			}
			clock.Advance(time.Minute)
			if s, b := anon.Raw("POST", "/api/v1/auth/login/sms", map[string]string{"phone": phone, "code": code}); s != 429 {
				t.Fatalf("the right code after the attempts ran out: %d %s", s, b)
			}

			// A new code works once; used again it is refused.
			clock.Advance(2 * time.Minute)
			anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": phone})
			code = lastCode(srv, phone)
			var res struct {
				Token string
				MFA   string
			}
			if s := anon.Do("POST", "/api/v1/auth/login/sms", map[string]string{"phone": phone, "code": code}, &res); s != 200 || res.Token == "" {
				t.Fatalf("sign in with the code: %d %+v", s, res)
			}
			if s, _ := anon.Raw("POST", "/api/v1/auth/login/sms", map[string]string{"phone": phone, "code": code}); s != 401 {
				t.Fatalf("a spent code was accepted again: %d", s)
			}
			me := &apptest.Client{T: t, Base: srv.URL, Token: res.Token, HTTP: anon.HTTP}
			var who struct {
				DisplayName string `json:"display_name"`
			}
			if s := me.Do("GET", "/api/v1/me", nil, &who); s != 200 || who.DisplayName != "居民甲" {
				t.Fatalf("me after SMS sign-in: %d %+v", s, who)
			}
			// An expired code is refused.
			clock.Advance(2 * time.Minute)
			anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": phone})
			code = lastCode(srv, phone)
			clock.Advance(6 * time.Minute)
			if s, _ := anon.Raw("POST", "/api/v1/auth/login/sms", map[string]string{"phone": phone, "code": code}); s != 401 {
				t.Fatalf("expired code accepted: %d", s)
			}
			// Bad input: clear 400s in the caller's language.
			if s, b := anon.Raw("POST", "/api/v1/auth/login/code?lang=en", map[string]string{"phone": "12345"}); s != 400 || !strings.Contains(string(b), "mobile number") {
				t.Fatalf("bad phone: %d %s", s, b)
			}
			// Codes are kept hashed only.
			var n int
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM login_codes WHERE code_hash = $1 OR phone_hash = $2`, code, phone).Scan(&n)
			if n != 0 {
				t.Fatal("a code or phone stored in the clear")
			}
		})
	}
}

// One address cannot ask codes for many numbers (SMS bombing, probing).
func TestSMSLoginCodesPerAddress(t *testing.T) {
	srv, _ := start(t, "sqlite")
	anon := srv.Anonymous(t)
	var last int
	for i := range 12 {
		last, _ = anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": fmt.Sprintf("1390000%04d", i)})
	}
	if last != 429 {
		t.Fatalf("the twelfth number from one address: %d", last)
	}
}

// Staff with a second factor still take that step after an SMS code.
func TestSMSLoginKeepsSecondFactor(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	srv := apptest.StartWith(t, "sqlite", func(c *app.Config) {
		c.Clock = clock.Now
		c.MFARequiredRoles = []string{"resident"}
	})
	const phone = "13911110003"
	anon := srv.Anonymous(t)
	anon.Raw("POST", "/api/v1/auth/signup/code", map[string]string{"phone": phone})
	var res struct {
		Token, MFA, Challenge string
	}
	anon.Do("POST", "/api/v1/auth/signup", map[string]any{"phone": phone, "code": lastCode(srv, phone),
		"display_name": "居民乙", "password": "Resident-Passw0rd", "consent": consentNow(srv)}, &res)
	if res.Token != "" || res.MFA != "enrol" {
		t.Fatalf("sign-up of a role that needs a second factor: %+v", res)
	}
	clock.Advance(2 * time.Minute)
	anon.Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": phone})
	res = struct{ Token, MFA, Challenge string }{}
	if s := anon.Do("POST", "/api/v1/auth/login/sms", map[string]string{"phone": phone, "code": lastCode(srv, phone)}, &res); s != 200 || res.Token != "" || res.MFA != "enrol" || res.Challenge == "" {
		t.Fatalf("SMS sign-in skipped the second factor: %d %+v", s, res)
	}
}

func TestConsentAtSignUpAndOnNewVersion(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, _ := start(t, engine)
			const phone = "13911110004"
			anon := srv.Anonymous(t)
			anon.Raw("POST", "/api/v1/auth/signup/code", map[string]string{"phone": phone})
			body := map[string]any{"phone": phone, "code": lastCode(srv, phone), "display_name": "居民丙", "password": "Resident-Passw0rd"}
			if s, b := anon.Raw("POST", "/api/v1/auth/signup", body); s != 400 || !strings.Contains(string(b), "account.consent_required") {
				t.Fatalf("sign-up without consent: %d %s", s, b)
			}
			body["consent"] = map[string]string{"terms": "0.1", "privacy": "0.1"}
			if s, b := anon.Raw("POST", "/api/v1/auth/signup", body); s != 409 || !strings.Contains(string(b), "account.consent_outdated") {
				t.Fatalf("sign-up with old versions: %d %s", s, b)
			}
			body["consent"] = consentNow(srv)
			var res struct{ Token string }
			if s := anon.Do("POST", "/api/v1/auth/signup", body, &res); s != 201 {
				t.Fatalf("sign up: %d", s)
			}
			c := &apptest.Client{T: t, Base: srv.URL, Token: res.Token, HTTP: srv.Anonymous(t).HTTP}
			type me struct {
				Needed    bool     `json:"consent_needed"`
				Documents []string `json:"consent_documents"`
			}
			var m me
			c.Do("GET", "/api/v1/me", nil, &m)
			if m.Needed {
				t.Fatalf("consent asked again right after sign-up: %+v", m)
			}
			// A new privacy policy: the resident is asked again, for that document only.
			srv.App.Auth.Consents().SetVersion(consent.Privacy, "2.0")
			c.Do("GET", "/api/v1/me", nil, &m)
			if !m.Needed || len(m.Documents) != 1 || m.Documents[0] != "privacy" {
				t.Fatalf("new version not asked: %+v", m)
			}
			// Staff are not asked.
			var staff me
			srv.Login(t, "donghai.leader").Do("GET", "/api/v1/me", nil, &staff)
			if staff.Needed {
				t.Fatal("staff asked to consent")
			}
			if s, _ := c.Raw("POST", "/api/v1/me/consent", map[string]any{"consent": map[string]string{"terms": "1.0", "privacy": "1.0"}}); s != 409 {
				t.Fatalf("accepting the old version: %d", s)
			}
			if s := c.Do("POST", "/api/v1/me/consent", map[string]any{"consent": consentNow(srv)}, &m); s != 200 || m.Needed {
				t.Fatalf("accept: %d %+v", s, m)
			}
			// Recorded, with versions; audited.
			var data struct {
				Consents []struct{ Document, Version string }
			}
			c.Do("GET", "/api/v1/me/data", nil, &data)
			if len(data.Consents) != 3 {
				t.Fatalf("consent records: %+v", data.Consents)
			}
			var recs struct {
				Records []struct{ Action string } `json:"records"`
			}
			srv.Login(t, "auditadmin").Do("GET", "/api/v1/audit?action=account.consent", nil, &recs)
			if len(recs.Records) != 1 {
				t.Fatalf("consent audited: %+v", recs.Records)
			}
		})
	}
}

func TestMyDataExportAndDelete(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, clock := start(t, engine)
			const mine, theirs = "13911110005", "13911110006"
			me := signUp(t, srv, mine, "居民丁")
			other := signUp(t, srv, theirs, "居民戊")
			report := func(c *apptest.Client, text string) string {
				var res struct{ Number string }
				if s, b := c.Raw("POST", "/api/v1/cases", map[string]any{"category_code": "06010",
					"lat": reportLat, "lng": reportLng, "description": text}); s != 201 {
					t.Fatalf("report: %d %s", s, b)
				} else {
					json.Unmarshal(b, &res)
				}
				return res.Number
			}
			myCase := report(me, "我家楼下路灯坏了三天")
			report(other, "隔壁小区垃圾没人清运")

			// The export holds my phone and my text, and nothing of the other resident.
			s, raw := me.Raw("GET", "/api/v1/me/data", nil)
			if s != 200 {
				t.Fatalf("export: %d %s", s, raw)
			}
			text := string(raw)
			for _, want := range []string{mine, "居民丁", "我家楼下路灯坏了三天", myCase, `"privacy"`} {
				if !strings.Contains(text, want) {
					t.Errorf("export lacks %q", want)
				}
			}
			for _, not := range []string{theirs, "居民戊", "隔壁小区垃圾没人清运"} {
				if strings.Contains(text, not) {
					t.Errorf("export contains another resident's %q", not)
				}
			}

			// Staff cannot delete themselves; nobody can delete another account (the route has
			// no id: it is always the caller's own).
			if s, b := srv.Login(t, "donghai.grid_worker").Raw("DELETE", "/api/v1/me", map[string]string{"password": apptest.DemoPassword}); s != 403 || !strings.Contains(string(b), "安全管理员") {
				t.Fatalf("staff self-delete: %d %s", s, b)
			}
			if s, _ := me.Raw("DELETE", "/api/v1/me", map[string]string{}); s != 400 {
				t.Fatalf("delete without confirmation: %d", s)
			}
			if s, _ := me.Raw("DELETE", "/api/v1/me", map[string]string{"password": "Wrong-Passw0rd"}); s != 401 {
				t.Fatalf("delete with a wrong password: %d", s)
			}
			if s, _ := me.Raw("DELETE", "/api/v1/me", map[string]string{"code": "123456"}); s != 401 {
				t.Fatalf("delete with a code never sent: %d", s)
			}
			// Confirmed with an SMS code.
			clock.Advance(2 * time.Minute)
			srv.Anonymous(t).Raw("POST", "/api/v1/auth/login/code", map[string]string{"phone": mine})
			if s, b := me.Raw("DELETE", "/api/v1/me", map[string]string{"code": lastCode(srv, mine)}); s != 204 {
				t.Fatalf("delete: %d %s", s, b)
			}
			// Signed out everywhere; cannot sign in again by password or code.
			if s := me.Do("GET", "/api/v1/me", nil, nil); s != 401 {
				t.Fatalf("session after delete: %d", s)
			}
			if s, _ := login(srv.Anonymous(t), mine, "Resident-Passw0rd"); s != 401 {
				t.Fatalf("password sign-in after delete: %d", s)
			}
			// The report stays, tied to nobody; the other resident is untouched.
			var row struct{ reporter, name, phone string }
			srv.App.DB.Read.QueryRow(`SELECT reporter_id, reporter_name_enc, reporter_phone_enc FROM cases WHERE number = $1`, myCase).
				Scan(&row.reporter, &row.name, &row.phone)
			if row.reporter != "" || row.name != "" || row.phone != "" {
				t.Fatalf("report still identifies its reporter: %+v", row)
			}
			var left int
			srv.App.DB.Read.QueryRow(`SELECT count(*) FROM users WHERE display_name = '居民丁' OR phone_masked LIKE '139****0005'`).Scan(&left)
			if left != 0 {
				t.Fatal("the deleted account keeps personal data")
			}
			if s := other.Do("GET", "/api/v1/me", nil, nil); s != 200 {
				t.Fatalf("the other resident lost their session: %d", s)
			}
			var recs struct {
				Records []struct{ Action, Result string } `json:"records"`
			}
			srv.Login(t, "auditadmin").Do("GET", "/api/v1/audit?action=account.delete", nil, &recs)
			ok := 0
			for _, r := range recs.Records {
				if r.Result == "ok" {
					ok++
				}
			}
			if ok != 1 || len(recs.Records) != 3 {
				t.Fatalf("deletion audited: %+v", recs.Records)
			}
		})
	}
}
