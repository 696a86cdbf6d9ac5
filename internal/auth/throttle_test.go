package auth_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// loginFrom signs in through a trusted proxy that says the client is ip; it returns the status,
// the Retry-After header and the body.
func loginFrom(t *testing.T, srv *apptest.Server, ip, user, pw string) (int, string, string) {
	t.Helper()
	body := `{"username":"` + user + `","password":"` + pw + `"}`
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), b.String()
}

func startBehindProxy(t *testing.T, engine db.Engine) (*apptest.Server, *apptest.Clock) {
	clock := apptest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	return apptest.StartWith(t, engine, func(c *app.Config) { c.Clock = clock.Now; c.TrustProxy = true }), clock
}

// wrongPasswordChecks counts the password verifications that failed for username: each one
// leaves a denied "wrong password" record in the audit log.
func wrongPasswordChecks(t *testing.T, srv *apptest.Server, username string) int {
	t.Helper()
	var n int
	err := srv.App.DB.Read.QueryRow(`SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.object_id
		WHERE u.username = $1 AND a.action = 'auth.login' AND a.after_summary LIKE 'wrong password%'`, username).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The attack: the failure counter was read, then written, so a burst of parallel guesses
// got 123–143 password checks through a 5-try limit. Now the attempt is counted in the same
// statement that admits it.
func TestParallelGuessesGetNoMoreThanTheLimit(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, _ := startBehindProxy(t, engine)
			const burst = 40
			statuses := make([]int, burst)
			retry := make([]string, burst)
			var wg sync.WaitGroup
			for i := range burst {
				wg.Go(func() {
					statuses[i], retry[i], _ = loginFrom(t, srv, "203.0.113.9", "donghai.leader", "Wrong-passw0rd")
				})
			}
			wg.Wait()
			n := wrongPasswordChecks(t, srv, "donghai.leader")
			if n > app.Defaults().MaxFailures || n == 0 {
				t.Fatalf("%d password checks got through a limit of %d", n, app.Defaults().MaxFailures)
			}
			t.Logf("%d parallel guesses: %d passwords checked", burst, n)
			throttled := 0
			for i, s := range statuses {
				switch s {
				case http.StatusUnauthorized:
				case http.StatusTooManyRequests:
					throttled++
					if secs, err := strconv.Atoi(retry[i]); err != nil || secs < 1 {
						t.Errorf("429 without a usable Retry-After: %q", retry[i])
					}
				default:
					t.Errorf("status %d in the burst", s)
				}
			}
			if throttled < burst-app.Defaults().MaxFailures {
				t.Errorf("only %d of %d answered 429", throttled, burst)
			}
		})
	}
}

// Anyone could lock the sys_admin out with five wrong passwords. Now the delay binds the
// attacker's client only: the sys_admin signs in from another address during the attack.
func TestAttackerCannotLockOutTheSysAdmin(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv, clock := startBehindProxy(t, engine)
			const attacker, office = "203.0.113.9", "198.51.100.7"
			for range 8 {
				loginFrom(t, srv, attacker, "sysadmin", "Wrong-passw0rd")
			}
			// While the delay runs, even the right password is not checked for the attacker.
			s, retry, body := loginFrom(t, srv, attacker, "sysadmin", apptest.DemoPassword)
			if s != http.StatusTooManyRequests || retry == "" || !strings.Contains(body, "auth.throttled") {
				t.Fatalf("attacker during the delay: %d %q %s", s, retry, body)
			}
			if s, _, body := loginFrom(t, srv, office, "sysadmin", apptest.DemoPassword); s != http.StatusOK {
				t.Fatalf("sys_admin from the office during the attack: %d %s", s, body)
			}
			// The delay grows: once it has run out, one more guess, then a longer wait.
			secs, _ := strconv.Atoi(retry)
			clock.Advance(time.Duration(secs) * time.Second)
			if s, _, _ := loginFrom(t, srv, attacker, "sysadmin", "Wrong-passw0rd"); s != http.StatusTooManyRequests {
				t.Fatalf("guess after the delay: %d, want 429 announcing the next delay", s)
			}
			_, next, _ := loginFrom(t, srv, attacker, "sysadmin", "Wrong-passw0rd")
			if n, _ := strconv.Atoi(next); n <= secs {
				t.Fatalf("delay did not grow: %s then %s seconds", retry, next)
			}
		})
	}
}

// Spraying one password over many usernames from one address meets the per-address limit.
func TestOneAddressIsLimitedAcrossUsernames(t *testing.T) {
	srv, clock := startBehindProxy(t, db.SQLite)
	const sprayer = "203.0.113.50"
	refused := -1
	for i := range 30 {
		s, retry, _ := loginFrom(t, srv, sprayer, "user"+strconv.Itoa(i), "Spring-2026!")
		if s == http.StatusTooManyRequests {
			if retry == "" {
				t.Fatal("429 without Retry-After")
			}
			refused = i
			break
		}
	}
	if refused < 5 || refused > 20 {
		t.Fatalf("the address was refused after %d usernames, want the per-address limit (20)", refused)
	}
	// Another address is not affected, and the sprayer's window ends.
	if s, _, _ := loginFrom(t, srv, "198.51.100.7", "secadmin", apptest.DemoPassword); s != 200 {
		t.Fatalf("another address: %d", s)
	}
	clock.Advance(16 * time.Minute)
	if s, _, _ := loginFrom(t, srv, sprayer, "secadmin", apptest.DemoPassword); s != 200 {
		t.Fatalf("after the window: %d", s)
	}
}

// Behind a trusted proxy that appends to X-Forwarded-For, the client writes the left part of the
// header itself: rotating it must not make a new client of the same attacker.
func TestSpoofedForwardedForDoesNotEscapeTheDelay(t *testing.T) {
	srv, _ := startBehindProxy(t, db.SQLite)
	statuses := map[int]int{}
	for i := range 12 {
		s, _, _ := loginFrom(t, srv, "10.9.9."+strconv.Itoa(i)+", 203.0.113.9", "sysadmin", "Wrong-passw0rd")
		statuses[s]++
	}
	if n := wrongPasswordChecks(t, srv, "sysadmin"); n > app.Defaults().MaxFailures {
		t.Fatalf("%d password checks with a rotated X-Forwarded-For (statuses %v)", n, statuses)
	}
}

// Failures are forgotten a day after the last one (with the periodic session purge), so that a
// user who mistypes now and then never reaches the delay, and the tables do not grow.
func TestOldFailuresArePurged(t *testing.T) {
	srv, clock := startBehindProxy(t, db.SQLite)
	for range 3 {
		loginFrom(t, srv, "203.0.113.9", "donghai.leader", "Wrong-passw0rd")
	}
	rows := func() (n int) {
		srv.App.DB.Read.QueryRow(`SELECT (SELECT count(*) FROM login_failures) + (SELECT count(*) FROM login_failures_by_ip)`).Scan(&n)
		return n
	}
	ctx := t.Context()
	if srv.App.Auth.PurgeSessions(ctx); rows() != 2 {
		t.Fatalf("fresh failures purged: %d rows", rows())
	}
	clock.Advance(25 * time.Hour)
	if _, err := srv.App.Auth.PurgeSessions(ctx); err != nil || rows() != 0 {
		t.Fatalf("day-old failures kept: %d rows, %v", rows(), err)
	}
}
