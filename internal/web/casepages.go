package web

import (
	"net/http"
	"regexp"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The case pages (一网统管). Each renders a shell; its script calls the case API, whose scope
// rules and allowed_actions decide what the caller sees and may do. The config tells the script
// only what the server knows better than the page: the caller's roles and the form's mode.

// caseConfig is handed to every case page's script.
type caseConfig struct {
	Roles  []access.Role `json:"roles"`
	UserID string        `json:"user_id,omitempty"`
	// Mode of the report form: resident (app), patrol (grid worker) or hotline (the desk).
	Mode string `json:"mode,omitempty"`
	// CaseID is the case of the case page; Token the follow link's key.
	CaseID string `json:"case_id,omitempty"`
	// CanWhistle: the caller may blow the whistle (吹哨) on a case in reach; ReadsWhistles: may
	// see the whistles (the API decides per whistle).
	CanWhistle    bool   `json:"can_whistle,omitempty"`
	ReadsWhistles bool   `json:"reads_whistles,omitempty"`
	Token         string `json:"token,omitempty"`
}

func newCaseConfig(p *access.Principal) caseConfig {
	cfg := caseConfig{Roles: []access.Role{}}
	if p == nil {
		return cfg
	}
	cfg.UserID = p.UserID
	for _, g := range p.Grants {
		cfg.Roles = append(cfg.Roles, g.Role)
	}
	return cfg
}

// reportMode is the report form's mode for the caller's first role that may report (the one
// the API decides the channel by).
func reportMode(p *access.Principal) string {
	for _, g := range p.Grants {
		if access.Allowed(g.Role, access.CaseReport) == access.None {
			continue
		}
		switch g.Role {
		case access.Resident:
			return "resident"
		case access.GridWorker:
			return "patrol"
		default:
			return "hotline"
		}
	}
	return "resident"
}

// reportData is what the report template needs.
type reportData struct {
	Mode    string
	Heading string // catalogue key
	Lead    string // catalogue key
	// Whistle: the reporter may blow the whistle (吹哨) on the case just reported, in one go: a
	// grid worker who finds what the grid cannot solve alone summons the departments at once.
	Whistle bool
}

func (w *Web) reportForm(rw http.ResponseWriter, r *http.Request, page pageID, mode string) {
	v := w.newView(r, page, "desk.report.title."+mode)
	v.Script, v.Map = "report.js", true
	cfg := newCaseConfig(v.User)
	cfg.Mode = mode
	cfg.CanWhistle = mode != "resident" && may(v.User, access.WhistleBlow)
	if cfg.CanWhistle {
		v.Texts = w.textsWith(v.Lang, "whistle_page.")
	}
	v.Config = cfg
	v.Data = reportData{Mode: mode, Heading: "desk.report.heading." + mode, Lead: "desk.report.lead." + mode, Whistle: cfg.CanWhistle}
	w.render(rw, r, http.StatusOK, "report", v)
}

func (w *Web) report(rw http.ResponseWriter, r *http.Request) {
	p, _ := access.From(r.Context())
	w.reportForm(rw, r, pageReport, reportMode(p))
}

func (w *Web) hotline(rw http.ResponseWriter, r *http.Request) {
	w.reportForm(rw, r, pageHotline, "hotline")
}

// listPage renders one of the case lists (my cases, desk, inbox, tasks).
func (w *Web) listPage(page pageID, name, script string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		v := w.newView(r, page, "desk."+name+".title")
		v.Script = script
		v.Config = newCaseConfig(v.User)
		w.render(rw, r, http.StatusOK, name, v)
	}
}

// caseIDPattern is what a case ID looks like (db.NewID); anything else is not found at once.
var caseIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (w *Web) casePage(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !caseIDPattern.MatchString(id) {
		w.notFound(rw, r)
		return
	}
	v := w.newView(r, pageCase, "desk.case.title")
	v.Script, v.Map = "case.js", true
	cfg := newCaseConfig(v.User)
	cfg.CaseID = id
	cfg.CanWhistle, cfg.ReadsWhistles = may(v.User, access.WhistleBlow), may(v.User, access.WhistleRead)
	v.Config = cfg
	v.Texts = w.textsWith(v.Lang, "whistle_page.", "public.staff.")
	w.render(rw, r, http.StatusOK, "case", v)
}

// follow is public: an anonymous reporter's private link (the token is the key; the API checks it).
func (w *Web) follow(rw http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !caseIDPattern.MatchString(token) {
		w.notFound(rw, r)
		return
	}
	v := w.newView(r, "", "desk.follow.title")
	v.Script = "follow.js"
	cfg := newCaseConfig(v.User)
	cfg.Token = token
	v.Config = cfg
	w.render(rw, r, http.StatusOK, "follow", v)
}
