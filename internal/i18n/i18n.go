// Package i18n holds yiwang's user-facing texts as data (one JSON file per area and language under
// locales/) and picks the user's language. Simplified Chinese is the default; English is available.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

// Languages yiwang speaks, the default first.
const (
	ZH = "zh-CN"
	EN = "en"
)

//go:embed locales/*.json
var files embed.FS

// Catalog maps a message key to its text per language.
type Catalog struct {
	texts map[string]map[string]string // lang → key → text
}

// Load reads every locales/<area>.<lang>.json file.
func Load() (*Catalog, error) {
	c := &Catalog{texts: map[string]map[string]string{ZH: {}, EN: {}}}
	entries, err := fs.ReadDir(files, "locales")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		dot := strings.LastIndex(name, ".")
		if dot < 0 {
			return nil, fmt.Errorf("i18n: %s: want <area>.<lang>.json", e.Name())
		}
		lang := name[dot+1:]
		if _, ok := c.texts[lang]; !ok {
			return nil, fmt.Errorf("i18n: %s: unknown language %q", e.Name(), lang)
		}
		raw, err := files.ReadFile("locales/" + e.Name())
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		for k, v := range m {
			if _, dup := c.texts[lang][k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q defined twice", e.Name(), k)
			}
			c.texts[lang][k] = v
		}
	}
	return c, nil
}

// MustLoad is Load for program start, where a broken embedded catalogue is a build defect.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// T returns the text for key in lang, formatted with args; it falls back to Chinese, then to the key.
func (c *Catalog) T(lang, key string, args ...any) string {
	text, ok := c.texts[lang][key]
	if !ok {
		text, ok = c.texts[ZH][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.texts[lang][key]
	return ok
}

// Keys returns every key of lang (for tests that check both languages are complete).
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.texts[lang]))
	for k := range c.texts[lang] {
		keys = append(keys, k)
	}
	return keys
}

// FromRequest picks the language: ?lang=, then the "lang" cookie, then Accept-Language.
func FromRequest(r *http.Request) string {
	if l := Normalize(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if ck, err := r.Cookie("lang"); err == nil {
		if l := Normalize(ck.Value); l != "" {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if l := Normalize(tag); l != "" {
			return l
		}
	}
	return ZH
}

// Normalize maps a language tag to a supported language, or "".
func Normalize(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "":
		return ""
	case strings.HasPrefix(tag, "zh"):
		return ZH
	case strings.HasPrefix(tag, "en"):
		return EN
	}
	return ""
}
