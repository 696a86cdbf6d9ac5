package notify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// HTTP serves the notification list and the live stream.
type HTTP struct {
	Notify *Service
	R      *httpx.Responder
	// Heartbeat keeps proxies from closing an idle stream.
	Heartbeat time.Duration
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/notifications", h.list)
	mux.HandleFunc("POST /api/v1/notifications/{id}/read", h.read)
	mux.HandleFunc("GET /api/v1/stream", h.stream)
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	list, unread, err := h.Notify.List(r.Context(), 50)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"notifications": list, "unread": unread})
}

func (h *HTTP) read(w http.ResponseWriter, r *http.Request) {
	if err := h.Notify.MarkRead(r.Context(), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Filter returns the messages a caller may see live: their own notifications, and changes of
// cases their case scope reaches.
func Filter(p *access.Principal, scope access.Scope) func(Message) bool {
	return func(m Message) bool {
		if m.Kind == "notification" {
			return m.UserID == p.UserID
		}
		if scope.UserID != "" && m.Reporter == scope.UserID {
			return true
		}
		for _, d := range scope.Departments {
			if slices.Contains(m.Depts, d) {
				return true
			}
		}
		return m.Path != "" && scope.Covers(m.Path)
	}
}

// stream is a Server-Sent Events stream of live updates for the caller.
func (h *HTTP) stream(w http.ResponseWriter, r *http.Request) {
	p, ok := access.From(r.Context())
	if !ok {
		h.R.Error(w, r, apperr.New(apperr.Unauthenticated, "auth.required"))
		return
	}
	scope, err := access.Need(r.Context(), access.CaseRead)
	if err != nil && apperr.CodeOf(err) != apperr.Forbidden {
		h.R.Error(w, r, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		h.R.Error(w, r, apperr.New(apperr.Internal, "error.internal"))
		return
	}
	sub := h.Notify.Hub.Subscribe(Filter(p, scope))
	defer h.Notify.Hub.Unsubscribe(sub)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n: connected\n\n")
	flusher.Flush()
	beat := h.Heartbeat
	if beat == 0 {
		beat = 25 * time.Second
	}
	ticker := time.NewTicker(beat)
	defer ticker.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ticker.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case m := <-sub.C:
			b, _ := json.Marshal(m)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.Kind, strings.ReplaceAll(string(b), "\n", ""))
		}
		flusher.Flush()
	}
}
