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

	oaDeliveryCalls(t, k)
}

// oaDeliveryCalls calls the outside deliveries' operations: the list (filters, pages, refusals)
// and the retry of a failed delivery.
func oaDeliveryCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	sys := srv.Login(t, "sysadmin")
	resident := srv.Login(t, "resident1")
	failed := failedDelivery(t, srv)
	var page struct {
		Deliveries []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"deliveries"`
		NextCursor string `json:"next_cursor"`
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/deliveries?status=failed&channel=wechat", want: 200}), &page)
	if len(page.Deliveries) != 1 || page.Deliveries[0].ID != failed {
		t.Errorf("failed WeChat deliveries: %+v", page)
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/deliveries?limit=1", want: 200}), &page)
	if len(page.Deliveries) != 1 || page.NextCursor == "" {
		t.Fatalf("a page of 1: %+v", page)
	}
	next := page.Deliveries[0].ID
	oaDecode(t, k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/deliveries?limit=1&cursor=" + page.NextCursor, want: 200}), &page)
	if len(page.Deliveries) != 1 || page.Deliveries[0].ID == next {
		t.Errorf("the next page: %+v", page)
	}
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/deliveries?status=lost", want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/deliveries?limit=0", want: 400, invalid: true})
	k.do(t, oaCall{as: sys, method: "GET", path: "/api/v1/deliveries?cursor=not-a-cursor", want: 400})
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/deliveries", want: 403})

	retry := "/api/v1/deliveries/" + failed + "/retry"
	k.do(t, oaCall{as: resident, method: "POST", path: retry, want: 403})
	k.do(t, oaCall{as: sys, method: "POST", path: "/api/v1/deliveries/0190a0a0-0000-7000-8000-000000000000/retry", want: 404})
	var d struct {
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "POST", path: retry, want: 200}), &d)
	if d.Status != "pending" || d.Attempts != 0 {
		t.Errorf("the retried delivery: %+v", d)
	}
	k.do(t, oaCall{as: sys, method: "POST", path: retry, want: 409})
}
