package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// orgConfig tells the org page's script what the caller may do there: import grids and edit the
// tree (add, rename, move, retire; grids to zones, grid workers to grids) go with territory.write.
type orgConfig struct {
	CanImport bool `json:"can_import"`
	CanEdit   bool `json:"can_edit"`
}

func (w *Web) org(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageOrg, "web.org.title")
	v.Script, v.Map = "org.js", true
	write := may(v.User, access.TerritoryWrite)
	cfg := orgConfig{CanImport: write, CanEdit: write}
	v.Config, v.Data = cfg, cfg
	if write {
		v.Texts = w.textsWith(v.Lang, "orgedit_page.")
	}
	w.render(rw, r, http.StatusOK, "org", v)
}
