package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/configver"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// # Notification templates (通知模板)
//
// Every message the platform sends — in-app notifications (notify.*) and text messages (sms.*) —
// is a template of the i18n catalogue with positional parameters (a case number, a note, a
// date). A district may word a template its own way on the configuration page; each change is a
// version (package configver) effective from a chosen instant, so the wording in force when a
// message was made is the wording it keeps:
//   - an in-app notification is worded with the template in force when it was recorded, in the
//     reader's language;
//   - an SMS or WeChat message is worded with the template in force when it is sent.
//
// A district's text must keep the catalogue text's parameters, in order (so a case number stays
// a case number), and a Chinese text message must begin with its signature 【…】, as the SMS
// operators require of every message (工业和信息化部《关于加强短信息服务规范管理的通知》).

const templateArea = "notify.template"

// MaxTemplateRunes bounds a template's text: a few SMS segments, a notification's line.
const MaxTemplateRunes = 300

// Texts words messages: the district's version of a template in force at the instant, else the
// catalogue's text.
type Texts struct {
	Catalog *i18n.Catalog
	// Versions holds the district's versions (nil: the catalogue only).
	Versions *configver.Store
}

type templateData struct {
	// Text is the district's wording; "" puts the catalogue's text back.
	Text string `json:"text"`
}

// Format words key in lang at instant at with args.
func (t *Texts) Format(ctx context.Context, at time.Time, lang, key string, args ...any) string {
	if t == nil || t.Catalog == nil {
		return key
	}
	if text := t.custom(ctx, at, lang, key); text != "" {
		if len(args) == 0 {
			return text
		}
		return sprintf(text, args)
	}
	return t.Catalog.T(lang, key, args...)
}

// Strings is Format with the string parameters an event stores.
func (t *Texts) Strings(ctx context.Context, at time.Time, lang, key string, params []string) string {
	args := make([]any, len(params))
	for i, p := range params {
		args[i] = p
	}
	return t.Format(ctx, at, lang, key, args...)
}

// Now is the texts as a catalogue at the moment of each call, for senders that word a message
// when they send it (the SMS gateway).
func (t *Texts) Now() NowTexts { return NowTexts{t} }

// NowTexts words each message with the templates in force when it is worded.
type NowTexts struct{ t *Texts }

// T is Format now, without a request's context (the versions are cached in memory).
func (n NowTexts) T(lang, key string, args ...any) string {
	return n.t.Format(context.Background(), n.now(), lang, key, args...)
}

func (n NowTexts) now() time.Time {
	if n.t.Versions != nil && n.t.Versions.Now != nil {
		return n.t.Versions.Now()
	}
	return time.Now()
}

func (t *Texts) custom(ctx context.Context, at time.Time, lang, key string) string {
	if t.Versions == nil || !editable(key) {
		return ""
	}
	v, ok, err := t.Versions.At(ctx, templateArea, key+"|"+lang, at)
	if err != nil || !ok {
		// A database that cannot be read must not silence a message: the catalogue's text.
		return ""
	}
	var d templateData
	if json.Unmarshal(v.Data, &d) != nil {
		return ""
	}
	return d.Text
}

// editable reports whether key is a message template a district may word: notifications and text
// messages, not the pages' texts.
func editable(key string) bool {
	return strings.HasPrefix(key, "notify.") || strings.HasPrefix(key, "sms.")
}

// verbRE finds fmt's verbs in a template (%s, %d, %[2]s, %%).
var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists a text's parameters in order, %% left out.
func verbs(text string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(text, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// sprintf formats a district's text, whose verbs were checked to be the catalogue's.
func sprintf(text string, args []any) string {
	return fmt.Sprintf(text, args...)
}

// Template is one message template with its wording per language.
type Template struct {
	Key string `json:"key"`
	// Channel is "notify" (in-app, WeChat) or "sms" (text messages).
	Channel string `json:"channel"`
	// Params is how many parameters the text takes ({1}, {2} … on the page).
	Params int                     `json:"params"`
	Texts  map[string]TemplateText `json:"texts"`
}

// TemplateText is a template's wording in one language.
type TemplateText struct {
	Default string `json:"default"`
	Current string `json:"current"`
	// Custom is true when the text in force is the district's.
	Custom   bool                `json:"custom"`
	Versions []configver.Version `json:"versions"`
}

// languages are the languages a template is worded in.
var languages = []string{i18n.ZH, i18n.EN}

func needConfigure(ctx context.Context) (access.Scope, error) {
	return access.NeedDistrict(ctx, access.NotifyConfigure, "notify.config_district_only")
}

// Templates lists every message template with its wording now and its versions.
func (t *Texts) Templates(ctx context.Context) ([]Template, error) {
	if _, err := needConfigure(ctx); err != nil {
		return nil, err
	}
	versions, err := t.versions(ctx)
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, key := range t.Catalog.Keys(i18n.ZH) {
		if !editable(key) {
			continue
		}
		out = append(out, t.template(ctx, key, versions))
	}
	slices.SortFunc(out, func(a, b Template) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func (t *Texts) versions(ctx context.Context) (map[string][]configver.Version, error) {
	by := map[string][]configver.Version{}
	if t.Versions == nil {
		return by, nil
	}
	list, err := t.Versions.List(ctx, templateArea)
	if err != nil {
		return nil, err
	}
	for _, v := range list {
		by[v.Key] = append(by[v.Key], v)
	}
	return by, nil
}

func (t *Texts) template(ctx context.Context, key string, versions map[string][]configver.Version) Template {
	channel := "notify"
	if strings.HasPrefix(key, "sms.") {
		channel = "sms"
	}
	tpl := Template{Key: key, Channel: channel, Params: len(verbs(t.Catalog.T(i18n.ZH, key))), Texts: map[string]TemplateText{}}
	now := time.Now()
	if t.Versions != nil && t.Versions.Now != nil {
		now = t.Versions.Now()
	}
	for _, lang := range languages {
		def := t.Catalog.T(lang, key)
		custom := t.custom(ctx, now, lang, key)
		tt := TemplateText{Default: def, Current: def, Custom: custom != "", Versions: versions[key+"|"+lang]}
		if custom != "" {
			tt.Current = custom
		}
		if tt.Versions == nil {
			tt.Versions = []configver.Version{}
		}
		tpl.Texts[lang] = tt
	}
	return tpl
}

// TemplateChange is the body of PUT /api/v1/notify/templates/{key}.
type TemplateChange struct {
	Lang string `json:"lang"`
	// Text is the district's wording; "" puts the catalogue's text back.
	Text string `json:"text"`
	// EffectiveFrom is when it takes effect (zero: now; never the past).
	EffectiveFrom time.Time `json:"effective_from"`
}

// SetTemplate stores a district's wording of key as a version, audited.
func (t *Texts) SetTemplate(ctx context.Context, key string, c TemplateChange) (Template, error) {
	scope, err := needConfigure(ctx)
	if err != nil {
		return Template{}, err
	}
	if t.Versions == nil || !editable(key) || !t.Catalog.Has(i18n.ZH, key) {
		return Template{}, apperr.New(apperr.NotFound, "notify.template.unknown", key)
	}
	if !slices.Contains(languages, c.Lang) {
		return Template{}, apperr.New(apperr.Invalid, "notify.template.lang", c.Lang)
	}
	text := strings.TrimSpace(c.Text)
	if err := checkTemplate(key, c.Lang, text, t.Catalog.T(c.Lang, key)); err != nil {
		return Template{}, err
	}
	now := t.Versions.Now().UTC()
	from, err := configver.EffectiveFrom(c.EffectiveFrom, now, "notify.template.effective_in_past")
	if err != nil {
		return Template{}, err
	}
	actor := access.ActorOf(ctx, scope.Primary())
	before := t.custom(ctx, now, c.Lang, key)
	data, _ := json.Marshal(templateData{Text: text})
	err = t.Versions.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := t.Versions.Add(ctx, tx, templateArea, key+"|"+c.Lang, data, from, actor.Name); err != nil {
			return err
		}
		e := audit.For(actor, now, "notify.template.put", "notify_template", key+"|"+c.Lang)
		e.Before = audit.Summary(templateData{Text: before})
		e.After = audit.Summary(struct {
			Text          string    `json:"text"`
			EffectiveFrom time.Time `json:"effective_from"`
		}{text, from})
		_, err := audit.Append(ctx, t.Versions.DB, tx, e)
		return err
	})
	if err != nil {
		return Template{}, err
	}
	if err := t.Versions.Reload(ctx); err != nil {
		return Template{}, err
	}
	versions, err := t.versions(ctx)
	if err != nil {
		return Template{}, err
	}
	return t.template(ctx, key, versions), nil
}

// checkTemplate checks a district's text against the catalogue's: the same parameters in the
// same order, a length a message can carry, and an SMS's signature.
func checkTemplate(key, lang, text, def string) error {
	if text == "" {
		return nil
	}
	if n := utf8.RuneCountInString(text); n > MaxTemplateRunes {
		return apperr.New(apperr.Invalid, "notify.template.too_long", MaxTemplateRunes)
	}
	if !slices.Equal(verbs(text), verbs(def)) {
		return apperr.New(apperr.Invalid, "notify.template.params", len(verbs(def)), strings.Join(verbs(def), " "))
	}
	if strings.Count(text, "%")-2*strings.Count(text, "%%") != len(verbs(text)) {
		// A lone % would print as %!(NOVERB): write %% for a percent sign.
		return apperr.New(apperr.Invalid, "notify.template.percent")
	}
	if strings.HasPrefix(key, "sms.") && lang == i18n.ZH && !smsSignature.MatchString(text) {
		return apperr.New(apperr.Invalid, "notify.template.signature")
	}
	return nil
}

// smsSignature is a text message's leading signature: 【 2–12 characters 】.
var smsSignature = regexp.MustCompile(`^【[^【】]{2,12}】`)
