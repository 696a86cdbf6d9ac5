package web

import "net/http"

// settings is the configuration pages (系统配置) of the district's sys_admin.
func (w *Web) settings(rw http.ResponseWriter, r *http.Request) {
	w.scriptPage(pageSettings, "settings", "settings.title")(rw, r)
}
