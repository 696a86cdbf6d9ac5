package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// Delivery is one message to send outside the platform (an SMS, a WeChat template message).
type Delivery struct {
	ID        string
	Channel   string
	Recipient string // a sealed phone number (sms), an open ID (wechat)
	Template  string
	Params    []string
	Attempts  int
	// Text is the template rendered in Chinese, the language of SMS and WeChat messages.
	Text string
}

// Channel sends deliveries of one kind. An error means "try again later".
type Channel interface {
	Send(ctx context.Context, d Delivery) error
}

// Deliverer sends the outbox's pending deliveries: each claimed with a lease (so two nodes never
// send one at once), retried with growing delays, and kept as failed after MaxAttempts. No error
// is dropped: the last one stays on the row, and every outcome is counted in /metrics.
type Deliverer struct {
	DB *db.DB
	// Catalog words each delivery when it is sent (Texts.Now: the district's templates in force).
	Catalog  Wording
	Channels map[string]Channel
	// MaxAttempts before a delivery is given up as failed (8: about 2 hours of retries).
	MaxAttempts int
	outcomes    *prometheus.CounterVec
}

// NewDeliverer registers its counters with reg (nil: not counted).
func NewDeliverer(d *db.DB, catalog Wording, channels map[string]Channel, reg prometheus.Registerer) *Deliverer {
	del := &Deliverer{DB: d, Catalog: catalog, Channels: channels, MaxAttempts: 8,
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yiwang_deliveries_total",
			Help: "Outside deliveries (SMS, WeChat) by channel and outcome: sent, retry, failed."}, []string{"channel", "outcome"})}
	if reg != nil {
		reg.MustRegister(del.outcomes)
	}
	return del
}

// lease is how long a claimed delivery is this node's; a node that dies mid-send leaves it to be
// claimed again after that.
const lease = 2 * time.Minute

// Backoff is the wait before attempt n+1 after n failed attempts: 30 s, 1 min, 2 min … at most 1 h.
func Backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Run sends what is due at now and says how many were sent and how many failed.
func (d *Deliverer) Run(ctx context.Context, now time.Time) (sent, failed int, err error) {
	now = now.UTC()
	rows, err := d.DB.Query(ctx, `SELECT id, channel, recipient, template, params, attempts FROM outbox_deliveries
		WHERE status = 'pending' AND next_at <= $1 AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_at LIMIT 200`, now)
	if err != nil {
		return 0, 0, fmt.Errorf("deliveries due: %w", err)
	}
	var due []Delivery
	for rows.Next() {
		var dl Delivery
		var params string
		if err := rows.Scan(&dl.ID, &dl.Channel, &dl.Recipient, &dl.Template, &params, &dl.Attempts); err != nil {
			rows.Close()
			return 0, 0, err
		}
		_ = json.Unmarshal([]byte(params), &dl.Params)
		due = append(due, dl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	for _, dl := range due {
		res, err := d.DB.Exec(ctx, `UPDATE outbox_deliveries SET lease_until = $1
			WHERE id = $2 AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3)`, now.Add(lease), dl.ID, now)
		if err != nil {
			return sent, failed, fmt.Errorf("claim delivery: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another node has it
		}
		outcome, err := d.send(ctx, now, dl)
		if err != nil {
			return sent, failed, err
		}
		d.count(dl.Channel, outcome)
		switch outcome {
		case "sent":
			sent++
		case "failed":
			failed++
		}
	}
	return sent, failed, nil
}

// send makes one attempt and records its outcome.
func (d *Deliverer) send(ctx context.Context, now time.Time, dl Delivery) (string, error) {
	args := make([]any, len(dl.Params))
	for i, p := range dl.Params {
		args[i] = p
	}
	dl.Text = d.Catalog.T(i18n.ZH, dl.Template, args...)
	ch, ok := d.Channels[dl.Channel]
	var sendErr error
	if !ok {
		sendErr = fmt.Errorf("no %s channel is configured", dl.Channel)
	} else {
		sendErr = ch.Send(ctx, dl)
	}
	attempts := dl.Attempts + 1
	if sendErr == nil {
		_, err := d.DB.Exec(ctx, `UPDATE outbox_deliveries SET status = 'sent', attempts = $1, sent_at = $2,
			lease_until = NULL, last_error = '' WHERE id = $3`, attempts, now, dl.ID)
		return "sent", err
	}
	status, outcome := "pending", "retry"
	if attempts >= d.MaxAttempts {
		status, outcome = "failed", "failed"
	}
	msg := sendErr.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_, err := d.DB.Exec(ctx, `UPDATE outbox_deliveries SET status = $1, attempts = $2, next_at = $3,
		lease_until = NULL, last_error = $4 WHERE id = $5`, status, attempts, now.Add(Backoff(attempts)), msg, dl.ID)
	return outcome, err
}

func (d *Deliverer) count(channel, outcome string) {
	if d.outcomes != nil {
		d.outcomes.WithLabelValues(channel, outcome).Inc()
	}
}

// Wording words a template in a language with its parameters (an i18n catalogue, Texts.Now).
type Wording interface {
	T(lang, key string, args ...any) string
}
