package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// oaMFACalls calls the second sign-in step's operations (call it from oaCalls). The demo asks no
// second factor, so the sign-in steps run on a second server configured as a real deployment
// (--mfa-required-roles), checked against the same document.
func oaMFACalls(t *testing.T, k *oaChecker) {
	clock := apptest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	srv := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Clock = clock.Now
		c.MFARequiredRoles = []string{"sec_admin"}
	})
	m := &oaChecker{srv: srv, doc: k.doc, router: k.router, http: k.http, seen: k.seen}
	var a struct{ Challenge, MFA string }
	login := map[string]string{"username": "secadmin", "password": apptest.DemoPassword}
	oaDecode(t, m.do(t, oaCall{method: "POST", path: "/api/v1/auth/login", body: login, want: 200}), &a)
	if a.MFA != "enrol" || a.Challenge == "" {
		t.Fatalf("sign-in of an account that must enrol: %+v", a)
	}
	enrol := "/api/v1/auth/mfa/enrol"
	var e struct{ Secret string }
	oaDecode(t, m.do(t, oaCall{method: "POST", path: enrol, body: map[string]string{"challenge": a.Challenge}, want: 200}), &e)
	m.do(t, oaCall{method: "POST", path: enrol, body: map[string]string{"challenge": "nothing"}, want: 401})
	m.do(t, oaCall{method: "POST", path: enrol, body: `{"challenge": 1}`, want: 400, invalid: true})
	m.do(t, oaCall{method: "POST", path: enrol, body: `{}`, contentType: "text/plain", want: 415, invalid: true})
	m.do(t, oaCall{method: "POST", path: enrol, body: `{"challenge": "` + strings.Repeat("x", 2000) + `"}`, want: 413, invalid: true})
	verify := "/api/v1/auth/mfa/verify"
	body := func(code string) map[string]string { return map[string]string{"challenge": a.Challenge, "code": code} }
	m.do(t, oaCall{method: "POST", path: verify, body: body("000000"), want: 401})
	m.do(t, oaCall{method: "POST", path: verify, body: map[string]string{"challenge": a.Challenge}, want: 400, invalid: true})
	m.do(t, oaCall{method: "POST", path: verify, body: `{"challenge": "x", "code": "1", "x": 1}`, want: 400, invalid: true})
	m.do(t, oaCall{method: "POST", path: verify, body: `{}`, contentType: "text/plain", want: 415, invalid: true})
	m.do(t, oaCall{method: "POST", path: verify, body: `{"code": "` + strings.Repeat("x", 2000) + `"}`, want: 413, invalid: true})
	code, err := totp.GenerateCode(e.Secret, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	m.do(t, oaCall{method: "POST", path: verify, body: body(code), want: 200})
	// Enrolled: the next sign-in is a verify challenge, which has no secret to show.
	oaDecode(t, m.do(t, oaCall{method: "POST", path: "/api/v1/auth/login", body: login, want: 200}), &a)
	m.do(t, oaCall{method: "POST", path: enrol, body: map[string]string{"challenge": a.Challenge}, want: 409})
	for range 4 {
		m.do(t, oaCall{method: "POST", path: verify, body: body("111111"), want: 401})
	}
	m.do(t, oaCall{method: "POST", path: verify, body: body("111111"), want: 429})

	// Resetting a second factor is the security administrator's, on the demo server.
	sec := k.srv.Login(t, "secadmin")
	var target struct{ ID string }
	k.srv.Login(t, "donghai.leader").Do("GET", "/api/v1/me", nil, &target)
	var self struct{ ID string }
	sec.Do("GET", "/api/v1/me", nil, &self)
	k.do(t, oaCall{as: sec, method: "DELETE", path: "/api/v1/users/" + target.ID + "/mfa", want: 204})
	k.do(t, oaCall{as: sec, method: "DELETE", path: "/api/v1/users/" + self.ID + "/mfa", want: 403})
	k.do(t, oaCall{as: sec, method: "DELETE", path: "/api/v1/users/00000000-0000-0000-0000-000000000000/mfa", want: 404})
	k.do(t, oaCall{method: "DELETE", path: "/api/v1/users/" + target.ID + "/mfa", want: 401})
}
