package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// Event is one thing that happened to an object of any module. A module records it with
// Outbox.Record inside the transaction of the change, so the event, its notifications and its
// deliveries commit or roll back with the change: a crash between the change and the send loses
// nothing, and the live feed of every node reads it from the table.
type Event struct {
	Type   string        // "case.dispatch", "case.sla_overdue" …
	Object access.Object // what changed; decides who sees the live update (access, as for a read)
	// Live is the update pushed to pages whose scope reaches the object (its Kind is the object's
	// kind); nothing is pushed when Live.Kind is empty.
	Live Message
	// Notices tell people: each names its text and its audience.
	Notices []Notice
}

// Notice is one text for one audience. The text is a template of the i18n catalogue (area
// "notify"), shown in each reader's language; SMS and WeChat get the zh-CN text.
type Notice struct {
	Template string
	Params   []string
	Audience Audience
}

// Audience names who is told, as the module knows them.
type Audience struct {
	Users []string // named users (reporters, followers, parties …)
	// RolesAt are roles held at the node of Path or above it (the desk of a case's place).
	RolesAt []access.Role
	Path    string
	// Units are handling units whose staff are told (department_staff of these org codes).
	Units []string
	// Phones are sealed phone numbers (pii.Vault) of people without an account: they get an SMS.
	Phones []string
	// WeChat are WeChat open IDs for the template-message channel.
	WeChat []string
}

// People finds the users an audience names by role; package users implements it, so no module
// reads the grant tables itself.
type People interface {
	Holding(ctx context.Context, q db.Querier, roles []access.Role, path string) ([]string, error)
	Staff(ctx context.Context, q db.Querier, units []string) ([]string, error)
}

// recipient is one in-app notification of an event, as the live feed pushes it.
type recipient struct {
	User         string   `json:"u"`
	Notification string   `json:"n"`
	Template     string   `json:"t"`
	Params       []string `json:"p,omitempty"`
}

// Outbox records events and hands them to the live feed and the delivery worker.
type Outbox struct {
	DB      *db.DB
	People  People
	Catalog *i18n.Catalog
	// Texts words the stored Chinese text of a notification (the district's templates); nil:
	// the catalogue's.
	Texts *Texts
	// wake is signalled after a local commit, so this node's feed need not wait for its poll.
	wake chan struct{}
	// types are the event types the modules declared; Record refuses others (a typo in a
	// module would otherwise record events nobody reads).
	types map[string]bool
}

// Declare sets the event types Record accepts (every module's, module.Set.Events).
func (o *Outbox) Declare(types []string) {
	o.types = map[string]bool{}
	for _, t := range types {
		o.types[t] = true
	}
}

// NewOutbox returns an outbox over d.
func NewOutbox(d *db.DB, people People, catalog *i18n.Catalog) *Outbox {
	return &Outbox{DB: d, People: people, Catalog: catalog, wake: make(chan struct{}, 1)}
}

// Wake tells this node's feed that events were committed.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Record writes ev, its in-app notifications and its outside deliveries inside tx.
func (o *Outbox) Record(ctx context.Context, tx *sql.Tx, at time.Time, ev Event) error {
	if o.types != nil && !o.types[ev.Type] {
		return fmt.Errorf("record event: type %q is not declared by any module", ev.Type)
	}
	seq, err := o.nextSeq(ctx, tx)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	at = at.UTC()
	var recipients []recipient
	// A notification's kind is a case's event type within "case." ("case.dispatch" → "dispatch"),
	// as the notification list has always named it, and any other module's whole event type
	// ("whistle.close"), so that pages link each to its own object.
	kind := ev.Type
	if ev.Object.Kind == "case" {
		kind = strings.TrimPrefix(ev.Type, "case.")
	}
	for _, n := range ev.Notices {
		if o.Catalog != nil && !o.Catalog.Has(i18n.ZH, n.Template) {
			return fmt.Errorf("record event %s: no text %q in the catalogue", ev.Type, n.Template)
		}
		users, err := o.resolve(ctx, tx, n.Audience)
		if err != nil {
			return fmt.Errorf("record event %s: %w", ev.Type, err)
		}
		params, _ := json.Marshal(n.Params)
		text := o.text(ctx, at, n.Template, n.Params)
		for _, u := range users {
			id := db.NewID()
			if _, err := o.DB.TxExec(ctx, tx, `INSERT INTO notifications (id, user_id, case_id, kind, text, created_at, template, params, event_seq)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, id, u, ev.Object.ID, kind, text, at, n.Template, string(params), seq); err != nil {
				return fmt.Errorf("record event %s: %w", ev.Type, err)
			}
			recipients = append(recipients, recipient{User: u, Notification: id, Template: n.Template, Params: n.Params})
		}
		for _, d := range deliveriesOf(n) {
			if _, err := o.DB.TxExec(ctx, tx, `INSERT INTO outbox_deliveries (id, event_seq, channel, recipient, template, params, status, next_at, created_at)
				VALUES ($1,$2,$3,$4,$5,$6,'pending',$7,$7)`, db.NewID(), seq, d.channel, d.to, n.Template, string(params), at); err != nil {
				return fmt.Errorf("record event %s: %w", ev.Type, err)
			}
		}
	}
	object, _ := json.Marshal(ev.Object)
	ev.Live.At = at
	live, _ := json.Marshal(ev.Live)
	rec, _ := json.Marshal(recipients)
	if recipients == nil {
		rec = []byte("[]")
	}
	if _, err := o.DB.TxExec(ctx, tx, `INSERT INTO outbox_events (seq, at, type, object_kind, object_id, object, message, recipients)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, seq, at, ev.Type, ev.Object.Kind, ev.Object.ID,
		string(object), string(live), string(rec)); err != nil {
		return fmt.Errorf("record event %s: %w", ev.Type, err)
	}
	return nil
}

// nextSeq numbers the next event of tx. A group-committed batch reads the newest number once
// and counts on from it in memory (like the audit chain's head): its events are written by one
// transaction under the lock, so nobody else numbers in between.
func (o *Outbox) nextSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	if v, ok := o.DB.TxValue(tx, "outbox.seq"); ok {
		seq := v.(int64) + 1
		o.DB.SetTxValue(tx, "outbox.seq", seq)
		return seq, nil
	}
	if o.DB.Engine == db.Postgres {
		// seq must follow commit order, so that a reader after seq n misses nothing: the lock is
		// held until this transaction ends. It is the audit chain's lock: events and audit records
		// share one writer order, and a transaction taking both never waits on itself (re-entrant).
		if _, err := o.DB.TxExec(ctx, tx, "SELECT pg_advisory_xact_lock(7231001)"); err != nil {
			return 0, err
		}
	}
	var seq int64
	if err := o.DB.TxQueryRow(ctx, tx, `SELECT COALESCE(max(seq), 0) + 1 FROM outbox_events`).Scan(&seq); err != nil {
		return 0, err
	}
	o.DB.SetTxValue(tx, "outbox.seq", seq)
	return seq, nil
}

type delivery struct{ channel, to string }

func deliveriesOf(n Notice) []delivery {
	var out []delivery
	for _, p := range n.Audience.Phones {
		if p != "" {
			out = append(out, delivery{"sms", p})
		}
	}
	for _, w := range n.Audience.WeChat {
		if w != "" {
			out = append(out, delivery{"wechat", w})
		}
	}
	return out
}

// resolve turns an audience into user IDs, each once, in a stable order.
func (o *Outbox) resolve(ctx context.Context, tx *sql.Tx, a Audience) ([]string, error) {
	users := slices.Clone(a.Users)
	if len(a.RolesAt) > 0 && o.People != nil {
		ids, err := o.People.Holding(ctx, tx, a.RolesAt, a.Path)
		if err != nil {
			return nil, err
		}
		users = append(users, ids...)
	}
	if len(a.Units) > 0 && o.People != nil {
		ids, err := o.People.Staff(ctx, tx, a.Units)
		if err != nil {
			return nil, err
		}
		users = append(users, ids...)
	}
	users = slices.DeleteFunc(users, func(u string) bool { return u == "" })
	slices.Sort(users)
	return slices.Compact(users), nil
}

// text renders a template in lang.
func (o *Outbox) text(ctx context.Context, at time.Time, template string, params []string) string {
	if o.Catalog == nil {
		return template
	}
	texts := o.Texts
	if texts == nil {
		texts = &Texts{Catalog: o.Catalog}
	}
	return texts.Strings(ctx, at, i18n.ZH, template, params)
}
