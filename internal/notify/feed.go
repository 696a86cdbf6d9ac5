package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Feed hands committed events to this node's hub, read from the outbox in seq order. Every node
// runs one; since the outbox is in the shared database, a change made on any node reaches the
// pages open on every node, and a node whose database connection broke for a while catches up
// from the last seq it delivered. It starts at the newest event: pages load what came before.
type Feed struct {
	Outbox *Outbox
	Hub    *Hub
	Log    *slog.Logger
	// Poll is how often the feed looks for other nodes' events (a local commit wakes it at once).
	Poll time.Duration
	last int64
}

// Start positions the feed after the newest committed event.
func (f *Feed) Start(ctx context.Context) error {
	return f.Outbox.DB.QueryRow(ctx, `SELECT COALESCE(max(seq), 0) FROM outbox_events`).Scan(&f.last)
}

// Run delivers events until ctx ends.
func (f *Feed) Run(ctx context.Context) {
	poll := f.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		for {
			n, err := f.Step(ctx)
			if err != nil {
				if ctx.Err() == nil && f.Log != nil {
					f.Log.Warn("live feed", "err", err)
				}
				break
			}
			if n < feedBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.Outbox.wake:
		}
	}
}

const feedBatch = 500

// Step delivers the events committed after the last one delivered and says how many it read.
func (f *Feed) Step(ctx context.Context) (int, error) {
	if f.Hub.Listeners() == 0 {
		// No page is open on this node: skip what was committed up to now without reading it (a
		// page that opens later loads the present from the API). The newest number is read
		// before the listeners are counted again, so nothing committed after a page opened is
		// skipped.
		var newest int64
		if err := f.Outbox.DB.QueryRow(ctx, `SELECT COALESCE(max(seq), 0) FROM outbox_events`).Scan(&newest); err != nil {
			return 0, fmt.Errorf("read the outbox: %w", err)
		}
		if f.Hub.Listeners() == 0 {
			f.last = max(f.last, newest)
			return 0, nil
		}
	}
	rows, err := f.Outbox.DB.Query(ctx, `SELECT seq, object, message, recipients FROM outbox_events
		WHERE seq > $1 ORDER BY seq LIMIT $2`, f.last, feedBatch)
	if err != nil {
		return 0, fmt.Errorf("read the outbox: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var seq int64
		var object, message, recipients string
		if err := rows.Scan(&seq, &object, &message, &recipients); err != nil {
			return n, err
		}
		n++
		f.last = seq
		var m Message
		if json.Unmarshal([]byte(object), &m.Object) != nil {
			continue
		}
		if json.Unmarshal([]byte(message), &m) == nil && m.Kind != "" {
			f.Hub.Deliver(m)
		}
		var list []recipient
		if json.Unmarshal([]byte(recipients), &list) != nil {
			continue
		}
		for _, r := range list {
			// The notification names its object as the list does (case_id: the object's id).
			f.Hub.Deliver(Message{ID: r.Notification, Kind: "notification", CaseID: m.Object.ID, Action: m.Action,
				At: m.At, UserID: r.User, Template: r.Template, Params: r.Params})
		}
	}
	return n, rows.Err()
}
