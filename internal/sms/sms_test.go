package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/i18n"
)

func TestWebhookPostsMessage(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
		if got["phone"] == "13900000000" {
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	g := &Webhook{URL: srv.URL, Catalog: i18n.MustLoad()}
	m := Message{Phone: "13812341234", Template: "verification_code", Params: []any{"123456", 5}}
	if err := g.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got["phone"] != "13812341234" || !strings.Contains(got["text"], "123456") || !strings.Contains(got["text"], "5 分钟") {
		t.Fatalf("posted %v", got)
	}
	m.Phone = "13900000000"
	if err := g.Send(context.Background(), m); err == nil {
		t.Fatal("a failing gateway was not reported")
	}
}

func TestLogGatewayMasksPhoneAndHidesCodesOutsideDemo(t *testing.T) {
	var buf bytes.Buffer
	g := &LogGateway{Log: slog.New(slog.NewTextHandler(&buf, nil)), Catalog: i18n.MustLoad()}
	g.Send(context.Background(), Message{Phone: "13812341234", Template: "verification_code", Params: []any{"654321", 5}})
	if strings.Contains(buf.String(), "13812341234") || strings.Contains(buf.String(), "654321") || !strings.Contains(buf.String(), "138****1234") {
		t.Fatalf("log: %s", buf.String())
	}
	buf.Reset()
	g.ShowText = true
	g.Send(context.Background(), Message{Phone: "13812341234", Template: "verification_code", Params: []any{"654321", 5}})
	if !strings.Contains(buf.String(), "654321") || strings.Contains(buf.String(), "13812341234") {
		t.Fatalf("demo log: %s", buf.String())
	}
	if m, ok := g.Last("13812341234"); !ok || m.Params[0] != "654321" {
		t.Fatal("Last")
	}
}
