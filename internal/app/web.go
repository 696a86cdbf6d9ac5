package app

import "github.com/yiwang-gov/yiwang/internal/httpx"

// mountWeb adds the browser pages (package web).
func (a *App) mountWeb(mux *httpx.Mux) error {
	return nil
}
