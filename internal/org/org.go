// Package org is the district's territory and organisation: the district, its subdistricts (街道),
// communities (社区), zones (片区) and departments (部门), each with a GB/T 2260-style code and a
// materialised path that scopes every query below it.
package org

import (
	"time"
)

// Kind of an org node.
type Kind string

const (
	District    Kind = "district"
	Subdistrict Kind = "subdistrict"
	Community   Kind = "community"
	Department  Kind = "department"
)

// codeLength is the code length per territorial level (GB/T 2260 + 3 + 3).
var codeLength = map[Kind]int{District: 6, Subdistrict: 9, Community: 12}

// Node is one node of the org tree.
type Node struct {
	Code       string    `json:"code"`
	Kind       Kind      `json:"kind"`
	Name       string    `json:"name"`
	NameEN     string    `json:"name_en,omitempty"`
	ParentCode string    `json:"parent_code,omitempty"`
	Path       string    `json:"-"`
	Slug       string    `json:"slug,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Zone is a 片区: a named set of grids inside one subdistrict.
type Zone struct {
	Code             string `json:"code"`
	Name             string `json:"name"`
	NameEN           string `json:"name_en,omitempty"`
	SubdistrictCode  string `json:"subdistrict_code"`
	LeadOrganisation string `json:"lead_organisation,omitempty"`
	GridCount        int    `json:"grid_count"`
	Path             string `json:"-"`
}

// DepartmentInfo is a department as the API lists it.
type DepartmentInfo struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en,omitempty"`
	Level   Kind   `json:"level"`    // district or subdistrict
	OrgCode string `json:"org_code"` // the node it belongs to
}

// TreeNode is a node with its children, as GET /api/v1/org/tree returns it.
type TreeNode struct {
	Code      string      `json:"code"`
	Kind      Kind        `json:"kind"`
	Name      string      `json:"name"`
	NameEN    string      `json:"name_en,omitempty"`
	GridCount int         `json:"grid_count"`
	Zones     []Zone      `json:"zones,omitempty"`
	Children  []*TreeNode `json:"children,omitempty"`
	// Context is true for an ancestor shown only so that the caller's subtree has its place;
	// the caller does not reach it.
	Context bool `json:"context,omitempty"`
}

// PathOf builds a child's path from its parent's.
func PathOf(parentPath, code string) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + code + "/"
}
