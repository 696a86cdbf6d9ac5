// Package sms sends text messages through a gateway. The log gateway, for demos and tests, writes
// each message to the log with the phone number masked; production districts plug in their
// operator's gateway behind the same interface.
package sms

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// Message is one text message: a template key and its parameters.
type Message struct {
	Phone    string
	Template string
	Params   []any
}

// Text renders the message in Chinese, the language of text messages: its texts are the
// catalogue's "sms.<template>" (locales/sms.*.json).
func (m Message) Text(c Texts) string {
	return c.T(i18n.ZH, "sms."+m.Template, m.Params...)
}

// Texts word messages: the i18n catalogue, or the district's templates in force
// (notify.Texts.Now).
type Texts interface {
	T(lang, key string, args ...any) string
}

// Gateway delivers messages.
type Gateway interface {
	Send(ctx context.Context, m Message) error
}

// LogGateway writes messages to the log instead of sending them (demo mode).
type LogGateway struct {
	Log     *slog.Logger
	Catalog Texts
	// ShowText puts the message text (a verification code) into the log: only in demo mode,
	// where no real gateway exists and the operator reads the codes from the log.
	ShowText bool
	mu       sync.Mutex
	// Sent keeps the messages for tests and the demo's operator, newest last.
	Sent []Message
}

// Send logs the message with the phone masked.
func (g *LogGateway) Send(ctx context.Context, m Message) error {
	g.mu.Lock()
	g.Sent = append(g.Sent, m)
	g.mu.Unlock()
	if g.ShowText {
		g.Log.InfoContext(ctx, "sms (demo log gateway: not sent)", "to", pii.MaskPhone(m.Phone), "text", m.Text(g.Catalog))
	} else {
		g.Log.WarnContext(ctx, "sms not delivered: no SMS gateway configured (set YIWANG_SMS_WEBHOOK)", "to", pii.MaskPhone(m.Phone), "template", m.Template)
	}
	return nil
}

// Last returns the newest message sent to phone.
func (g *LogGateway) Last(phone string) (Message, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := len(g.Sent) - 1; i >= 0; i-- {
		if g.Sent[i].Phone == phone {
			return g.Sent[i], true
		}
	}
	return Message{}, false
}

// Webhook posts each message as JSON {"phone","template","text"} to a district's SMS service.
type Webhook struct {
	URL     string
	Client  *http.Client
	Catalog Texts
}

// Send posts the message; any answer other than 2xx is an error.
func (g *Webhook) Send(ctx context.Context, m Message) error {
	resp, err := httpx.PostJSON(ctx, g.Client, g.URL, map[string]string{"phone": m.Phone, "template": m.Template, "text": m.Text(g.Catalog)}, nil)
	if err != nil {
		return fmt.Errorf("sms webhook: %w", err)
	}
	resp.Body.Close()
	return nil
}
