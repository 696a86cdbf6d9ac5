package web

import (
	"net/http"
	"slices"
)

// settingsSections are the configuration pages' sections, in the order of their tabs; the
// first is shown at /settings.
var settingsSections = []string{"categories", "routing", "calendar", "templates", "gateways", "whistle"}

// settingsConfig tells the page's script which section to show.
type settingsConfig struct {
	Section string `json:"section"`
}

// settings is the configuration pages (系统配置) of the district's sys_admin: the category
// catalogue and time limits, the routing rules with their tester, the work calendar, the message
// templates, the gateways and the whistle rules. The script does the work through the API, which
// checks the permissions again.
func (w *Web) settings(rw http.ResponseWriter, r *http.Request) {
	section := r.PathValue("section")
	if section == "" {
		section = settingsSections[0]
	}
	if !slices.Contains(settingsSections, section) {
		w.notFound(rw, r)
		return
	}
	v := w.newView(r, pageSettings, "settings.title")
	v.Script, v.Map = "settings.js", section == "routing"
	v.Texts = w.textsWith(v.Lang, "settings.", "whistle_page.kind", "whistle_page.limit.", "whistle_page.sep", "whistle_page.flag_summary")
	v.Config = settingsConfig{Section: section}
	v.Data = map[string]any{"Section": section, "Sections": settingsSections}
	w.render(rw, r, http.StatusOK, "settings", v)
}
