package app

import (
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/web"
)

// mountWeb adds the browser pages (package web).
func (a *App) mountWeb(mux *httpx.Mux) error {
	pages, err := web.New(web.Config{Catalog: a.Catalog, Auth: a.Auth, Log: a.Log, SecureCookie: a.Cfg.SecureCookies})
	if err != nil {
		return err
	}
	pages.Register(mux)
	return nil
}
