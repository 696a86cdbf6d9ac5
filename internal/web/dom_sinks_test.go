package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestScriptsNeverParseDataAsHTML: issue 10 item 8. Text enters the DOM as text (el(),
// textContent, ui/map.js textTip), never parsed as HTML: no innerHTML, outerHTML,
// insertAdjacentHTML or document.write, and Leaflet's bindTooltip/bindPopup/setContent, which
// take a string as HTML, are given an element, never a string or a template string.
func TestScriptsNeverParseDataAsHTML(t *testing.T) {
	sinks := regexp.MustCompile(`\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|createContextualFragment|srcdoc`)
	leafletString := regexp.MustCompile("\\.(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\\(\\s*[`'\"]")
	err := fs.WalkDir(staticFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") || strings.Contains(path, "vendor/") {
			return err
		}
		b, err := fs.ReadFile(staticFiles, path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if sinks.MatchString(line) || leafletString.MatchString(line) {
				t.Errorf("%s:%d parses text as HTML: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
