package app

import "net/http"

// mountWeb adds the browser pages (package web).
func (a *App) mountWeb(mux *http.ServeMux) error {
	return nil
}
