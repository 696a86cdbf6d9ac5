// Package project is the zone projects (特色治理项目, issue 16): a project of one zone in one of
// five fields, with an owner unit, participants, a budget, a deadline and milestones planned
// backward from the deadline on the district's work calendar (倒排进度). Each milestone gets its
// latest start and latest finish in working days; the longest chain is the critical path; a
// milestone whose latest start passed unstarted is at risk, one past its latest finish unfinished
// is overdue — computed when read, from the app clock.
package project

import (
	"context"
	_ "embed"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// ObjectKind is how scope sees a project: at its zone's path (the subdistrict's subtree), and
// also wherever one of the zone's grids is (a community's staff reach the projects of the zone
// their grids belong to). The relation reads the grids table by zone code.
var ObjectKind = access.Kind{Name: "project", Read: access.ProjectRead, Path: "path", ID: "zone_code",
	Places: []access.Relation{{Name: "grid", Table: "grids", ObjectColumn: "zone_code", SubjectColumn: "path"}}}

// Calendars gives the district's work calendar in force (package calendar): plans count its
// working days, holidays and make-up workdays (调休上班).
type Calendars interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Service is the project module's rules and storage.
type Service struct {
	DB        *db.DB
	Now       func() time.Time
	Calendars Calendars
}

// HTTP serves the project API.
type HTTP struct {
	Projects *Service
	R        *httpx.Responder
}

// Module declares the project module to the platform: routes and API document and its permissions.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "project", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.ProjectRead, access.ProjectPlan}}
}
