// Package onboard brings a district's organisation onto yiwang from the templates it fills in:
// the org tree and handling units (xlsx or CSV), then users and their role grants; a dry run first,
// errors per row in the user's language, all or nothing.
//
// Templates (GET /api/v1/onboard/templates/{org|users}.{xlsx|csv}) have one sheet each, a header
// row "中文 code" per column and example rows. The org template has a kind column (区 district,
// 街道 subdistrict, 社区 community, 片区 zone, 处置单位 unit) rather than a sheet per kind, so that
// CSV and xlsx read the same. The rules stay with package org (the tree) and package users
// (accounts, grants, separated duties); this package reads files and names rows.
package onboard

import (
	_ "embed"

	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI describes the onboarding routes.
//
//go:embed openapi.json
var OpenAPI []byte

// Module declares onboarding to the platform. It checks the permissions of the org and users
// modules (territory.write, user.write) and owns none.
func (h *HTTP) Module() module.Module {
	return module.Module{Name: "onboard", Register: h.Register, OpenAPI: OpenAPI}
}
