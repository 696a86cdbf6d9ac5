package web

import (
	"net/http"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The signed-in pages. Each renders the shell; its script (static/js/<page>.js) loads the data
// from the API, so the API's scope rules decide what the page shows.

func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageHome, "web.home.title")
	v.Data = map[string]any{"Links": quickLinks(v.User, v.T)}
	w.render(rw, r, http.StatusOK, "home", v)
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
	"grid.import", "org.import", "case.", "case.report", "case.import", "case.photos", "case.reclassify", "case.reveal_contact", "case.publication", "category.",
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

// dashboardRoot is where the dashboard's drill-down starts: the widest node at which the caller
// holds a role that reads indicators (a district leader starts at the district, a subdistrict's
// shift lead at the subdistrict). The API scopes the figures anyway.
type dashboardRoot struct {
	Kind string `json:"kind"` // district, subdistrict, community (the org node kinds)
	Code string `json:"code"`
	Name string `json:"name"`
}

// dashboardRootOf picks the grant nearest the top of the tree among those carrying eval.read.
func dashboardRootOf(p *access.Principal) dashboardRoot {
	var root dashboardRoot
	depth := 0
	for _, g := range p.Grants {
		if access.Allowed(g.Role, access.EvalRead) == access.None {
			continue
		}
		if d := strings.Count(g.OrgPath, "/"); depth == 0 || d < depth {
			depth, root = d, dashboardRoot{Kind: g.NodeKind, Code: g.OrgCode, Name: g.OrgName}
		}
	}
	return root
}

// dashboard is the leaders' dashboard (领导驾驶舱): its script draws the indicators, rankings,
// trend, map and live feed from the eval and case APIs.
func (w *Web) dashboard(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageDashboard, "dashboard.title")
	v.Script, v.Map = "dashboard.js", true
	v.Config = map[string]any{"root": dashboardRootOf(v.User)}
	w.render(rw, r, http.StatusOK, "dashboard", v)
}

// textsWith is the page's script texts (jsTextPrefixes) with the catalogue keys starting with
// one of prefixes added: texts only one page needs stay out of every other page.
func (w *Web) textsWith(lang string, prefixes ...string) map[string]string {
	texts := make(map[string]string, len(w.jsTexts[lang])+200)
	for k, v := range w.jsTexts[lang] {
		texts[k] = v
	}
	for _, key := range w.cfg.Catalog.Keys(lang) {
		for _, prefix := range prefixes {
			if strings.HasPrefix(key, prefix) {
				texts[key] = w.cfg.Catalog.T(lang, key)
			}
		}
	}
	return texts
}

// evalTexts are the indicators' names the eval pages show (package eval's catalogue).
var evalTexts = []string{"eval.count.", "eval.rate.", "eval.col."}

// racecourseConfig tells the 赛马场's script what the caller may do there.
type racecourseConfig struct {
	CanPick bool `json:"can_pick"` // eval.pick: name a 担当者 candidate
}

// racecourse is the person tables (赛马场 · 比学赶超): staff ranked by post with their evidence
// and the leaders' picks, all through /api/v1/rankings and /api/v1/eval/….
func (w *Web) racecourse(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageRacecourse, "racecourse.title")
	v.Script = "racecourse.js"
	v.Texts = w.textsWith(v.Lang, append([]string{"racecourse.", "ranking."}, evalTexts...)...)
	cfg := racecourseConfig{CanPick: may(v.User, access.EvalPick)}
	v.Config, v.Data = cfg, cfg
	w.render(rw, r, http.StatusOK, "racecourse", v)
}

// league is the department league table (部门考评排行 · 对标找差): the handling units ranked with
// the department scheme, their gaps and their trend, all through /api/v1/rankings and
// /api/v1/indicators.
func (w *Web) league(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageLeague, "league.title")
	v.Script = "league.js"
	v.Texts = w.textsWith(v.Lang, append([]string{"league.", "ranking."}, evalTexts...)...)
	w.render(rw, r, http.StatusOK, "league", v)
}

// schemesConfig tells the schemes page's script what the caller may do there.
type schemesConfig struct {
	// CanConfigure: a sys_admin of the whole district adds scheme versions (the API checks again).
	CanConfigure bool `json:"can_configure"`
}

// schemes is the scoring schemes (考评方案) page: every scheme with its versions, and for a
// district sys_admin a form for a new version and an upload of a scheme file.
func (w *Web) schemes(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageSchemes, "schemes.title")
	v.Script = "schemes.js"
	v.Texts = w.textsWith(v.Lang, append([]string{"schemes."}, evalTexts...)...)
	cfg := schemesConfig{CanConfigure: entry(pageSchemes).shows(v.User)}
	v.Config, v.Data = cfg, cfg
	w.render(rw, r, http.StatusOK, "schemes", v)
}

// briefingConfig tells the briefing page which unit to show when the link names none: the node
// of the caller's first grant that reads indicators.
type briefingConfig struct {
	Level string `json:"level"`
	Code  string `json:"code"`
}

// briefing is the printable one-page briefing (简报) of a unit and period (static/js/briefing.js,
// through GET /api/v1/briefings).
func (w *Web) briefing(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageBriefing, "briefing.page_title")
	v.Script = "briefing.js"
	v.Texts = w.textsWith(v.Lang, append([]string{"briefing."}, evalTexts...)...)
	cfg := briefingConfig{}
	for _, g := range v.User.Grants {
		if access.Allowed(g.Role, access.EvalRead) == access.None {
			continue
		}
		switch g.NodeKind {
		case "district", "subdistrict", "community", "department":
			cfg = briefingConfig{Level: g.NodeKind, Code: g.OrgCode}
		}
		break
	}
	v.Config = cfg
	w.render(rw, r, http.StatusOK, "briefing", v)
}
