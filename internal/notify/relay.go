package notify

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Relay carries live updates between yiwang nodes that share one PostgreSQL database: what a
// node's hub publishes goes out with pg_notify on one channel, and every node LISTENs there and
// hands what the others sent to its own hub. Like the hub it is lossy by design — a page that
// misses an update sees it on its next load — and never slows down the request that published.
type Relay struct {
	DB  *db.DB
	Hub *Hub
	Log *slog.Logger

	node  string
	out   chan []byte
	ready chan struct{}
	once  sync.Once
}

// relayChannel is the PostgreSQL notification channel the nodes share.
const relayChannel = "yiwang_live"

// wire is a message as it travels between nodes: with the fields that decide who may see it,
// which a page never receives (Message hides them from JSON).
type wire struct {
	Node string `json:"node"`
	Message
	UserID   string   `json:"user_id,omitempty"`
	Path     string   `json:"path,omitempty"`
	Reporter string   `json:"reporter,omitempty"`
	Depts    []string `json:"depts,omitempty"`
}

// NewRelay prepares a relay for hub on d (PostgreSQL) and makes the hub forward to it; Run
// starts it.
func NewRelay(d *db.DB, hub *Hub, log *slog.Logger) *Relay {
	r := &Relay{DB: d, Hub: hub, Log: log, node: uuid.NewString(), out: make(chan []byte, 4096), ready: make(chan struct{})}
	hub.Forward(r.Send)
	return r
}

// Ready is closed once this node listens for the others' updates.
func (r *Relay) Ready() <-chan struct{} { return r.ready }

// Send queues m for the other nodes; when the queue is full the update is dropped.
func (r *Relay) Send(m Message) {
	// A notification's payload must stay under PostgreSQL's 8000 bytes; texts here are short,
	// but a long one is cut rather than lost.
	if utf8.RuneCountInString(m.Text) > 1000 {
		m.Text = string([]rune(m.Text)[:1000]) + "…"
	}
	b, err := json.Marshal(wire{Node: r.node, Message: m, UserID: m.UserID, Path: m.Path, Reporter: m.Reporter, Depts: m.Depts})
	if err != nil {
		return
	}
	select {
	case r.out <- b:
	default:
	}
}

// Run sends and receives until ctx ends, reconnecting after a lost connection.
func (r *Relay) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.send(ctx)
	}()
	for ctx.Err() == nil {
		err := r.listen(ctx)
		if ctx.Err() != nil {
			break
		}
		r.Log.Warn("live relay: listening stopped; reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	wg.Wait()
}

func (r *Relay) send(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-r.out:
			if _, err := r.DB.Write.ExecContext(ctx, `SELECT pg_notify($1, $2)`, relayChannel, string(b)); err != nil && ctx.Err() == nil {
				r.Log.Warn("live relay: send failed", "err", err)
			}
		}
	}
}

// listen holds one connection of the pool in LISTEN until it fails or ctx ends; the connection
// is then discarded, never handed back to the pool still listening.
func (r *Relay) listen(ctx context.Context) error {
	conn, err := r.DB.Write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var failure error
	conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			failure = fmt.Errorf("live relay needs PostgreSQL (pgx), not %T", dc)
			return driver.ErrBadConn
		}
		pg := c.Conn()
		if _, err := pg.Exec(ctx, "LISTEN "+relayChannel); err != nil {
			failure = err
			return driver.ErrBadConn
		}
		r.once.Do(func() { close(r.ready) })
		for {
			n, err := pg.WaitForNotification(ctx)
			if err != nil {
				failure = err
				return driver.ErrBadConn
			}
			var w wire
			if json.Unmarshal([]byte(n.Payload), &w) != nil || w.Node == r.node {
				continue // our own, already delivered here
			}
			m := w.Message
			m.UserID, m.Path, m.Reporter, m.Depts = w.UserID, w.Path, w.Reporter, w.Depts
			r.Hub.Deliver(m)
		}
	})
	if failure == nil {
		failure = errors.New("connection closed")
	}
	return failure
}
