package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The signed-in pages. Each renders the shell; its script (static/js/<page>.js) loads the data
// from the API, so the API's scope rules decide what the page shows.

func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageHome, "web.home.title")
	v.Data = map[string]any{"Links": quickLinks(v.User, v.T)}
	w.render(rw, r, http.StatusOK, "home", v)
}

// orgConfig tells the org page's script what the caller may do there.
type orgConfig struct {
	CanImport bool `json:"can_import"`
}

func (w *Web) org(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageOrg, "web.org.title")
	v.Script, v.Map = "org.js", true
	cfg := orgConfig{CanImport: may(v.User, access.TerritoryWrite)}
	v.Config, v.Data = cfg, cfg
	w.render(rw, r, http.StatusOK, "org", v)
}

// roleOption is a role the users page offers, with the kinds of org node it may be granted at
// (access.Role.NodeKinds, so the form offers only nodes the API accepts).
type roleOption struct {
	Role  access.Role `json:"role"`
	Name  string      `json:"name"`
	Kinds []string    `json:"kinds"`
}

type usersConfig struct {
	CanWrite bool         `json:"can_write"`
	Roles    []roleOption `json:"roles"`
	Self     string       `json:"self"`
}

func (w *Web) users(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageUsers, "web.users.title")
	v.Script = "users.js"
	cfg := usersConfig{CanWrite: may(v.User, access.UserWrite), Self: v.User.UserID}
	for _, role := range access.Roles {
		cfg.Roles = append(cfg.Roles, roleOption{Role: role, Name: v.T("role." + string(role)), Kinds: role.NodeKinds()})
	}
	v.Config, v.Data = cfg, cfg
	w.render(rw, r, http.StatusOK, "users", v)
}

// auditActions are the actions the audit filter offers; a value ending in "." selects every
// action that starts with it (the API's prefix filter).
var auditActions = []string{"auth.", "auth.login", "auth.mfa", "auth.mfa_enrol", "auth.logout", "auth.signup", "auth.change_password",
	"user.", "user.create", "user.disable", "user.enable", "user.reset_password", "user.mfa_reset", "user.grant", "user.revoke",
	"grid.import", "org.import", "case.", "case.report", "case.import", "case.photos", "case.reclassify", "case.reveal_contact", "category.",
	"routing.", "calendar.put", "apikey.", "apikey.create", "apikey.revoke", "delivery.retry"}

func (w *Web) audit(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageAudit, "web.audit.title")
	v.Script = "audit.js"
	v.Data = map[string]any{"Actions": auditActions}
	w.render(rw, r, http.StatusOK, "audit", v)
}

// apiKeys is the page of the Open311 client keys (a district-level sys_admin's): its script
// lists, issues and revokes them through /api/v1/apikeys.
func (w *Web) apiKeys(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageAPIKeys, "web.apikeys.title")
	v.Script = "apikeys.js"
	w.render(rw, r, http.StatusOK, "apikeys", v)
}

// scriptPage is a page whose template is a shell and whose script does the rest through the API
// (a module's list or settings page).
func (w *Web) scriptPage(id pageID, name, title string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		v := w.newView(r, id, title)
		v.Script = name + ".js"
		w.render(rw, r, http.StatusOK, name, v)
	}
}

func (w *Web) password(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pagePassword, "web.password.title")
	v.Script = "password.js"
	v.Data = map[string]any{"Must": v.User.MustChangePassword}
	w.render(rw, r, http.StatusOK, "password", v)
}
