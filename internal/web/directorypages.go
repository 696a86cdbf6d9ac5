package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The 一网速查 pages (service directory). The resident's two pages need no sign-in, like /public:
// /services searches (GET /api/v1/services/search, suggest, categories) and /services/{id}
// shows one service with its places, hours, map and the place that serves the resident's
// address (GET /api/v1/public/services/{id}[/serving]). /directory is the editors' page:
// entries, changes to review, places and their hours, import and export, synonyms and the
// searches that found nothing. Each renders a shell; its script calls package directory's API,
// which decides what the caller sees and may do.

// servicesConfig is handed to the resident's pages' scripts.
type servicesConfig struct {
	ServiceID string `json:"service_id,omitempty"`
	// SignedIn: the base map's configuration is for signed-in callers (ui/map.js newMap).
	SignedIn bool `json:"signed_in"`
	// Editor: the caller keeps service entries; the service page links to /directory.
	Editor bool `json:"editor"`
}

func newServicesConfig(p *access.Principal, id string) servicesConfig {
	cfg := servicesConfig{ServiceID: id, SignedIn: p != nil}
	if p != nil {
		cfg.Editor = holds(p, []access.Role{access.DirectoryEditor}, false)
	}
	return cfg
}

// services is the search page (一网速查): one box with suggestions, category chips and the
// filters 离我近, 现在开门 and 可网上办; the query stays in the address, so a search is shared
// as a link and the back button goes back to the previous search.
func (w *Web) services(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageServices, "directory_page.title")
	v.Script = "services.js"
	v.Texts = w.textsWith(v.Lang, "directory_page.")
	v.Config = newServicesConfig(v.User, "")
	w.render(rw, r, http.StatusOK, "services", v)
}

// service is one service's page: what to bring, fees, time limit, legal basis, the places with
// today's hours and a map, which window serves the resident's address, share.
func (w *Web) service(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !caseIDPattern.MatchString(id) {
		w.notFound(rw, r)
		return
	}
	v := w.newView(r, pageServices, "directory_page.title")
	v.Script, v.Map = "service.js", true
	v.Texts = w.textsWith(v.Lang, "directory_page.")
	v.Config = newServicesConfig(v.User, id)
	w.render(rw, r, http.StatusOK, "service", v)
}

// directoryUnit is a node where the caller holds directory_editor: the entries and places of
// its subtree are theirs to keep (the API scopes them anyway).
type directoryUnit struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// directoryConfig is handed to the editors' page's script: the units whose entries and places
// its forms offer.
type directoryConfig struct {
	Units []directoryUnit `json:"units"`
}

// directory is the editors' page (办事指南维护): every change waits for a second editor.
func (w *Web) directory(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageDirectory, "directory_page.editor_title")
	v.Script = "directory.js"
	v.Texts = w.textsWith(v.Lang, "directory_page.")
	cfg := directoryConfig{Units: []directoryUnit{}}
	for _, g := range v.User.Grants {
		if g.Role == access.DirectoryEditor {
			cfg.Units = append(cfg.Units, directoryUnit{Code: g.OrgCode, Name: g.OrgName, Kind: g.NodeKind})
		}
	}
	v.Config = cfg
	w.render(rw, r, http.StatusOK, "directory", v)
}
