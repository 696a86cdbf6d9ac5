package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The directive pages (指令穿透). Each renders a shell; its script calls the directive API, which
// decides what the caller sees: the issuer's side (coverage, Update, Cancel) and a grid's side
// (the caller's own grids to acknowledge).

// directiveConfig is handed to the directive pages' scripts.
type directiveConfig struct {
	DirectiveID string `json:"directive_id,omitempty"`
	CanIssue    bool   `json:"can_issue"`
}

// directiveData is what the directive templates need.
type directiveData struct{ CanIssue bool }

func (w *Web) directivePage(rw http.ResponseWriter, r *http.Request, template, script, id string) {
	v := w.newView(r, pageDirectives, "directive_page.title")
	v.Script, v.Map = script, id != ""
	v.Texts = w.textsWith(v.Lang, "directive_page.")
	cfg := directiveConfig{DirectiveID: id, CanIssue: may(v.User, access.DirectiveIssue)}
	v.Config, v.Data = cfg, directiveData{CanIssue: cfg.CanIssue}
	w.render(rw, r, http.StatusOK, template, v)
}

// directives lists the directives in reach; issuers issue new ones there.
func (w *Web) directives(rw http.ResponseWriter, r *http.Request) {
	w.directivePage(rw, r, "directives", "directives.js", "")
}

// directive is one directive's page: its coverage, and the caller's grids to acknowledge.
func (w *Web) directive(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !caseIDPattern.MatchString(id) {
		w.notFound(rw, r)
		return
	}
	w.directivePage(rw, r, "directive", "directive.js", id)
}
