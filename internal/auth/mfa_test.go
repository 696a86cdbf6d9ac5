package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// startMFA starts the demo district as a real deployment would run it: the administrators and
// leaders must sign in with a second factor (等保 2.0 level 3, 双因素鉴别).
func startMFA(t *testing.T, engine db.Engine) (*apptest.Server, *apptest.Clock) {
	clock := apptest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	srv := apptest.StartWith(t, engine, func(c *app.Config) {
		c.Clock = clock.Now
		c.MFARequiredRoles = []string{"sys_admin", "sec_admin", "audit_admin", "leader"}
	})
	return srv, clock
}

// mfaAnswer is the sign-in answer: a session, or the second step still to take.
type mfaAnswer struct {
	Token         string   `json:"token"`
	MFA           string   `json:"mfa"`
	Challenge     string   `json:"challenge"`
	RecoveryCodes []string `json:"recovery_codes"`
	Must          bool     `json:"must_change_password"`
}

type enrolment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
	QR     string `json:"qr"`
}

func passwordStep(t *testing.T, srv *apptest.Server, username string) mfaAnswer {
	t.Helper()
	var a mfaAnswer
	if st := srv.Anonymous(t).Do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": apptest.DemoPassword}, &a); st != 200 {
		t.Fatalf("password step of %s: %d", username, st)
	}
	if a.Token != "" || a.Challenge == "" {
		t.Fatalf("%s: the password alone opened a session (mfa %q)", username, a.MFA)
	}
	return a
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verify(srv *apptest.Server, t *testing.T, challenge, c string) (int, mfaAnswer, string) {
	var a mfaAnswer
	st, raw := srv.Anonymous(t).Raw("POST", "/api/v1/auth/mfa/verify", map[string]string{"challenge": challenge, "code": c})
	if st == 200 {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
	}
	return st, a, string(raw)
}

// enrol takes username through enrolment and returns a signed-in client, its secret and its
// recovery codes.
func enrol(t *testing.T, srv *apptest.Server, clock *apptest.Clock, username string) (*apptest.Client, string, []string) {
	t.Helper()
	a := passwordStep(t, srv, username)
	if a.MFA != "enrol" {
		t.Fatalf("%s: want enrolment, got %q", username, a.MFA)
	}
	var e enrolment
	if st := srv.Anonymous(t).Do("POST", "/api/v1/auth/mfa/enrol", map[string]string{"challenge": a.Challenge}, &e); st != 200 || e.Secret == "" {
		t.Fatalf("enrol %s: %d", username, st)
	}
	st, done, raw := verify(srv, t, a.Challenge, code(t, e.Secret, clock.Now()))
	if st != 200 || done.Token == "" || len(done.RecoveryCodes) != 10 {
		t.Fatalf("confirm enrolment of %s: %d %s", username, st, raw)
	}
	clock.Advance(30 * time.Second) // the next sign-in needs the next code
	return &apptest.Client{T: t, Base: srv.URL, Token: done.Token, Username: username, HTTP: &http.Client{}}, e.Secret, done.RecoveryCodes
}

func TestSecondFactorEnrolVerifyReplayRecovery(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, clock := startMFA(t, engine)
			// The password alone gives no session: the challenge is no bearer token.
			a := passwordStep(t, srv, "donghai.leader")
			if a.MFA != "enrol" {
				t.Fatalf("leader without a second factor: want enrolment, got %q", a.MFA)
			}
			as := &apptest.Client{T: t, Base: srv.URL, Token: a.Challenge, HTTP: &http.Client{}}
			if st := as.Do("GET", "/api/v1/cases", nil, nil); st != 401 {
				t.Fatalf("the challenge reached the cases: %d", st)
			}
			// Enrolment: a secret, its otpauth URL and a QR code drawn by the server.
			var e enrolment
			if st := srv.Anonymous(t).Do("POST", "/api/v1/auth/mfa/enrol", map[string]string{"challenge": a.Challenge}, &e); st != 200 {
				t.Fatalf("enrol: %d", st)
			}
			img, ok := strings.CutPrefix(e.QR, "data:image/png;base64,")
			raw, err := base64.StdEncoding.DecodeString(img)
			if !ok || err != nil || !strings.HasPrefix(e.URL, "otpauth://totp/") || !strings.Contains(e.URL, "secret="+e.Secret) {
				t.Fatalf("enrolment: %+v", e)
			}
			if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
				t.Fatalf("QR is no PNG: %v", err)
			}
			// A wrong code is refused and counted in the audit log.
			if st, _, body := verify(srv, t, a.Challenge, "000000"); st != 401 || !strings.Contains(body, "auth.mfa_wrong_code") {
				t.Fatalf("wrong code: %d %s", st, body)
			}
			st, done, body := verify(srv, t, a.Challenge, code(t, e.Secret, clock.Now()))
			if st != 200 || done.Token == "" || len(done.RecoveryCodes) != 10 {
				t.Fatalf("right code: %d %s", st, body)
			}
			leader := &apptest.Client{T: t, Base: srv.URL, Token: done.Token, HTTP: &http.Client{}}
			if st := leader.Do("GET", "/api/v1/cases", nil, nil); st != 200 {
				t.Fatalf("after enrolment: %d", st)
			}
			// The challenge was used up.
			if st, _, _ := verify(srv, t, a.Challenge, code(t, e.Secret, clock.Now())); st != 401 {
				t.Fatalf("challenge used twice: %d", st)
			}
			// Enrolled: the next sign-in asks for a code; the code just used is refused (replay).
			again := passwordStep(t, srv, "donghai.leader")
			if again.MFA != "verify" {
				t.Fatalf("enrolled leader: want verify, got %q", again.MFA)
			}
			if st, _, body := verify(srv, t, again.Challenge, code(t, e.Secret, clock.Now())); st != 401 || !strings.Contains(body, "auth.mfa_wrong_code") {
				t.Fatalf("replayed code: %d %s", st, body)
			}
			clock.Advance(30 * time.Second)
			if st, _, body := verify(srv, t, again.Challenge, code(t, e.Secret, clock.Now())); st != 200 {
				t.Fatalf("next step's code: %d %s", st, body)
			}
			// A recovery code works once.
			r := passwordStep(t, srv, "donghai.leader")
			if st, done, body := verify(srv, t, r.Challenge, done.RecoveryCodes[3]); st != 200 || done.Token == "" {
				t.Fatalf("recovery code: %d %s", st, body)
			}
			r = passwordStep(t, srv, "donghai.leader")
			if st, _, _ := verify(srv, t, r.Challenge, done.RecoveryCodes[3]); st != 401 {
				t.Fatalf("recovery code used twice: %d", st)
			}
			// A challenge lasts five minutes.
			clock.Advance(6 * time.Minute)
			if st, _, body := verify(srv, t, r.Challenge, code(t, e.Secret, clock.Now())); st != 401 || !strings.Contains(body, "auth.mfa_challenge_expired") {
				t.Fatalf("expired challenge: %d %s", st, body)
			}
			// Wrong codes are counted like wrong passwords (throttle.go): the fifth starts a delay,
			// and the right password again does not clear it.
			clock.Advance(time.Minute)
			r = passwordStep(t, srv, "donghai.leader")
			var last int
			for range 5 {
				last, _, _ = verify(srv, t, r.Challenge, "123456")
			}
			if last != http.StatusTooManyRequests {
				t.Fatalf("fifth wrong code: %d", last)
			}
			r = passwordStep(t, srv, "donghai.leader")
			if st, _, body := verify(srv, t, r.Challenge, code(t, e.Secret, clock.Now())); st != http.StatusTooManyRequests {
				t.Fatalf("a new password step reset the count of wrong codes: %d %s", st, body)
			}
			clock.Advance(2 * time.Second)
			if st, _, body := verify(srv, t, r.Challenge, code(t, e.Secret, clock.Now())); st != 200 {
				t.Fatalf("after the delay: %d %s", st, body)
			}
			// Everything is in the audit log.
			auditor, _, _ := enrol(t, srv, clock, "auditadmin")
			var recs struct {
				Records []struct{ Action, Result string } `json:"records"`
			}
			auditor.Do("GET", "/api/v1/audit?action=auth.&limit=500", nil, &recs)
			denied, enrolled := 0, 0
			for _, rec := range recs.Records {
				if rec.Action == "auth.mfa" && rec.Result == "denied" {
					denied++
				}
				if rec.Action == "auth.mfa_enrol" {
					enrolled++
				}
			}
			if denied < 8 || enrolled != 2 {
				t.Fatalf("audit: %d denied, %d enrolments: %+v", denied, enrolled, recs.Records)
			}
		})
	}
}

func TestSecAdminResetsSecondFactor(t *testing.T) {
	srv, clock := startMFA(t, db.SQLite)
	sec, _, _ := enrol(t, srv, clock, "secadmin")
	leader, _, _ := enrol(t, srv, clock, "donghai.leader")
	var me struct{ ID string }
	leader.Do("GET", "/api/v1/me", nil, &me)
	// Nobody resets their own second factor; only a security administrator resets another's.
	var secMe struct{ ID string }
	sec.Do("GET", "/api/v1/me", nil, &secMe)
	if st := sec.Do("DELETE", "/api/v1/users/"+secMe.ID+"/mfa", nil, nil); st != 403 {
		t.Fatalf("own reset: %d", st)
	}
	sys, _, _ := enrol(t, srv, clock, "sysadmin")
	if st := sys.Do("DELETE", "/api/v1/users/"+me.ID+"/mfa", nil, nil); st != 403 {
		t.Fatalf("sys_admin reset: %d", st)
	}
	// A sec_admin does not reset another administrator's credentials: with a password of their
	// choosing they would sign in as the auditor and hold two duties. The operator's CLI does.
	var sysMe struct{ ID string }
	sys.Do("GET", "/api/v1/me", nil, &sysMe)
	if st := sec.Do("DELETE", "/api/v1/users/"+sysMe.ID+"/mfa", nil, nil); st != 403 {
		t.Fatalf("sec_admin reset a sys_admin's second factor: %d", st)
	}
	if st, raw := sec.Raw("POST", "/api/v1/users/"+sysMe.ID+"/password", map[string]string{"password": "Fresh-Take0ver-Pw"}); st != 403 ||
		!strings.Contains(string(raw), "user.admin_credentials") {
		t.Fatalf("sec_admin reset a sys_admin's password: %d %s", st, raw)
	}
	if err := srv.App.Users.ResetSecondFactor(access.WithPrincipal(context.Background(), access.SystemPrincipal("operator")), sysMe.ID); err != nil {
		t.Fatalf("the operator's reset: %v", err)
	}
	if st := sec.Do("DELETE", "/api/v1/users/"+me.ID+"/mfa", nil, nil); st != 204 {
		t.Fatalf("reset: %d", st)
	}
	// The reset ends the sessions and the next sign-in enrols again.
	if st := leader.Do("GET", "/api/v1/cases", nil, nil); st != 401 {
		t.Fatalf("session after reset: %d", st)
	}
	if a := passwordStep(t, srv, "donghai.leader"); a.MFA != "enrol" {
		t.Fatalf("after reset: %q", a.MFA)
	}
	auditor, _, _ := enrol(t, srv, clock, "auditadmin")
	var recs struct {
		Records []struct {
			ActorName string `json:"actor_name"`
		} `json:"records"`
	}
	auditor.Do("GET", "/api/v1/audit?action=user.mfa_reset&object_id="+me.ID, nil, &recs)
	if len(recs.Records) != 1 || recs.Records[0].ActorName != "secadmin" {
		t.Fatalf("reset audited: %+v", recs.Records)
	}
}

// The demo keeps its one-command start: apptest runs as --demo does, and its accounts sign in
// with the password alone; a role outside the list is never asked for a code.
func TestDemoAndOtherRolesSignInWithPassword(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	for _, name := range []string{"sysadmin", "secadmin", "auditadmin", "donghai.leader"} {
		srv.Login(t, name)
	}
	mfa, _ := startMFA(t, db.SQLite)
	mfa.Login(t, "donghai.grid_worker")
}

// A first password chosen by an administrator must be changed before anything else.
func TestFirstSignInForcesPasswordChange(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	sec := srv.Login(t, "secadmin")
	if st := sec.Do("POST", "/api/v1/users", map[string]any{"username": "first.login", "display_name": "新人",
		"password": "Initial-Passw0rd", "roles": []map[string]string{{"role": "grid_worker", "org_code": "350503001001"}}}, nil); st != 201 {
		t.Fatalf("create: %d", st)
	}
	var a mfaAnswer
	anon := srv.Anonymous(t)
	anon.Do("POST", "/api/v1/auth/login", map[string]string{"username": "first.login", "password": "Initial-Passw0rd"}, &a)
	if !a.Must || a.Token == "" {
		t.Fatalf("first sign-in: %+v", a)
	}
	c := &apptest.Client{T: t, Base: srv.URL, Token: a.Token, HTTP: &http.Client{}}
	if st, raw := c.Raw("GET", "/api/v1/cases", nil); st != 403 || !strings.Contains(string(raw), "auth.must_change_password") {
		t.Fatalf("before the change: %d %s", st, raw)
	}
	if st := c.Do("POST", "/api/v1/me/password", map[string]string{"old_password": "Initial-Passw0rd", "new_password": "Chosen-Passw0rd"}, nil); st != 204 {
		t.Fatalf("change: %d", st)
	}
	if st := c.Do("GET", "/api/v1/cases", nil, nil); st != 200 {
		t.Fatalf("after the change: %d", st)
	}
}
