// Package onboard brings a district's organisation onto yiwang from the templates it fills in:
// the org tree and handling units (xlsx or CSV), then users and their role grants; a dry run first,
// errors per row in the user's language, all or nothing.
package onboard

import (
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// HTTP serves the onboarding API.
type HTTP struct {
	R *httpx.Responder
}

// Module declares onboarding to the platform. It checks the permissions of the org and users
// modules (territory.write, user.write) and owns none.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "onboard", Register: h.Register}
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {}
