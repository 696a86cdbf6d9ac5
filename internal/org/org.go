// Package org is the district's territory and organisation: the district, its subdistricts (街道),
// communities (社区), zones (片区) and departments (部门), each with a GB/T 2260-style code and a
// materialised path that scopes every query below it.
package org

import (
	"encoding/json"
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
	// RetiredAt is set on a retired node: kept for history, offered for nothing new.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
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
	// RetiredAt is set on a retired department: named on old cases, never dispatched to.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
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
	// RetiredAt is set on a retired node: shown greyed, left out of pickers.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// PathOf builds a child's path from its parent's.
func PathOf(parentPath, code string) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + code + "/"
}

// AdminNode is a node as the org-tree editor lists it: retired nodes included, with the date.
type AdminNode struct {
	Code       string     `json:"code"`
	Kind       Kind       `json:"kind"`
	Name       string     `json:"name"`
	NameEN     string     `json:"name_en,omitempty"`
	ParentCode string     `json:"parent_code,omitempty"`
	GridCount  int        `json:"grid_count"`
	RetiredAt  *time.Time `json:"retired_at,omitempty"`
}

// AddInput is a node to add under a parent (codes checked as the org file checks them).
type AddInput struct {
	Kind       Kind   `json:"kind"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en"`
	ParentCode string `json:"parent_code"`
}

// HistoryAction is what a history row records.
type HistoryAction string

const (
	HistoryAdd     HistoryAction = "add"
	HistoryRename  HistoryAction = "rename"
	HistoryMove    HistoryAction = "move"
	HistoryRetire  HistoryAction = "retire"
	HistoryZone    HistoryAction = "zone"    // a grid put in a zone or taken out
	HistoryWorkers HistoryAction = "workers" // a grid's grid workers changed
)

// HistoryEntry is one change of a node, zone or grid: who, when, before → after.
type HistoryEntry struct {
	ID        string          `json:"id"`
	Code      string          `json:"code"`
	Action    HistoryAction   `json:"action"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	ActorID   string          `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	At        time.Time       `json:"at"`
}

// Moved says what a move carried to the new parent.
type Moved struct {
	Code          string `json:"code"`
	FromParent    string `json:"from_parent"`
	ToParent      string `json:"to_parent"`
	Grids         int    `json:"grids"`
	Grants        int    `json:"grants"`
	Cases         int    `json:"cases"`
	ZonesCleared  int    `json:"zones_cleared"`  // grids taken out of the old subdistrict's zones
	WorkersEnded  int    `json:"workers_ended"`  // grid assignments whose worker no longer reaches the grid
	IndicatorsRun bool   `json:"indicators_run"` // the indicators were recomputed
}

// GridWorker is a grid worker on duty for a grid (一格一员), or a candidate for one.
type GridWorker struct {
	UserID      string `json:"user_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// AdminGrid is a grid as the org-tree editor shows it: its zone and its grid workers.
type AdminGrid struct {
	Code          string       `json:"code"`
	Name          string       `json:"name"`
	CommunityCode string       `json:"community_code"`
	ZoneCode      string       `json:"zone_code"`
	Workers       []GridWorker `json:"workers"`
}

// CommunityGrids is a community's grids with the zones of its subdistrict and the grid workers
// who may be put on its grids.
type CommunityGrids struct {
	CommunityCode string       `json:"community_code"`
	Grids         []AdminGrid  `json:"grids"`
	Zones         []Zone       `json:"zones"`
	Candidates    []GridWorker `json:"candidates"`
}

// GridChange changes a grid's zone ("" takes it out) and/or its grid workers (the whole list).
type GridChange struct {
	ZoneCode  *string   `json:"zone_code"`
	WorkerIDs *[]string `json:"worker_ids"`
}
