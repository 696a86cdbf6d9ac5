package web

import "net/http"

// onboard is the onboarding page (上线导入): templates to download, a dry run, then the import.
func (w *Web) onboard(rw http.ResponseWriter, r *http.Request) {
	w.scriptPage(pageOnboard, "onboard", "onboard.title")(rw, r)
}
