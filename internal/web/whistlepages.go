package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The whistle pages (网格吹哨、部门报到). Each renders a shell; its script calls the whistle API,
// which decides what the caller sees and may do. The config tells the script what it needs to
// lay out the caller's part: their departments (as a summoned unit's staff) and whether they
// blow whistles (as the whistler, or a leader over them).

// whistleConfig is handed to the whistle pages' scripts.
type whistleConfig struct {
	WhistleID   string   `json:"whistle_id,omitempty"`
	UserID      string   `json:"user_id"`
	Departments []string `json:"departments"`
	CanBlow     bool     `json:"can_blow"`
	Leads       bool     `json:"leads"`
}

func newWhistleConfig(p *access.Principal) whistleConfig {
	cfg := whistleConfig{UserID: p.UserID, Departments: []string{}, CanBlow: may(p, access.WhistleBlow)}
	for _, g := range p.Grants {
		if access.Allowed(g.Role, access.WhistleAnswer) == access.Dispatched {
			cfg.Departments = append(cfg.Departments, g.OrgCode)
		}
		cfg.Leads = cfg.Leads || g.Role == access.Leader
	}
	return cfg
}

// whistles lists the whistles in reach.
func (w *Web) whistles(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageWhistles, "whistle_page.title")
	v.Script = "whistles.js"
	v.Texts = w.textsWith(v.Lang, "whistle_page.")
	v.Config = newWhistleConfig(v.User)
	w.render(rw, r, http.StatusOK, "whistles", v)
}

// whistle is one whistle's page.
func (w *Web) whistle(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !caseIDPattern.MatchString(id) {
		w.notFound(rw, r)
		return
	}
	v := w.newView(r, pageWhistles, "whistle_page.title")
	v.Script, v.Map = "whistle.js", true
	v.Texts = w.textsWith(v.Lang, "whistle_page.")
	cfg := newWhistleConfig(v.User)
	cfg.WhistleID = id
	v.Config = cfg
	w.render(rw, r, http.StatusOK, "whistle", v)
}
