package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// HTTP serves the notification list, the live stream and the outside deliveries (for the
// district's sys_admin).
type HTTP struct {
	Notify *Service
	R      *httpx.Responder
	// Heartbeat keeps proxies from closing an idle stream.
	Heartbeat time.Duration
	// Kinds are the kinds of object whose changes the stream carries (each module's).
	Kinds []access.Kind
	// Deliverer sends outside deliveries, as a periodic job (nil: none are sent by this node).
	Deliverer *Deliverer
	// Deliveries lists outside deliveries and retries failed ones (the sys_admin's view).
	Deliveries *Deliveries
	// Texts words notifications (the district's templates, else the catalogue's).
	Texts *Texts
	// Gateways are the SMS and WeChat gateway settings (the configuration page).
	Gateways *Gateways
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/notifications", h.list)
	mux.HandleFunc("POST /api/v1/notifications/{id}/read", h.read)
	mux.HandleFunc("GET /api/v1/stream", h.stream)
	mux.HandleFunc("GET /api/v1/deliveries", h.listDeliveries)
	mux.HandleFunc("POST /api/v1/deliveries/{id}/retry", h.retryDelivery)
	if h.Texts != nil && h.Gateways != nil {
		h.registerConfig(mux)
	}
}

func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	list, unread, err := h.Notify.List(r.Context(), 50)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	for i, n := range list {
		if n.template != "" {
			list[i].Text = h.render(r.Context(), n.CreatedAt, lang, n.template, n.params)
		}
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
// objects that their scope for the object's kind reaches (scopes: kind → scope; access decides,
// as for reading the object).
func Filter(p *access.Principal, scopes map[string]access.Scope) func(Message) bool {
	return func(m Message) bool {
		if m.Kind == "notification" {
			return m.UserID == p.UserID
		}
		s, ok := scopes[m.Object.Kind]
		return ok && s.Reaches(m.Object)
	}
}

// Scopes is the caller's scope for every kind of object whose changes are streamed live; kinds
// the caller may not read are left out.
func Scopes(ctx context.Context, kinds []access.Kind) (map[string]access.Scope, error) {
	out := map[string]access.Scope{}
	for _, k := range kinds {
		s, err := access.Need(ctx, k.Read)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Forbidden {
				continue
			}
			return nil, err
		}
		out[k.Name] = s
	}
	return out, nil
}

// stream is a Server-Sent Events stream of live updates for the caller.
func (h *HTTP) stream(w http.ResponseWriter, r *http.Request) {
	p, ok := access.From(r.Context())
	if !ok {
		h.R.Error(w, r, apperr.New(apperr.Unauthenticated, "auth.required"))
		return
	}
	scopes, err := Scopes(r.Context(), h.Kinds)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		h.R.Error(w, r, apperr.New(apperr.Internal, "error.internal"))
		return
	}
	lang := i18n.FromRequest(r)
	sub := h.Notify.Hub.Subscribe(Filter(p, scopes))
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
		case <-sub.Lagged:
			// Messages were dropped: the page reloads rather than show a list with gaps.
			fmt.Fprint(w, "event: resync\ndata: {}\n\n")
		case m := <-sub.C:
			if m.Template != "" {
				m.Text = h.render(r.Context(), m.At, lang, m.Template, m.Params)
			}
			b, _ := json.Marshal(m)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.Kind, strings.ReplaceAll(string(b), "\n", ""))
		}
		flusher.Flush()
	}
}

// render is a notification's text in lang, worded as the template was when it was recorded.
func (h *HTTP) render(ctx context.Context, at time.Time, lang, template string, params []string) string {
	texts := h.Texts
	if texts == nil {
		texts = &Texts{Catalog: h.R.Catalog}
	}
	return texts.Strings(ctx, at, lang, template, params)
}
