package app

import (
	"github.com/yiwang-gov/yiwang/internal/address"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// addressModule is the gazetteer (地址库).
func (a *App) addressModule() module.Module {
	return (&address.HTTP{Addresses: &address.Service{DB: a.DB, Now: a.Now}, R: a.responder()}).Module()
}
