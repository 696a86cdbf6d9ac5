package app_test

import (
	"strings"
	"testing"
)

// oaCalendarCalls calls the work calendar's operations (call it from oaCalls).
func oaCalendarCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	sys := srv.Login(t, "sysadmin")
	resident := srv.Login(t, "resident1")
	sec := srv.Login(t, "secadmin")
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/calendar/2027", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/calendar/1999", want: 400, invalid: true})
	year := k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/calendar/2026", want: 200})
	k.do(t, oaCall{as: sec, method: "PUT", path: "/api/v1/calendar/2026", body: year, want: 403})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/calendar/2026", body: year, want: 200})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/calendar/2027", body: year, want: 400})
	bad := strings.Replace(string(year), `"2026-10-01"`, `"2026-10-32"`, 1)
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/calendar/2026", body: bad, want: 400})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/calendar/2026", body: `{"year": 2026, "x": 1}`, want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/calendar/2026", body: `{"year": 2026}`, contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: sys, method: "PUT", path: "/api/v1/calendar/2026", body: `{"year": 2026, "source": "` + strings.Repeat("x", 300<<10) + `"}`, want: 413, invalid: true})
	check := "/api/v1/calendar/2026/check?start=2026-09-30T03:00:00Z&unit=days&value="
	k.do(t, oaCall{as: resident, method: "GET", path: check + "1", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: check + "0", want: 200})
	k.do(t, oaCall{as: resident, method: "GET", path: check + "5000", want: 400})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/calendar/2026/check?start=2025-01-01T00:00:00Z&unit=hours&value=1", want: 400})
}
