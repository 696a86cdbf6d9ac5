package app_test

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	// The live stream is text: its first event is checked as a string.
	openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.PlainBodyDecoder)
}

// oaNotifyCalls calls the notifications' operations (call it from oaCalls, after oaCaseCalls:
// the reporter has been told of their case's progress).
func oaNotifyCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	resident := srv.Login(t, "resident1")
	sys := srv.Login(t, "sysadmin")
	var list struct {
		Notifications []struct {
			ID string `json:"id"`
		} `json:"notifications"`
		Unread int `json:"unread"`
	}
	oaDecode(t, k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/notifications", want: 200}), &list)
	if len(list.Notifications) < 2 || list.Unread != len(list.Notifications) {
		t.Fatalf("the reporter's notifications: %+v", list)
	}
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/notifications", want: 200})
	read := "/api/v1/notifications/" + list.Notifications[0].ID + "/read"
	k.do(t, oaCall{as: sys, method: "POST", path: read, want: 404})
	k.do(t, oaCall{as: resident, method: "POST", path: read, want: 204})
	k.do(t, oaCall{as: resident, method: "POST", path: read, want: 404})
	k.do(t, oaCall{as: resident, method: "POST", path: "/api/v1/notifications/all/read", want: 204})
	oaDecode(t, k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/notifications", want: 200}), &list)
	if list.Unread != 0 {
		t.Errorf("unread after marking all read: %d", list.Unread)
	}

	// The live stream: its first event, then hang up.
	first := k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/stream", want: 200, stream: true})
	if !strings.HasPrefix(string(first), "retry: ") {
		t.Errorf("the stream starts with %q", first)
	}
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/stream", want: 200, stream: true})
}
