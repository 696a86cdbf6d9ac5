package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// flaky is a channel that fails its first failures sends.
type flaky struct {
	failures int
	sent     []notify.Delivery
}

func (f *flaky) Send(_ context.Context, d notify.Delivery) error {
	if f.failures > 0 {
		f.failures--
		return errors.New("gateway busy")
	}
	f.sent = append(f.sent, d)
	return nil
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// An event is written with the change or not at all; the feed hands committed events to the hub
// in order, each once; deliveries are retried with backoff and given up after MaxAttempts.
func TestOutbox(t *testing.T) {
	catalog := i18n.MustLoad()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t, engine)
			box := notify.NewOutbox(d, nil, catalog)
			hub := notify.NewHub()
			feed := &notify.Feed{Outbox: box, Hub: hub}
			if err := feed.Start(ctx); err != nil {
				t.Fatal(err)
			}
			sub := hub.Subscribe(nil)
			at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
			ev := func(id string) notify.Event {
				return notify.Event{Type: "case.dispatch", Object: access.Object{Kind: "case", ID: id, Path: "/350503/"},
					Live: notify.Message{Kind: "case", CaseID: id, Action: "dispatch"},
					Notices: []notify.Notice{{Template: "notify.case.dispatch", Params: []string{"N1", "井盖"},
						Audience: notify.Audience{Users: []string{"u1", "u2", "u1"}, Phones: []string{"sealed"}}}}}
			}
			// A change that fails takes its event with it.
			boom := errors.New("the change failed")
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				if err := box.Record(ctx, tx, at, ev("lost")); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || count(t, d, `SELECT count(*) FROM outbox_events`) != 0 ||
				count(t, d, `SELECT count(*) FROM notifications`) != 0 || count(t, d, `SELECT count(*) FROM outbox_deliveries`) != 0 {
				t.Fatalf("a rolled-back change left its event behind: %v", err)
			}
			for _, id := range []string{"c1", "c2"} {
				if err := d.Tx(ctx, func(tx *sql.Tx) error { return box.Record(ctx, tx, at, ev(id)) }); err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, d, `SELECT count(*) FROM notifications WHERE kind = 'dispatch' AND template = 'notify.case.dispatch'`); n != 4 {
				t.Fatalf("%d notifications, want 2 users × 2 events", n)
			}
			if n, err := feed.Step(ctx); err != nil || n != 2 {
				t.Fatalf("feed read %d events: %v", n, err)
			}
			var order []string
			for len(sub.C) > 0 {
				m := <-sub.C
				order = append(order, m.Kind+":"+m.CaseID+":"+m.UserID)
			}
			want := []string{"case:c1:", "notification:c1:u1", "notification:c1:u2", "case:c2:", "notification:c2:u1", "notification:c2:u2"}
			if len(order) != len(want) {
				t.Fatalf("feed delivered %v, want %v", order, want)
			}
			for i := range want {
				if order[i] != want[i] {
					t.Fatalf("feed delivered %v, want %v", order, want)
				}
			}
			if n, _ := feed.Step(ctx); n != 0 {
				t.Fatalf("the feed delivered %d events twice", n)
			}

			// Deliveries: the first attempts fail, then one succeeds; none is sent twice.
			ch := &flaky{failures: 2}
			del := notify.NewDeliverer(d, catalog, map[string]notify.Channel{"sms": ch}, nil)
			now := at
			for range 3 {
				if _, _, err := del.Run(ctx, now); err != nil {
					t.Fatal(err)
				}
				now = now.Add(notify.Backoff(8))
			}
			if len(ch.sent) != 2 {
				t.Fatalf("sent %d SMS, want one per event", len(ch.sent))
			}
			if ch.sent[0].Text != "案卷 N1 已派遣，请及时签收：井盖" {
				t.Fatalf("SMS text %q", ch.sent[0].Text)
			}
			if n := count(t, d, `SELECT count(*) FROM outbox_deliveries WHERE status = 'sent' AND attempts >= 1`); n != 2 {
				t.Fatalf("%d deliveries marked sent", n)
			}
			// A channel that always fails: retried with backoff, then kept as failed with its error.
			if err := d.Tx(ctx, func(tx *sql.Tx) error { return box.Record(ctx, tx, now, ev("c3")) }); err != nil {
				t.Fatal(err)
			}
			down := &flaky{failures: 1000}
			del = notify.NewDeliverer(d, catalog, map[string]notify.Channel{"sms": down}, nil)
			del.MaxAttempts = 3
			if _, _, err := del.Run(ctx, now); err != nil {
				t.Fatal(err)
			}
			if _, _, _ = del.Run(ctx, now.Add(time.Second)); len(down.sent) != 0 || down.failures != 999 {
				t.Fatal("a failed delivery was retried before its backoff")
			}
			failed := 0
			for i := 1; i <= 3; i++ {
				now = now.Add(notify.Backoff(i) + time.Second)
				_, f, err := del.Run(ctx, now)
				if err != nil {
					t.Fatal(err)
				}
				failed += f
			}
			var msg string
			d.Read.QueryRow(`SELECT last_error FROM outbox_deliveries WHERE status = 'failed'`).Scan(&msg)
			if failed != 1 || msg != "gateway busy" || down.failures != 1000-3 {
				t.Fatalf("given up %d, error %q, attempts %d", failed, msg, 1000-down.failures)
			}
		})
	}
}

func TestBackoffGrowsToAnHour(t *testing.T) {
	if notify.Backoff(1) != 30*time.Second || notify.Backoff(2) != time.Minute || notify.Backoff(20) != time.Hour {
		t.Fatal(notify.Backoff(1), notify.Backoff(2), notify.Backoff(20))
	}
}
