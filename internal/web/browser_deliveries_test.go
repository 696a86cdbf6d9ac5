package web_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// TestBrowserDeliveries: an SMS the gateway never took is listed, masked, on the district
// sys_admin's deliveries page; sending it again after confirming puts it back in the queue.
func TestBrowserDeliveries(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	a := s.App
	ctx := context.Background()
	at := a.Now().UTC()
	ev := notify.Event{Type: "case.close", Object: access.Object{Kind: "case", ID: "browser-delivery", Path: "/350503/"},
		Notices: []notify.Notice{{Template: "notify.case.close", Params: []string{"TEST-1", "路灯不亮"},
			Audience: notify.Audience{Phones: []string{a.Users.Vault.Seal("13912345678")}}}}}
	if err := a.DB.Tx(ctx, func(tx *sql.Tx) error { return a.Notify.Outbox.Record(ctx, tx, at, ev) }); err != nil {
		t.Fatal(err)
	}
	// The SMS gateway is unreachable: without its channel every attempt fails, until it gives up.
	sms := a.Deliverer.Channels["sms"]
	delete(a.Deliverer.Channels, "sms")
	for i, now := 0, at; i < a.Deliverer.MaxAttempts; i++ {
		now = now.Add(2 * time.Hour)
		if _, _, err := a.Deliverer.Run(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	a.Deliverer.Channels["sms"] = sms

	b := startBrowser(t, s.URL)
	tb := b.tab(t, 1366, 900)
	tb.login("sysadmin", apptest.DemoPassword)
	tb.do(chromedp.Click(chromedp.CSS(`#nav a[href="/deliveries"]`)), chromedp.WaitVisible(chromedp.CSS("#deliveries-table")))
	tb.waitFor(`document.querySelector('#deliveries-table tr[data-state="failed"]')`)
	tb.shot("deliveries")
	row := tb.text(`#deliveries-table tr[data-state="failed"]`)
	if !strings.Contains(row, "139****5678") || strings.Contains(row, "13912345678") || !strings.Contains(row, "case.close") ||
		!strings.Contains(row, "no sms channel") {
		t.Errorf("failed row %q", row)
	}
	tb.do(chromedp.Click(chromedp.CSS(`#deliveries-table tr[data-state="failed"] .retry-button`)),
		chromedp.WaitVisible(chromedp.CSS("#confirm-yes")), chromedp.Click(chromedp.CSS("#confirm-yes")))
	tb.waitFor(`document.querySelector('#deliveries-table tr[data-state="pending"]')`)
	var status string
	if err := a.DB.Read.QueryRow(`SELECT status FROM outbox_deliveries`).Scan(&status); err != nil || status != "pending" {
		t.Fatalf("after retry the delivery is %q (%v)", status, err)
	}
}
