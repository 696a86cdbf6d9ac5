package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// publicPage is the transparency page (/public, issue 14): the public cases on a map, each with
// its public timeline, and the figures per subdistrict and zone. No sign-in; everything it shows
// comes from /api/v1/public/…, which serves the public view alone (cases/publicview.go).
func (w *Web) publicPage(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, "", "public.title")
	v.Script, v.Map = "public.js", true
	v.Texts = w.textsWith(v.Lang, "public.", "case.public_action.")
	// A signed-in resident may follow an open public case (我也遇到) from here.
	v.Config = map[string]bool{"can_join": v.User != nil && v.User.Has(access.Resident)}
	w.render(rw, r, http.StatusOK, "public", v)
}
