package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/sms"
)

// SMS sends deliveries as text messages through the district's SMS gateway. The recipient is a
// sealed phone number: it is opened only here, at the moment of sending.
type SMS struct {
	Gateway sms.Gateway
	Vault   *pii.Vault
}

// Send opens the phone number and hands the message to the gateway.
func (c SMS) Send(ctx context.Context, d Delivery) error {
	phone, err := c.Vault.Open(d.Recipient)
	if err != nil || phone == "" {
		return fmt.Errorf("sms: the phone number cannot be read")
	}
	return c.Gateway.Send(ctx, sms.Message{Phone: phone, Template: "case_update", Params: []any{d.Text}})
}

// WeChat sends deliveries as WeChat template messages through the district's WeChat gateway
// (the service that holds the official account's credentials): it posts
// {"touser","template_id","data":{"first":{"value":text},"keyword1"…}} as the template-message
// API takes it, with the template IDs the district registered per text.
type WeChat struct {
	URL string
	// Templates maps a text's template key ("notify.case.dispatch.reporter") to the official
	// account's template ID; a key without one uses Default.
	Templates map[string]string
	Default   string
	Client    *http.Client
}

// Send posts one template message; any answer other than 2xx is an error.
func (c WeChat) Send(ctx context.Context, d Delivery) error {
	id := c.Templates[d.Template]
	if id == "" {
		id = c.Default
	}
	if id == "" {
		return fmt.Errorf("wechat: no template ID for %s", d.Template)
	}
	data := map[string]map[string]string{"first": {"value": d.Text}}
	for i, p := range d.Params {
		data[fmt.Sprintf("keyword%d", i+1)] = map[string]string{"value": p}
	}
	resp, err := httpx.PostJSON(ctx, c.Client, c.URL, map[string]any{"touser": d.Recipient, "template_id": id, "data": data},
		map[string]string{"Idempotency-Key": d.ID})
	if err != nil {
		return fmt.Errorf("wechat: %w", err)
	}
	defer resp.Body.Close()
	// The template-message API answers 200 with {"errcode":…} on refusal.
	var answer struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.NewDecoder(resp.Body).Decode(&answer) == nil && answer.ErrCode != 0 {
		return fmt.Errorf("wechat: error %d %s", answer.ErrCode, answer.ErrMsg)
	}
	return nil
}
