package app_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// The phone number and WeChat open ID of the failed deliveries the tests make.
const (
	deliveryPhone  = "13912345678"
	deliveryOpenID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
)

var (
	failedDeliveriesMu sync.Mutex
	failedDeliveries   = map[*apptest.Server]string{}
)

// failedDelivery makes, once per server, a WeChat delivery that fails for good, through the real
// path: an event about a case of 城东街道 asks for an SMS and a WeChat message, and the delivery
// job tries until it gives up (the test servers have no WeChat channel). It returns its ID.
func failedDelivery(t *testing.T, srv *apptest.Server) string {
	t.Helper()
	failedDeliveriesMu.Lock()
	defer failedDeliveriesMu.Unlock()
	if id, ok := failedDeliveries[srv]; ok {
		return id
	}
	ctx := context.Background()
	a := srv.App
	at := a.Now().UTC()
	ev := notify.Event{Type: "case.close", Object: access.Object{Kind: "case", ID: "delivery-scope", Path: "/350503/" + other + "/" + otherComm + "/"},
		Notices: []notify.Notice{{Template: "notify.case.close", Params: []string{"TEST-1", "城东井盖缺失"},
			Audience: notify.Audience{Phones: []string{a.Users.Vault.Seal(deliveryPhone)}, WeChat: []string{deliveryOpenID}}}}}
	if err := a.DB.Tx(ctx, func(tx *sql.Tx) error { return a.Notify.Outbox.Record(ctx, tx, at, ev) }); err != nil {
		t.Fatal(err)
	}
	now := at
	for range a.Deliverer.MaxAttempts {
		now = now.Add(2 * time.Hour) // past the longest backoff
		if _, _, err := a.Deliverer.Run(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	var id string
	if err := a.DB.Read.QueryRowContext(ctx, `SELECT id FROM outbox_deliveries WHERE channel = 'wechat' AND status = 'failed'
		AND recipient = $1`, deliveryOpenID).Scan(&id); err != nil {
		t.Fatalf("no failed delivery: %v", err)
	}
	failedDeliveries[srv] = id
	return id
}

// Scope scenarios of the outside deliveries: only a sys_admin held at the district node lists
// them or sends one again. Every other role — and a sys_admin, sec_admin or audit_admin held at a
// subdistrict — is refused and learns nothing; a refused retry changes nothing.
func init() {
	subAdmins := func(f *fixture) []*apptest.Client { return []*apptest.Client{f.subSys, f.subSec, f.subAudit} }
	refused := func(t *testing.T, f *fixture, method, path, id string) {
		t.Helper()
		expectStatus(t, f, except("sysadmin"), method, path, nil, 403)
		for _, name := range except("sysadmin") {
			if _, b := raw(t, f.clients[name], method, path, nil); strings.Contains(b, id) || showsPhone(b) {
				t.Errorf("%s %s as %s shows a delivery: %.200s", method, path, name, b)
			}
		}
		for _, c := range subAdmins(f) {
			if s, b := raw(t, c, method, path, nil); s != 403 || strings.Contains(b, id) {
				t.Errorf("%s %s as %s: %d %.200s", method, path, c.Username, s, b)
			}
		}
		if s, b := raw(t, f.subSys, method, path, nil); !strings.Contains(b, "notify.district_only") {
			t.Errorf("subdistrict sys_admin: %d %.200s", s, b)
		}
	}
	audited := func(f *fixture) int {
		var records struct {
			Records []any `json:"records"`
		}
		f.clients["auditadmin"].Do("GET", "/api/v1/audit?action=delivery.retry", nil, &records)
		return len(records.Records)
	}
	scenarios = append(scenarios,
		scenario{route: "GET /api/v1/deliveries", check: func(t *testing.T, f *fixture) {
			id := failedDelivery(t, f.srv)
			refused(t, f, "GET", "/api/v1/deliveries?status=failed", id)
			s, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/deliveries?status=failed&channel=wechat", nil)
			if s != 200 || !strings.Contains(b, id) || !strings.Contains(b, `"recipient":"****fL2M"`) || strings.Contains(b, deliveryOpenID) {
				t.Errorf("district sys_admin's list: %d %.300s", s, b)
			}
			s, b = raw(t, f.clients["sysadmin"], "GET", "/api/v1/deliveries?channel=sms&limit=200", nil)
			if s != 200 || !strings.Contains(b, "139****5678") || strings.Contains(b, deliveryPhone) || strings.Contains(b, "井盖") {
				t.Errorf("the SMS of the list are not masked: %d %.300s", s, b)
			}
		}},
		scenario{route: "POST /api/v1/deliveries/{id}/retry", check: func(t *testing.T, f *fixture) {
			id := failedDelivery(t, f.srv)
			before := audited(f)
			refused(t, f, "POST", "/api/v1/deliveries/"+id+"/retry", id)
			// Refused, so still failed, and nothing was audited.
			if _, b := raw(t, f.clients["sysadmin"], "GET", "/api/v1/deliveries?status=failed", nil); !strings.Contains(b, id) {
				t.Errorf("a refused retry changed the delivery: %.300s", b)
			}
			if n := audited(f); n != before {
				t.Errorf("refused retries wrote %d audit records", n-before)
			}
			if s, b := raw(t, f.clients["sysadmin"], "POST", "/api/v1/deliveries/"+id+"/retry", nil); s != 200 || !strings.Contains(b, `"status":"pending"`) {
				t.Errorf("district sys_admin retries: %d %.200s", s, b)
			}
			if n := audited(f); n != before+1 {
				t.Errorf("audit records of delivery.retry: %d, want %d", n, before+1)
			}
		}},
	)
}
