package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Sign-in throttling (等保 2.0, GB/T 22239-2019 8.1.4.1 b: 登录失败处理功能，限制非法登录次数).
//
// Failures are counted per (account, client address) and per client address across usernames
// (tables in migration 00012). An attempt is counted by the one statement that admits it, before
// the password is checked, so a burst of parallel guesses cannot all read the same count: each
// gets its own number and those over the limit are not checked at all. After Policy.MaxFailures
// failures from one address the account is not locked; that address waits a delay that starts at
// FirstDelay and doubles with every further failure, up to LockFor. The right password from
// another address still works, so nobody can lock the sys_admin out by guessing.

// RetryAfter is the cause of a throttled sign-in: how long the client should wait. The handler
// turns it into the Retry-After header (RFC 9110 10.2.3).
type RetryAfter time.Duration

func (r RetryAfter) Error() string { return fmt.Sprintf("retry after %s", time.Duration(r)) }

// Seconds is the wait rounded up to whole seconds, at least 1.
func (r RetryAfter) Seconds() int {
	s := int((time.Duration(r) + time.Second - 1) / time.Second)
	return max(s, 1)
}

func throttled(wait time.Duration) error {
	r := RetryAfter(wait)
	return apperr.Wrap(r, apperr.TooMany, "auth.throttled", r.Seconds())
}

// throttleKey names the account an attempt is against: its id when it exists, else the name
// as typed, so that unknown names are throttled exactly like real ones.
func throttleKey(c credential, found bool, login string) string {
	if found {
		return c.id
	}
	return "?" + strings.ToLower(login)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// admit counts an attempt by ip against account, or refuses it with a TooMany error carrying
// RetryAfter. After admit, the caller checks the password and calls succeeded on success; a
// failure needs nothing more: it was counted here.
func (s *Service) admit(ctx context.Context, account, ip string, now time.Time) error {
	p := s.Policy
	window := ms(now.Add(-p.IPWindow))
	var ipFailures int
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.DB.TxQueryRow(ctx, tx, `INSERT INTO login_failures_by_ip (client_ip, failures, window_from_ms)
			VALUES ($1, 1, CAST($2 AS BIGINT))
			ON CONFLICT (client_ip) DO UPDATE SET
				failures = CASE WHEN login_failures_by_ip.window_from_ms <= CAST($3 AS BIGINT) THEN 1
					ELSE login_failures_by_ip.failures + 1 END,
				window_from_ms = CASE WHEN login_failures_by_ip.window_from_ms <= CAST($3 AS BIGINT) THEN CAST($2 AS BIGINT)
					ELSE login_failures_by_ip.window_from_ms END
			WHERE login_failures_by_ip.window_from_ms <= CAST($3 AS BIGINT) OR login_failures_by_ip.failures < CAST($4 AS INTEGER)
			RETURNING failures`, ip, ms(now), window, p.IPMaxFailures).Scan(&ipFailures)
	})
	if errors.Is(err, sql.ErrNoRows) {
		var from int64
		if err := s.DB.QueryRow(ctx, `SELECT window_from_ms FROM login_failures_by_ip WHERE client_ip = $1`, ip).Scan(&from); err != nil {
			return fmt.Errorf("sign-in throttle: %w", err)
		}
		return throttled(time.UnixMilli(from).Add(p.IPWindow).Sub(now))
	}
	if err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	first := int64(0)
	if p.MaxFailures <= 1 {
		first = p.FirstDelay.Milliseconds()
	}
	// The delay doubles from FirstDelay once the count reaches MaxFailures, up to LockFor. SET
	// expressions read the row as it was, so the new count is written failures + 1 throughout.
	var next int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.DB.TxQueryRow(ctx, tx, `INSERT INTO login_failures (account, client_ip, failures, delay_ms, last_at_ms)
			VALUES ($1, $2, 1, CAST($3 AS BIGINT), CAST($4 AS BIGINT))
			ON CONFLICT (account, client_ip) DO UPDATE SET
				failures = login_failures.failures + 1,
				delay_ms = CASE WHEN login_failures.failures + 1 < CAST($5 AS INTEGER) THEN 0
					WHEN login_failures.delay_ms = 0 THEN CAST($6 AS BIGINT)
					WHEN login_failures.delay_ms * 2 > CAST($7 AS BIGINT) THEN CAST($7 AS BIGINT)
					ELSE login_failures.delay_ms * 2 END,
				last_at_ms = CAST($4 AS BIGINT)
			WHERE login_failures.last_at_ms + login_failures.delay_ms <= CAST($4 AS BIGINT)
			RETURNING last_at_ms + delay_ms`, account, ip, first, ms(now), p.MaxFailures,
			p.FirstDelay.Milliseconds(), p.LockFor.Milliseconds()).Scan(&next)
	})
	if errors.Is(err, sql.ErrNoRows) {
		// Not checked, so not a failure of this address either.
		s.release(ctx, ip)
		if err := s.DB.QueryRow(ctx, `SELECT last_at_ms + delay_ms FROM login_failures WHERE account = $1 AND client_ip = $2`,
			account, ip).Scan(&next); err != nil {
			return fmt.Errorf("sign-in throttle: %w", err)
		}
		return throttled(time.UnixMilli(next).Sub(now))
	}
	if err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	return nil
}

// waitAfterFailure is the delay a failed attempt has just started (0 when none).
func (s *Service) waitAfterFailure(ctx context.Context, account, ip string, now time.Time) time.Duration {
	var next int64
	if err := s.DB.QueryRow(ctx, `SELECT last_at_ms + delay_ms FROM login_failures WHERE account = $1 AND client_ip = $2`,
		account, ip).Scan(&next); err != nil {
		return 0
	}
	return max(time.UnixMilli(next).Sub(now), 0)
}

// succeeded forgets the failures of account from ip, and gives the address its attempt back:
// the per-address limit counts failures only, so an office behind one address can sign in.
func (s *Service) succeeded(ctx context.Context, account, ip string) error {
	if _, err := s.DB.Exec(ctx, `DELETE FROM login_failures WHERE account = $1 AND client_ip = $2`, account, ip); err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	s.release(ctx, ip)
	return nil
}

// release hands back an attempt of ip that was not a failure.
func (s *Service) release(ctx context.Context, ip string) {
	s.DB.Exec(ctx, `UPDATE login_failures_by_ip SET failures = failures - 1 WHERE client_ip = $1 AND failures > 0`, ip)
}

// purgeFailures forgets failures a day after the last one, and address windows that ended.
func (s *Service) purgeFailures(ctx context.Context, now time.Time) error {
	if _, err := s.DB.Exec(ctx, `DELETE FROM login_failures WHERE last_at_ms + delay_ms < $1`, ms(now.Add(-failureMemory))); err != nil {
		return err
	}
	_, err := s.DB.Exec(ctx, `DELETE FROM login_failures_by_ip WHERE window_from_ms < $1`, ms(now.Add(-s.Policy.IPWindow)))
	return err
}

// failureMemory is how long failures of an (account, address) are remembered after the last
// one: a user who mistypes now and then never reaches the delay.
const failureMemory = 24 * time.Hour
