// Package consent holds the texts a resident agrees to — the 用户协议 (terms) and the 隐私政策
// (privacy policy) — with their versions, and the record of who accepted which version when
// (个人信息保护法 第十四条、第十七条: consent on full information, in clear words; GB/T 35273-2020
// 5.4 and 8.4: show what is collected, why, for how long, and the person's rights).
//
// A text's version is in versions.json beside it, with the SHA-256 of both languages' texts: a
// test fails when a text changes and its version does not, because residents are asked to agree
// again whenever the version changes.
package consent

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// The documents, by code name.
const (
	Terms   = "terms"
	Privacy = "privacy"
)

// Documents are every document a resident accepts, in the order they are shown.
var Documents = []string{Terms, Privacy}

//go:embed texts/*.html versions.json
var files embed.FS

// Version is a document's version as versions.json records it.
type Version struct {
	Version   string            `json:"version"`
	Effective string            `json:"effective"` // date (YYYY-MM-DD) the version takes effect
	SHA256    map[string]string `json:"sha256"`    // language → SHA-256 of the text file
}

// Texts are the documents and their versions in force.
type Texts struct {
	mu       sync.RWMutex
	versions map[string]Version
}

// Load reads the shipped documents' versions.
func Load() (*Texts, error) {
	raw, err := files.ReadFile("versions.json")
	if err != nil {
		return nil, fmt.Errorf("consent: read versions: %w", err)
	}
	var v map[string]Version
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("consent: versions.json: %w", err)
	}
	for _, doc := range Documents {
		if v[doc].Version == "" {
			return nil, fmt.Errorf("consent: versions.json has no version of %s", doc)
		}
	}
	return &Texts{versions: v}, nil
}

// Current returns the version in force of each document.
func (t *Texts) Current() map[string]string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[string]string, len(t.versions))
	for doc, v := range t.versions {
		out[doc] = v.Version
	}
	return out
}

// Effective is the date the version in force of doc took effect.
func (t *Texts) Effective(doc string) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.versions[doc].Effective
}

// SetVersion puts a new version of doc in force (tests; a deployment ships new texts instead).
func (t *Texts) SetVersion(doc, version string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v := t.versions[doc]
	v.Version = version
	t.versions[doc] = v
}

// HTML is the text of doc in lang (zh-CN when lang has none), shipped with the binary: trusted
// markup, written by the project.
func (t *Texts) HTML(doc, lang string) (template.HTML, error) {
	if lang != i18n.EN {
		lang = i18n.ZH
	}
	raw, err := files.ReadFile("texts/" + doc + "." + lang + ".html")
	if err != nil {
		return "", fmt.Errorf("consent: no text of %s in %s: %w", doc, lang, err)
	}
	return template.HTML(raw), nil //nolint:gosec // embedded, written by the project
}

// Known reports whether doc is a document's code name.
func Known(doc string) bool { return doc == Terms || doc == Privacy }

// Record is one acceptance.
type Record struct {
	Document   string    `json:"document"`
	Version    string    `json:"version"`
	AcceptedAt time.Time `json:"accepted_at"`
}

// Accept records that userID accepted the versions in force now (inside the caller's
// transaction). Accepting a version already accepted changes nothing.
func (t *Texts) Accept(ctx context.Context, d *db.DB, tx *sql.Tx, userID string, at time.Time) error {
	for _, doc := range Documents {
		version := t.Current()[doc]
		if _, err := d.TxExec(ctx, tx, `INSERT INTO consents (id, user_id, document, version, accepted_at)
			VALUES ($1,$2,$3,$4,$5) ON CONFLICT (user_id, document, version) DO NOTHING`,
			db.NewID(), userID, doc, version, at.UTC()); err != nil {
			return fmt.Errorf("record consent of %s to %s %s: %w", userID, doc, version, err)
		}
	}
	return nil
}

// Needed returns the documents whose version in force userID has not accepted.
func (t *Texts) Needed(ctx context.Context, d *db.DB, userID string) ([]string, error) {
	accepted, err := History(ctx, d, userID)
	if err != nil {
		return nil, err
	}
	current := t.Current()
	var needed []string
	for _, doc := range Documents {
		found := false
		for _, r := range accepted {
			found = found || (r.Document == doc && r.Version == current[doc])
		}
		if !found {
			needed = append(needed, doc)
		}
	}
	return needed, nil
}

// History is every acceptance of userID, oldest first.
func History(ctx context.Context, d *db.DB, userID string) ([]Record, error) {
	rows, err := d.Query(ctx, `SELECT document, version, accepted_at FROM consents WHERE user_id = $1
		ORDER BY accepted_at, document`, userID)
	if err != nil {
		return nil, fmt.Errorf("consents of %s: %w", userID, err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Document, &r.Version, &r.AcceptedAt); err != nil {
			return nil, fmt.Errorf("consents of %s: %w", userID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
