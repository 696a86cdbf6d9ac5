package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
)

// oaAccountCalls calls the resident's account operations (call it from oaCalls): sign-in by SMS
// code, consent, "my data" and deleting one's account, on a resident made for the purpose.
func oaAccountCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	const phone = "13900000077"
	sent := func() string {
		m, ok := srv.App.SMS.Last(phone)
		if !ok || len(m.Params) == 0 {
			t.Fatalf("no code sent to %s", phone)
		}
		return fmt.Sprint(m.Params[0])
	}
	srv.Anonymous(t).Raw("POST", "/api/v1/auth/signup/code", map[string]string{"phone": phone})
	consentNow := srv.App.Auth.Consents().Current()
	var signedUp struct{ Token string }
	if s := srv.Anonymous(t).Do("POST", "/api/v1/auth/signup", map[string]any{"phone": phone, "code": sent(),
		"display_name": "OA 居民", "password": apptest.DemoPassword, "consent": consentNow}, &signedUp); s != 201 {
		t.Fatalf("sign up: %d", s)
	}
	resident := &apptest.Client{T: t, Base: srv.URL, Token: signedUp.Token, Username: "oa resident"}

	code, sms := "/api/v1/auth/login/code", "/api/v1/auth/login/sms"
	k.do(t, oaCall{method: "POST", path: code, body: map[string]string{"phone": phone}, want: 202})
	k.do(t, oaCall{method: "POST", path: code, body: map[string]string{"phone": phone}, want: 429})
	k.do(t, oaCall{method: "POST", path: code, body: map[string]string{"phone": "12345"}, want: 400})
	k.do(t, oaCall{method: "POST", path: code, body: map[string]string{"mobile": phone}, want: 400, invalid: true})
	k.do(t, oaCall{method: "POST", path: code, body: `{"phone": "` + strings.Repeat("1", 2000) + `"}`, want: 413, invalid: true})
	k.do(t, oaCall{method: "POST", path: code, body: phone, contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{method: "POST", path: sms, body: map[string]string{"phone": phone, "code": "x"}, want: 401})
	k.do(t, oaCall{method: "POST", path: sms, body: map[string]string{"phone": phone}, want: 400, invalid: true})
	k.do(t, oaCall{method: "POST", path: sms, body: `{"phone": "1", "code": "1", "x": 1}`, want: 400, invalid: true})
	k.do(t, oaCall{method: "POST", path: sms, body: `{"code": "` + strings.Repeat("1", 2000) + `"}`, want: 413, invalid: true})
	k.do(t, oaCall{method: "POST", path: sms, body: "{}", contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{method: "POST", path: sms, body: map[string]string{"phone": phone, "code": sent()}, want: 200})
	for range 4 {
		k.do(t, oaCall{method: "POST", path: sms, body: map[string]string{"phone": phone, "code": "000000"}, want: 401})
	}
	k.do(t, oaCall{method: "POST", path: sms, body: map[string]string{"phone": phone, "code": "000000"}, want: 429})

	consent := "/api/v1/me/consent"
	k.do(t, oaCall{as: resident, method: "POST", path: consent, body: map[string]any{"consent": consentNow}, want: 200})
	k.do(t, oaCall{as: resident, method: "POST", path: consent, body: map[string]any{"consent": map[string]string{"terms": "0.1", "privacy": "0.1"}}, want: 409})
	k.do(t, oaCall{as: resident, method: "POST", path: consent, body: map[string]any{"consent": map[string]string{}}, want: 400})
	k.do(t, oaCall{as: resident, method: "POST", path: consent, body: `{"consent": 1}`, want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "POST", path: consent, body: `{"consent": {"terms": "` + strings.Repeat("1", 2000) + `"}}`, want: 413})
	k.do(t, oaCall{as: resident, method: "POST", path: consent, body: "{}", contentType: "text/plain", want: 415, invalid: true})

	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/me/data", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/me", want: 200})

	me := "/api/v1/me"
	staff := srv.Login(t, "donghai.grid_worker")
	k.do(t, oaCall{as: staff, method: "DELETE", path: me, body: map[string]string{"password": apptest.DemoPassword}, want: 403})
	k.do(t, oaCall{as: resident, method: "DELETE", path: me, body: map[string]string{}, want: 400})
	k.do(t, oaCall{as: resident, method: "DELETE", path: me, body: map[string]string{"password": "Wrong-Passw0rd"}, want: 401})
	k.do(t, oaCall{as: resident, method: "DELETE", path: me, body: `{"pin": "1"}`, want: 400, invalid: true})
	k.do(t, oaCall{as: resident, method: "DELETE", path: me, body: `{"password": "` + strings.Repeat("x", 2000) + `"}`, want: 413, invalid: true})
	k.do(t, oaCall{as: resident, method: "DELETE", path: me, body: "{}", contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: resident, method: "DELETE", path: me, body: map[string]string{"password": apptest.DemoPassword}, want: 204})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/me/data", want: 401})
}
