package notify_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

func TestMaskOpenID(t *testing.T) {
	for in, want := range map[string]string{"o6_bmjrPTlm6_2sgVt7hMZOPfL2M": "****fL2M", "abcd": "****", "": "****", "微信用户号码": "****用户号码"} {
		if got := notify.MaskOpenID(in); got != want {
			t.Errorf("MaskOpenID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeliveryFilterFrom(t *testing.T) {
	for _, tc := range []struct {
		query map[string][]string
		ok    bool
	}{
		{map[string][]string{}, true},
		{map[string][]string{"status": {"failed"}, "channel": {"wechat"}, "limit": {"200"}}, true},
		{map[string][]string{"status": {"lost"}}, false},
		{map[string][]string{"channel": {"email"}}, false},
		{map[string][]string{"limit": {"0"}}, false},
		{map[string][]string{"limit": {"201"}}, false},
		{map[string][]string{"limit": {"ten"}}, false},
	} {
		f, err := notify.DeliveryFilterFrom(tc.query)
		if err == nil {
			err = f.Check()
		}
		if (err == nil) != tc.ok || err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%v: %v", tc.query, err)
		}
	}
}

// The district's sys_admin sees every delivery, masked, newest first and a page at a time, and
// sends a failed one again (audited); nobody else sees any, a subdistrict's sys_admin included.
func TestDeliveries(t *testing.T) {
	catalog := i18n.MustLoad()
	vault, err := pii.NewVault([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	// as is a caller holding role at the node code (a district or subdistrict).
	as := func(role access.Role, code string) context.Context {
		path := "/350503/"
		if code != "350503" {
			path += code + "/"
		}
		return access.WithPrincipal(context.Background(), &access.Principal{UserID: "u-" + string(role), Username: string(role) + "@" + code,
			Grants: []access.Grant{{Role: role, OrgCode: code, OrgPath: path}}})
	}
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t, engine)
			box := notify.NewOutbox(d, nil, catalog)
			at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
			// Five events a minute apart; each asks for an SMS and a WeChat message.
			for i := range 5 {
				ev := notify.Event{Type: "case.close", Object: access.Object{Kind: "case", ID: fmt.Sprintf("case-%d", i), Path: "/350503/"},
					Notices: []notify.Notice{{Template: "notify.case.close", Params: []string{fmt.Sprintf("N%d", i), "王先生反映的井盖"},
						Audience: notify.Audience{Phones: []string{vault.Seal(fmt.Sprintf("1391234567%d", i))}, WeChat: []string{fmt.Sprintf("o6_bmjrPTlm6_2sgVt7hMZOPfL2%d", i)}}}}}
				if err := d.Tx(ctx, func(tx *sql.Tx) error { return box.Record(ctx, tx, at.Add(time.Duration(i)*time.Minute), ev) }); err != nil {
					t.Fatal(err)
				}
			}
			// SMS gets through; WeChat is not configured, so every WeChat delivery fails for good.
			sms := &flaky{}
			del := notify.NewDeliverer(d, catalog, map[string]notify.Channel{"sms": sms}, nil)
			del.MaxAttempts = 2
			now := at.Add(10 * time.Minute)
			for range 2 {
				if _, _, err := del.Run(ctx, now); err != nil {
					t.Fatal(err)
				}
				now = now.Add(time.Hour)
			}
			s := &notify.Deliveries{DB: d, Vault: vault, Now: func() time.Time { return now }}
			admin := as(access.SysAdmin, "350503")

			page, err := s.List(admin, notify.DeliveryFilter{})
			if err != nil || len(page.Deliveries) != 10 || page.NextCursor != "" {
				t.Fatalf("all deliveries: %d, cursor %q, %v", len(page.Deliveries), page.NextCursor, err)
			}
			first := page.Deliveries[0]
			if first.ObjectID != "case-4" || first.EventType != "case.close" || first.ObjectKind != "case" || first.Template != "notify.case.close" {
				t.Errorf("newest first, with its event: %+v", first)
			}
			for _, r := range page.Deliveries {
				switch r.Channel {
				case "sms":
					if r.Status != notify.DeliverySent || r.SentAt == nil || r.Attempts != 1 || !strings.HasPrefix(r.Recipient, "139****567") {
						t.Errorf("sms delivery: %+v", r)
					}
				case "wechat":
					if r.Status != notify.DeliveryFailed || r.Attempts != 2 || !strings.Contains(r.LastError, "no wechat channel") ||
						!strings.HasPrefix(r.Recipient, "****fL2") || len(r.Recipient) != 8 {
						t.Errorf("wechat delivery: %+v", r)
					}
				}
				// Nothing personal: no number, no open ID, no text of the case.
				if strings.Contains(r.Recipient, "1391234") || strings.Contains(r.Recipient, "bmjr") {
					t.Errorf("recipient not masked: %q", r.Recipient)
				}
			}
			if s := fmt.Sprintf("%+v", page); strings.Contains(s, "井盖") || strings.Contains(s, "王") {
				t.Errorf("the list shows a message's text: %s", s)
			}
			// A recipient that cannot be opened is shown as ****, never as the sealed value.
			if r, err := (&notify.Deliveries{DB: d, Now: s.Now}).List(admin, notify.DeliveryFilter{Channel: "sms", Limit: 1}); err != nil || r.Deliveries[0].Recipient != "****" {
				t.Errorf("without the key: %+v %v", r, err)
			}

			// Filters and pages: 5 failed WeChat messages, 2 a page, newest first, none twice.
			var seen []string
			f := notify.DeliveryFilter{Status: notify.DeliveryFailed, Channel: "wechat", Limit: 2}
			for pages := 0; ; pages++ {
				page, err := s.List(admin, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.Deliveries {
					if r.Status != notify.DeliveryFailed || r.Channel != "wechat" {
						t.Errorf("filtered list has %+v", r)
					}
					seen = append(seen, r.ObjectID)
				}
				if page.NextCursor == "" {
					if pages != 2 {
						t.Errorf("%d pages, want 3", pages+1)
					}
					break
				}
				f.Cursor = page.NextCursor
			}
			if strings.Join(seen, ",") != "case-4,case-3,case-2,case-1,case-0" {
				t.Errorf("paged through %v", seen)
			}
			if _, err := s.List(admin, notify.DeliveryFilter{Cursor: "not-a-cursor"}); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("a bad cursor: %v", err)
			}
			if page, _ := s.List(admin, notify.DeliveryFilter{Status: notify.DeliveryPending}); len(page.Deliveries) != 0 {
				t.Errorf("pending: %+v", page.Deliveries)
			}

			// Nobody else: other roles have no permission; a subdistrict's sys_admin reaches no delivery.
			for name, ctx := range map[string]context.Context{"subdistrict sys_admin": as(access.SysAdmin, "350503001"),
				"sec_admin": as(access.SecAdmin, "350503"), "audit_admin": as(access.AuditAdmin, "350503"),
				"leader": as(access.Leader, "350503"), "resident": as(access.Resident, "350503"), "anonymous": context.Background()} {
				want := apperr.Forbidden
				if name == "anonymous" {
					want = apperr.Unauthenticated
				}
				if page, err := s.List(ctx, notify.DeliveryFilter{}); apperr.CodeOf(err) != want || len(page.Deliveries) != 0 {
					t.Errorf("list as %s: %v", name, err)
				}
				if _, err := s.Retry(ctx, first.ID); apperr.CodeOf(err) != want {
					t.Errorf("retry as %s: %v", name, err)
				}
			}
			if _, err := s.List(as(access.SysAdmin, "350503001"), notify.DeliveryFilter{}); !strings.Contains(fmt.Sprint(err), "notify.district_only") {
				t.Errorf("subdistrict sys_admin: %v", err)
			}

			// Retry: only a failed delivery, back to pending now with its attempts reset, audited.
			var failed, sent string
			for _, r := range page.Deliveries {
				if r.Channel == "wechat" && failed == "" {
					failed = r.ID
				}
				if r.Channel == "sms" && sent == "" {
					sent = r.ID
				}
			}
			if _, err := s.Retry(admin, sent); apperr.CodeOf(err) != apperr.Conflict {
				t.Errorf("retry a sent delivery: %v", err)
			}
			if _, err := s.Retry(admin, "no-such-delivery"); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("retry an unknown delivery: %v", err)
			}
			r, err := s.Retry(admin, failed)
			if err != nil || r.Status != notify.DeliveryPending || r.Attempts != 0 || !r.NextAt.Equal(now) || r.ID != failed || !strings.HasPrefix(r.Recipient, "****") {
				t.Fatalf("retry: %+v %v", r, err)
			}
			if _, err := s.Retry(admin, failed); apperr.CodeOf(err) != apperr.Conflict {
				t.Errorf("retry twice: %v", err)
			}
			records, err := audit.Search(access.WithPrincipal(ctx, access.SystemPrincipal("test")), d, audit.Filter{Action: "delivery.retry"})
			if err != nil || len(records) != 1 || records[0].ObjectID != failed || records[0].Role != "sys_admin" ||
				!strings.Contains(records[0].Before, `"failed"`) || !strings.Contains(records[0].After, `"pending"`) {
				t.Errorf("audit of the retry: %+v %v", records, err)
			}
			// The delivery job picks it up at once, with a fresh count of attempts.
			ch := &flaky{}
			del = notify.NewDeliverer(d, catalog, map[string]notify.Channel{"wechat": ch}, nil)
			if sentNow, _, err := del.Run(ctx, now); err != nil || sentNow != 1 || len(ch.sent) != 1 || ch.sent[0].ID != failed {
				t.Fatalf("the retried delivery was not sent: %d %v", sentNow, err)
			}
			page, _ = s.List(admin, notify.DeliveryFilter{Status: notify.DeliverySent, Channel: "wechat"})
			if len(page.Deliveries) != 1 || page.Deliveries[0].Attempts != 1 || page.Deliveries[0].LastError != "" {
				t.Errorf("after the retry: %+v", page.Deliveries)
			}
		})
	}
}
