package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// onboardConfig tells the onboarding page's script which imports the caller may run: the org
// tree is the sys_admin's, accounts the sec_admin's (三员分立), so each sees one of the two.
type onboardConfig struct {
	Org   bool `json:"org"`
	Users bool `json:"users"`
}

// onboard is the onboarding page (上线导入): templates to download, a dry run, then the import.
func (w *Web) onboard(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageOnboard, "onboard.title")
	v.Script = "onboard.js"
	cfg := onboardConfig{Org: may(v.User, access.TerritoryWrite), Users: may(v.User, access.UserWrite)}
	var kinds []string
	if cfg.Org {
		kinds = append(kinds, "org")
	}
	if cfg.Users {
		kinds = append(kinds, "users")
	}
	v.Config, v.Data = cfg, map[string]any{"Kinds": kinds}
	v.Texts = w.textsWith(v.Lang, "onboard.")
	w.render(rw, r, http.StatusOK, "onboard", v)
}
