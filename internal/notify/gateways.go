package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/configver"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/sms"
)

// # Gateway settings (网关设置)
//
// Messages leave the platform through two gateways the district runs: its SMS service (a webhook
// taking {phone, template, text}) and its WeChat official account's template-message service.
// The district's sys_admin sets them on the configuration page; each change is a version
// (configver) effective from a chosen instant, audited. Until the page sets a gateway, the
// command line's (--sms-webhook, --wechat-webhook, --wechat-template) applies; with neither,
// SMS go to the log (demo) and WeChat deliveries wait as failures the sys_admin sees.
//
// A gateway's address usually carries its access token, so it is sealed at rest (pii.Vault) and
// shown masked (scheme and host only); a send is worded and addressed when it happens, so every
// node follows a change within seconds (the versions' cache).

const gatewayArea = "notify.gateway"

// GatewaySettings are one channel's settings. SMS uses URL; WeChat all three.
type GatewaySettings struct {
	URL string `json:"url"`
	// DefaultTemplate is the WeChat template ID for texts without one of their own.
	DefaultTemplate string `json:"default_template,omitempty"`
	// Templates maps a notification template key to its WeChat template ID.
	Templates map[string]string `json:"templates,omitempty"`
}

// Sealer seals a gateway's settings at rest (pii.Vault).
type Sealer interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
}

// Gateways resolve the gateway settings in force and send through them.
type Gateways struct {
	Versions *configver.Store
	Vault    Sealer
	// Flags are the command line's settings, by channel ("sms", "wechat").
	Flags map[string]GatewaySettings
	// Texts word text messages (the district's templates in force).
	Texts *Texts
	// Fallback takes text messages when no SMS gateway is set (the log gateway).
	Fallback sms.Gateway
	Client   *http.Client
}

// Channels are the gateway channels.
var Channels = []string{"sms", "wechat"}

type sealedSettings struct {
	Sealed string `json:"sealed"`
}

// At returns the settings of channel in force at t and where they come from: "page", "command_line"
// or "none".
func (g *Gateways) At(ctx context.Context, channel string, t time.Time) (GatewaySettings, string, error) {
	if g.Versions != nil {
		v, ok, err := g.Versions.At(ctx, gatewayArea, channel, t)
		if err != nil {
			return GatewaySettings{}, "", err
		}
		if ok {
			s, err := g.open(v.Data)
			if err != nil {
				return GatewaySettings{}, "", err
			}
			if s.URL != "" {
				return s, "page", nil
			}
		}
	}
	if s := g.Flags[channel]; s.URL != "" {
		return s, "command_line", nil
	}
	return GatewaySettings{}, "none", nil
}

func (g *Gateways) open(data []byte) (GatewaySettings, error) {
	var sealed sealedSettings
	var s GatewaySettings
	if err := json.Unmarshal(data, &sealed); err != nil {
		return s, fmt.Errorf("gateway settings: %w", err)
	}
	if sealed.Sealed == "" {
		return s, nil
	}
	plain, err := g.Vault.Open(sealed.Sealed)
	if err != nil {
		return s, fmt.Errorf("gateway settings: %w", err)
	}
	err = json.Unmarshal([]byte(plain), &s)
	return s, err
}

func (g *Gateways) now() time.Time {
	if g.Versions != nil && g.Versions.Now != nil {
		return g.Versions.Now()
	}
	return time.Now()
}

// SMS is the SMS gateway in force at each send.
func (g *Gateways) SMS() sms.Gateway { return smsSwitch{g} }

type smsSwitch struct{ g *Gateways }

func (s smsSwitch) Send(ctx context.Context, m sms.Message) error {
	set, _, err := s.g.At(ctx, "sms", s.g.now())
	if err != nil {
		return err
	}
	if set.URL == "" {
		return s.g.Fallback.Send(ctx, m)
	}
	return (&sms.Webhook{URL: set.URL, Client: s.g.Client, Catalog: s.g.Texts.Now()}).Send(ctx, m)
}

// WeChat is the WeChat template-message channel in force at each send.
func (g *Gateways) WeChat() Channel { return wechatSwitch{g} }

type wechatSwitch struct{ g *Gateways }

func (s wechatSwitch) Send(ctx context.Context, d Delivery) error {
	set, _, err := s.g.At(ctx, "wechat", s.g.now())
	if err != nil {
		return err
	}
	if set.URL == "" {
		return errors.New("no wechat channel is configured")
	}
	return WeChat{URL: set.URL, Templates: set.Templates, Default: set.DefaultTemplate, Client: s.g.Client}.Send(ctx, d)
}

// GatewayView is a channel's settings as the page shows them: the address masked.
type GatewayView struct {
	Channel string `json:"channel"`
	// Source is "page", "command_line" or "none".
	Source          string            `json:"source"`
	URL             string            `json:"url"`
	DefaultTemplate string            `json:"default_template,omitempty"`
	Templates       map[string]string `json:"templates,omitempty"`
	// Versions are the page's versions, addresses masked.
	Versions []GatewayVersion `json:"versions"`
}

// GatewayVersion is one saved version, masked.
type GatewayVersion struct {
	EffectiveFrom time.Time `json:"effective_from"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
	State         string    `json:"state"`
	URL           string    `json:"url"`
}

// MaskURL keeps an address's scheme and host: its path and query may hold a token.
func MaskURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "…"
	}
	if u.Path == "" && u.RawQuery == "" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// View returns every channel's settings for the page.
func (g *Gateways) View(ctx context.Context) ([]GatewayView, error) {
	if _, err := needConfigure(ctx); err != nil {
		return nil, err
	}
	var versions []configver.Version
	if g.Versions != nil {
		var err error
		if versions, err = g.Versions.List(ctx, gatewayArea); err != nil {
			return nil, err
		}
	}
	out := make([]GatewayView, 0, len(Channels))
	for _, ch := range Channels {
		set, source, err := g.At(ctx, ch, g.now())
		if err != nil {
			return nil, err
		}
		v := GatewayView{Channel: ch, Source: source, URL: MaskURL(set.URL), DefaultTemplate: set.DefaultTemplate,
			Templates: set.Templates, Versions: []GatewayVersion{}}
		for _, ver := range versions {
			if ver.Key != ch {
				continue
			}
			s, err := g.open(ver.Data)
			if err != nil {
				return nil, err
			}
			v.Versions = append(v.Versions, GatewayVersion{EffectiveFrom: ver.EffectiveFrom, CreatedAt: ver.CreatedAt,
				CreatedBy: ver.CreatedBy, State: ver.State, URL: MaskURL(s.URL)})
		}
		out = append(out, v)
	}
	return out, nil
}

// GatewayChange is the body of PUT /api/v1/notify/gateways/{channel}.
type GatewayChange struct {
	GatewaySettings
	// EffectiveFrom is when it takes effect (zero: now; never the past).
	EffectiveFrom time.Time `json:"effective_from"`
}

// templateIDRE is a WeChat template ID's form.
var templateIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (g *Gateways) check(channel string, s GatewaySettings) error {
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s.URL) > 1000 {
			return apperr.New(apperr.Invalid, "notify.gateway.url")
		}
	}
	if channel == "sms" && (s.DefaultTemplate != "" || len(s.Templates) > 0) {
		return apperr.New(apperr.Invalid, "notify.gateway.sms_templates")
	}
	if s.DefaultTemplate != "" && !templateIDRE.MatchString(s.DefaultTemplate) {
		return apperr.New(apperr.Invalid, "notify.gateway.template_id", s.DefaultTemplate)
	}
	for key, id := range s.Templates {
		if !editable(key) || !g.Texts.Catalog.Has(i18n.ZH, key) {
			return apperr.New(apperr.Invalid, "notify.template.unknown", key)
		}
		if !templateIDRE.MatchString(id) {
			return apperr.New(apperr.Invalid, "notify.gateway.template_id", id)
		}
	}
	return nil
}

// Set stores channel's settings as a version, sealed and audited (the address masked in the
// audit record). An empty address hands the channel back to the command line's setting.
func (g *Gateways) Set(ctx context.Context, channel string, c GatewayChange) (GatewayView, error) {
	scope, err := needConfigure(ctx)
	if err != nil {
		return GatewayView{}, err
	}
	if channel != "sms" && channel != "wechat" {
		return GatewayView{}, apperr.New(apperr.NotFound, "notify.gateway.unknown", channel)
	}
	if err := g.check(channel, c.GatewaySettings); err != nil {
		return GatewayView{}, err
	}
	now := g.now().UTC()
	from, err := configver.EffectiveFrom(c.EffectiveFrom, now, "notify.template.effective_in_past")
	if err != nil {
		return GatewayView{}, err
	}
	before, _, err := g.At(ctx, channel, now)
	if err != nil {
		return GatewayView{}, err
	}
	plain, _ := json.Marshal(c.GatewaySettings)
	data, _ := json.Marshal(sealedSettings{Sealed: g.Vault.Seal(string(plain))})
	actor := access.ActorOf(ctx, scope.Primary())
	err = g.Versions.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := g.Versions.Add(ctx, tx, gatewayArea, channel, data, from, actor.Name); err != nil {
			return err
		}
		e := audit.For(actor, now, "notify.gateway.put", "notify_gateway", channel)
		e.Before = audit.Summary(masked(before))
		e.After = audit.Summary(struct {
			GatewaySettings
			EffectiveFrom time.Time `json:"effective_from"`
		}{masked(c.GatewaySettings), from})
		_, err := audit.Append(ctx, g.Versions.DB, tx, e)
		return err
	})
	if err != nil {
		return GatewayView{}, err
	}
	if err := g.Versions.Reload(ctx); err != nil {
		return GatewayView{}, err
	}
	views, err := g.View(ctx)
	if err != nil {
		return GatewayView{}, err
	}
	for _, v := range views {
		if v.Channel == channel {
			return v, nil
		}
	}
	return GatewayView{}, nil
}

func masked(s GatewaySettings) GatewaySettings {
	s.URL = MaskURL(s.URL)
	return s
}

// TestResult is what a test message through a gateway gave.
type TestResult struct {
	Channel string `json:"channel"`
	Source  string `json:"source"`
	Sent    bool   `json:"sent"`
	// Error is the gateway's refusal (when not sent).
	Error string `json:"error,omitempty"`
}

// openIDRE is a WeChat open ID's form.
var openIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)

// Test sends one test message to to (a mobile number, an open ID) through channel's gateway in
// force now and says what the gateway answered; audited, with the recipient masked.
func (g *Gateways) Test(ctx context.Context, channel, to string) (TestResult, error) {
	scope, err := needConfigure(ctx)
	if err != nil {
		return TestResult{}, err
	}
	now := g.now().UTC()
	res := TestResult{Channel: channel}
	var sendErr error
	var shown string
	switch channel {
	case "sms":
		phone, ok := pii.NormalizePhone(to)
		if !ok {
			return res, apperr.New(apperr.Invalid, "notify.gateway.phone")
		}
		shown = pii.MaskPhone(phone)
		_, res.Source, err = g.At(ctx, channel, now)
		if err != nil {
			return res, err
		}
		sendErr = g.SMS().Send(ctx, sms.Message{Phone: phone, Template: "gateway_test"})
	case "wechat":
		if !openIDRE.MatchString(to) {
			return res, apperr.New(apperr.Invalid, "notify.gateway.openid")
		}
		shown = to[:3] + "…"
		_, res.Source, err = g.At(ctx, channel, now)
		if err != nil {
			return res, err
		}
		text := g.Texts.Format(ctx, now, i18n.ZH, "notify.gateway_test")
		sendErr = g.WeChat().Send(ctx, Delivery{ID: "test-" + now.Format("20060102150405.000"), Channel: "wechat", Recipient: to,
			Template: "notify.gateway_test", Text: text})
	default:
		return res, apperr.New(apperr.NotFound, "notify.gateway.unknown", channel)
	}
	res.Sent = sendErr == nil
	if sendErr != nil {
		res.Error = sendErr.Error()
	}
	e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "notify.gateway.test", "notify_gateway", channel)
	e.After = audit.Summary(struct {
		To    string `json:"to"`
		Sent  bool   `json:"sent"`
		Error string `json:"error,omitempty"`
	}{shown, res.Sent, res.Error})
	if !res.Sent {
		e.Result = audit.Failed
	}
	if err := audit.Record(ctx, g.Versions.DB, e); err != nil {
		return res, err
	}
	return res, nil
}
