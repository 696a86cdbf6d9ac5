package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// A text that changes without a new version would never be put before residents again: the
// hashes in versions.json pin each version's words. Change the text → raise the version and
// write the new hashes (the failure message gives them).
func TestEveryTextChangeHasANewVersion(t *testing.T) {
	texts, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range Documents {
		for _, lang := range []string{"zh-CN", "en"} {
			raw, err := files.ReadFile("texts/" + doc + "." + lang + ".html")
			if err != nil {
				t.Fatalf("%s in %s: %v", doc, lang, err)
			}
			sum := sha256.Sum256(raw)
			if got, want := hex.EncodeToString(sum[:]), texts.versions[doc].SHA256[lang]; got != want {
				t.Errorf("%s (%s) changed: raise its version in versions.json and set its sha256 to %s", doc, lang, got)
			}
			if strings.Contains(string(raw), "<script") || strings.Contains(string(raw), "=\"") {
				t.Errorf("%s (%s): plain markup only, no scripts or attributes", doc, lang)
			}
		}
		if texts.Effective(doc) == "" {
			t.Errorf("%s has no effective date", doc)
		}
	}
}

func TestSetVersion(t *testing.T) {
	texts, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	texts.SetVersion(Privacy, "9.9")
	if texts.Current()[Privacy] != "9.9" || texts.Current()[Terms] != "1.0" {
		t.Fatalf("versions: %v", texts.Current())
	}
	if h, err := texts.HTML(Terms, "fr"); err != nil || !strings.Contains(string(h), "一网统管") {
		t.Fatalf("a language without a text falls back to Chinese: %v", err)
	}
}
