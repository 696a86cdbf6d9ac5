package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/cursor"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// Deliveries shows the outbox's outside deliveries (SMS, WeChat) to the district's sys_admin, so
// that failures are seen, and sends a failed one again. A delivery belongs to no org node, so only
// a scope over the whole district reaches them: a sys_admin held at the district node.
//
// Nothing personal leaves here: a recipient is shown masked, and instead of the text (which may
// quote a case) the template key and the event it tells of.
type Deliveries struct {
	DB  *db.DB
	Now func() time.Time
	// Vault opens a sealed phone number to show it masked (nil: SMS recipients show as ****).
	Vault *pii.Vault
}

// DeliveryStatus is where a delivery stands: pending (due, or waiting for its next attempt),
// sent, or failed (given up after the Deliverer's MaxAttempts).
type DeliveryStatus string

const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed"
)

// DeliveryRecord is one delivery as the sys_admin sees it.
type DeliveryRecord struct {
	ID        string         `json:"id"`
	Channel   string         `json:"channel"`
	Recipient string         `json:"recipient"` // masked: 138****1234, ****a1b2
	Template  string         `json:"template"`
	Status    DeliveryStatus `json:"status"`
	Attempts  int            `json:"attempts"`
	NextAt    time.Time      `json:"next_at"`
	LastError string         `json:"last_error,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	SentAt    *time.Time     `json:"sent_at,omitempty"`
	// The event the delivery tells of.
	EventType  string `json:"event_type"`
	ObjectKind string `json:"object_kind"`
	ObjectID   string `json:"object_id,omitempty"`
}

// DeliveryFilter narrows the list; zero fields do not filter.
type DeliveryFilter struct {
	Status  DeliveryStatus
	Channel string
	Limit   int    // 1–200; 0: 50
	Cursor  string // the NextCursor of the previous page
}

// DeliveryPage is one page of deliveries, newest first.
type DeliveryPage struct {
	Deliveries []DeliveryRecord `json:"deliveries"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// channels are the outside channels a delivery may go through.
var channels = []string{"sms", "wechat"}

// Check refuses a filter with an unknown status or channel or a limit out of range.
func (f DeliveryFilter) Check() error {
	switch f.Status {
	case "", DeliveryPending, DeliverySent, DeliveryFailed:
	default:
		return apperr.New(apperr.Invalid, "request.bad_param", "status", string(f.Status))
	}
	if f.Channel != "" && !slices.Contains(channels, f.Channel) {
		return apperr.New(apperr.Invalid, "request.bad_param", "channel", f.Channel)
	}
	if f.Limit < 0 || f.Limit > 200 {
		return apperr.New(apperr.Invalid, "request.bad_param", "limit", fmt.Sprint(f.Limit))
	}
	return nil
}

// need checks that the caller's scope for deliveries covers the whole district.
func need(ctx context.Context) (access.Scope, error) {
	return access.NeedDistrict(ctx, access.DeliveryRead, "notify.district_only")
}

const deliveryColumns = `d.id, d.channel, d.recipient, d.template, d.status, d.attempts, d.next_at, d.last_error,
	d.created_at, d.sent_at, COALESCE(e.type, ''), COALESCE(e.object_kind, ''), COALESCE(e.object_id, '')`

const deliveryFrom = ` FROM outbox_deliveries d LEFT JOIN outbox_events e ON e.seq = d.event_seq`

func (s *Deliveries) scan(row db.Scanner) (DeliveryRecord, error) {
	var r DeliveryRecord
	var sent sql.NullTime
	if err := row.Scan(&r.ID, &r.Channel, &r.Recipient, &r.Template, &r.Status, &r.Attempts, &r.NextAt, &r.LastError,
		&r.CreatedAt, &sent, &r.EventType, &r.ObjectKind, &r.ObjectID); err != nil {
		return r, err
	}
	r.Recipient = s.mask(r.Channel, r.Recipient)
	r.NextAt, r.CreatedAt = r.NextAt.UTC(), r.CreatedAt.UTC()
	if sent.Valid {
		t := sent.Time.UTC()
		r.SentAt = &t
	}
	return r, nil
}

// mask shows who a delivery is for without revealing them: a phone number as 138****1234, a
// WeChat open ID by its last 4 characters.
func (s *Deliveries) mask(channel, recipient string) string {
	switch channel {
	case "sms":
		if s.Vault != nil {
			if phone, err := s.Vault.Open(recipient); err == nil && phone != "" {
				return pii.MaskPhone(phone)
			}
		}
	case "wechat":
		return MaskOpenID(recipient)
	}
	return "****"
}

// MaskOpenID keeps the last 4 characters of a WeChat open ID: o6_bmjrPTlm6_2sgVt7hMZOPfL2M →
// ****fL2M.
func MaskOpenID(openID string) string {
	r := []rune(openID)
	if len(r) <= 4 {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}

// deliveryCursor is the position after the last delivery of a page.
type deliveryCursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
}

// List returns a page of deliveries, newest first.
func (s *Deliveries) List(ctx context.Context, f DeliveryFilter) (DeliveryPage, error) {
	if _, err := need(ctx); err != nil {
		return DeliveryPage{}, err
	}
	if err := f.Check(); err != nil {
		return DeliveryPage{}, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = 50
	}
	conds := []string{"1 = 1"}
	var args []any
	add := func(cond string, v ...any) {
		args = append(args, v...)
		conds = append(conds, cond)
	}
	if f.Status != "" {
		add(fmt.Sprintf("d.status = $%d", len(args)+1), string(f.Status))
	}
	if f.Channel != "" {
		add(fmt.Sprintf("d.channel = $%d", len(args)+1), f.Channel)
	}
	if f.Cursor != "" {
		var c deliveryCursor
		err := cursor.Decode(f.Cursor, &c)
		if err == nil && c.ID == "" {
			err = apperr.New(apperr.Invalid, "request.bad_param", "cursor", "?")
		}
		if err != nil {
			return DeliveryPage{}, err
		}
		n := len(args) + 1
		add(fmt.Sprintf("(d.created_at < $%d OR (d.created_at = $%d AND d.id < $%d))", n, n, n+1), c.CreatedAt.UTC(), c.ID)
	}
	args = append(args, limit+1)
	q := `SELECT ` + deliveryColumns + deliveryFrom + ` WHERE ` + strings.Join(conds, " AND ") +
		fmt.Sprintf(` ORDER BY d.created_at DESC, d.id DESC LIMIT $%d`, len(args))
	list, err := db.QueryAll(ctx, s.DB.Read, s.scan, q, args...)
	if err != nil {
		return DeliveryPage{}, fmt.Errorf("list deliveries: %w", err)
	}
	page := DeliveryPage{Deliveries: list}
	if len(list) > limit {
		page.Deliveries = list[:limit]
		last := list[limit-1]
		page.NextCursor = cursor.Encode(deliveryCursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	return page, nil
}

// Retry puts a failed delivery back to pending, due now, with its attempts reset: the delivery
// job sends it on its next run (its last error stays until that attempt). Audited as
// delivery.retry.
func (s *Deliveries) Retry(ctx context.Context, id string) (DeliveryRecord, error) {
	scope, err := need(ctx)
	if err != nil {
		return DeliveryRecord{}, err
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var status DeliveryStatus
		var attempts int
		err := s.DB.TxQueryRow(ctx, tx, `SELECT status, attempts FROM outbox_deliveries WHERE id = $1`, id).Scan(&status, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("retry delivery %s: %w", id, err)
		}
		if status != DeliveryFailed {
			return apperr.New(apperr.Conflict, "notify.delivery_not_failed", string(status))
		}
		res, err := s.DB.TxExec(ctx, tx, `UPDATE outbox_deliveries SET status = 'pending', attempts = 0, next_at = $1,
			lease_until = NULL WHERE id = $2 AND status = 'failed'`, now, id)
		if err != nil {
			return fmt.Errorf("retry delivery %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "notify.delivery_not_failed", "?")
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "delivery.retry", "delivery", id)
		e.Before = audit.Summary(map[string]any{"status": status, "attempts": attempts})
		e.After = audit.Summary(map[string]any{"status": DeliveryPending, "attempts": 0})
		_, err = audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return DeliveryRecord{}, err
	}
	r, err := s.scan(s.DB.QueryRow(ctx, `SELECT `+deliveryColumns+deliveryFrom+` WHERE d.id = $1`, id))
	if err != nil {
		return DeliveryRecord{}, fmt.Errorf("retry delivery %s: %w", id, err)
	}
	return r, nil
}
