package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/sms"
)

// The WeChat channel posts a template message as the template-message API takes it, with the
// delivery's id as idempotency key, and treats a refusal in the answer (errcode) as a failure.
func TestWeChatTemplateMessage(t *testing.T) {
	var mu sync.Mutex
	var got map[string]any
	var key string
	answer := `{"errcode":0,"errmsg":"ok"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		key = r.Header.Get("Idempotency-Key")
		got = nil
		json.NewDecoder(r.Body).Decode(&got)
		w.Write([]byte(answer))
	}))
	defer srv.Close()
	ch := notify.WeChat{URL: srv.URL, Templates: map[string]string{"notify.case.close": "TPL-CLOSE"}, Default: "TPL-ANY"}
	d := notify.Delivery{ID: "d1", Channel: "wechat", Recipient: "oOPENID", Template: "notify.case.close",
		Params: []string{"N1", "井盖"}, Text: "您反映的问题 N1 已办结"}
	if err := ch.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	data, _ := got["data"].(map[string]any)
	first, _ := data["first"].(map[string]any)
	k1, _ := data["keyword1"].(map[string]any)
	if got["touser"] != "oOPENID" || got["template_id"] != "TPL-CLOSE" || first["value"] != d.Text || k1["value"] != "N1" || key != "d1" {
		t.Fatalf("posted %v (key %q)", got, key)
	}
	d.Template = "notify.case.dispatch"
	ch.Send(context.Background(), d)
	if got["template_id"] != "TPL-ANY" {
		t.Fatalf("a text without its own template used %v", got["template_id"])
	}
	answer = `{"errcode":43004,"errmsg":"require subscribe"}`
	if err := ch.Send(context.Background(), d); err == nil || !strings.Contains(err.Error(), "43004") {
		t.Fatalf("a refusal in the answer was not an error: %v", err)
	}
	if err := (notify.WeChat{URL: srv.URL}).Send(context.Background(), d); err == nil {
		t.Fatal("a text with no template ID was sent")
	}
}

// The SMS channel opens the sealed number only to send, through the district's gateway.
func TestSMSChannelOpensTheNumber(t *testing.T) {
	vault, err := pii.NewVault([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer srv.Close()
	ch := notify.SMS{Gateway: &sms.Webhook{URL: srv.URL, Catalog: i18n.MustLoad()}, Vault: vault}
	if err := ch.Send(context.Background(), notify.Delivery{Recipient: vault.Seal("13912345678"), Text: "案卷已办结"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0]["phone"] != "13912345678" || got[0]["text"] != "【一网统管】案卷已办结" {
		t.Fatalf("the gateway got %v", got)
	}
	if err := ch.Send(context.Background(), notify.Delivery{Recipient: "not sealed"}); err == nil || len(got) != 1 {
		t.Fatal("an unreadable number was sent")
	}
}
