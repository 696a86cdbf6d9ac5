package app

import (
	"github.com/yiwang-gov/yiwang/internal/module"
	"github.com/yiwang-gov/yiwang/internal/onboard"
)

// onboardModule imports a district's org tree, units, users and grants from templates.
func (a *App) onboardModule() module.Module {
	return (&onboard.HTTP{R: a.responder()}).Module()
}
