// Package notify tells people what happened: it keeps each user's notifications (in-app list)
// and pushes live updates to open pages over Server-Sent Events through an in-process hub.
package notify

import (
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// Message is one live update.
type Message struct {
	ID     string    `json:"id,omitempty"`
	Kind   string    `json:"kind"` // "case" (a case changed) or "notification"
	CaseID string    `json:"case_id,omitempty"`
	Number string    `json:"number,omitempty"`
	Action string    `json:"action,omitempty"`
	Status string    `json:"status,omitempty"`
	Text   string    `json:"text,omitempty"`
	At     time.Time `json:"at"`
	UserID string    `json:"-"` // a notification's recipient
	// Template and Params are a notification's text, rendered in each reader's language.
	Template string   `json:"-"`
	Params   []string `json:"-"`
	// Object is what changed, as scope sees it (never sent to pages): who may see the message
	// is decided by access, as for reading the object itself.
	Object access.Object `json:"-"`
}

// Sub is one listener (an open page).
type Sub struct {
	C chan Message
	// Lagged is signalled when a message was dropped because the page did not keep up: the
	// page must reload what it shows.
	Lagged chan struct{}
	filter func(Message) bool
}

// Hub fans messages out to listeners. A listener that does not keep up loses messages rather than
// slowing the desk down, and is told so (Lagged): the page then reloads its list.
type Hub struct {
	mu   sync.Mutex
	subs map[*Sub]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*Sub]struct{}{}} }

// Subscribe registers a listener that receives the messages filter accepts.
func (h *Hub) Subscribe(filter func(Message) bool) *Sub {
	s := &Sub{C: make(chan Message, 64), Lagged: make(chan struct{}, 1), filter: filter}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Unsubscribe removes a listener.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// Deliver delivers m to this node's listeners (the feed calls it for every committed event).
func (h *Hub) Deliver(m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.filter != nil && !s.filter(m) {
			continue
		}
		select {
		case s.C <- m:
		default:
			select {
			case s.Lagged <- struct{}{}:
			default:
			}
		}
	}
}

// Listeners counts open listeners (for metrics and tests).
func (h *Hub) Listeners() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
