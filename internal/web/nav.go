package web

import (
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// pageID names a page of the shell (used for the navigation and for access checks).
type pageID string

const (
	pageHome           pageID = "home"
	pageReport         pageID = "report"
	pageMine           pageID = "my"
	pageDesk           pageID = "desk"
	pageHotline        pageID = "desk_new"
	pageInbox          pageID = "inbox"
	pageTasks          pageID = "tasks"
	pageCase           pageID = "case"
	pageOrg            pageID = "org"
	pageUsers          pageID = "users"
	pageAudit          pageID = "audit"
	pageAPIKeys        pageID = "apikeys"
	pageDeliveries     pageID = "deliveries"
	pagePassword       pageID = "password"
	pageDashboard      pageID = "dashboard"
	pageRacecourse     pageID = "racecourse"
	pageLeague         pageID = "league"
	pageWhistles       pageID = "whistles"
	pageDirectives     pageID = "directives"
	pagePatrol         pageID = "patrol"
	pagePatrolCoverage pageID = "patrol_coverage"
	pageRosters        pageID = "rosters"
	pageSchemes        pageID = "schemes"
	pageBriefing       pageID = "briefing"
	pageOnboard        pageID = "onboard"
	pageSettings       pageID = "settings"
	pageMyData         pageID = "my_data"
	pageServices       pageID = "services"
	pageDirectory      pageID = "directory"
)

// navEntry is one page. A page with a permission is open only to callers holding a role that
// carries it (access.Allowed); a page with roles only to callers holding one of them (at the
// district node, for a District page). Hidden
// pages are reachable (with the same checks) but not in the menu. The API refuses the data
// anyway: the checks here only keep people off pages that would show them nothing.
type navEntry struct {
	ID         pageID
	Path       string
	Key        string // catalogue key of the label
	Permission access.Permission
	Roles      []access.Role
	// District: one of Roles must be held at the district node (the page manages something of
	// the whole district).
	District bool
	Hidden   bool
}

// deskRoles work the case queue of their subdistrict (受理台).
var deskRoles = []access.Role{access.IntakeOperator, access.ShiftLead, access.Dispatcher, access.Leader}

// navigation is the menu, in order.
var navigation = []navEntry{
	{ID: pageHome, Path: "/", Key: "web.nav.home"},
	{ID: pageReport, Path: "/report", Key: "desk.nav.report", Permission: access.CaseReport, Roles: []access.Role{access.Resident}},
	{ID: pageMine, Path: "/my", Key: "desk.nav.my", Permission: access.CaseReport, Roles: []access.Role{access.Resident}},
	// 一网速查: daily services, open to everyone (no sign-in); in the residents' menu. Its
	// editors keep the entries on /directory.
	{ID: pageServices, Path: "/services", Key: "directory_page.nav", Roles: []access.Role{access.Resident}},
	{ID: pageDirectory, Path: "/directory", Key: "directory_page.editor_nav", Permission: access.DirectoryEdit, Roles: []access.Role{access.DirectoryEditor}},
	{ID: pageTasks, Path: "/tasks", Key: "desk.nav.tasks", Roles: []access.Role{access.GridWorker}},
	// 巡查: a grid worker's or volunteer's rounds, on the phone.
	{ID: pagePatrol, Path: "/patrol", Key: "patrol_page.nav", Permission: access.PatrolRun},
	{ID: pageDesk, Path: "/desk", Key: "desk.nav.desk", Roles: deskRoles},
	{ID: pageHotline, Path: "/desk/new", Key: "desk.nav.hotline", Roles: []access.Role{access.IntakeOperator}},
	{ID: pageInbox, Path: "/inbox", Key: "desk.nav.inbox", Roles: []access.Role{access.DepartmentStaff}},
	// 指令穿透: directives to acknowledge for one's grids, or issued and watched.
	{ID: pageDirectives, Path: "/directives", Key: "directive_page.nav", Permission: access.DirectiveRead},
	// 吹哨报到: the whistles of the caller's grids and units, and a summoned unit's part on site.
	{ID: pageWhistles, Path: "/whistles", Key: "whistle_page.nav", Permission: access.WhistleRead},
	// The week's patrol coverage and the zones' 1+N rosters, for those who run the grids.
	{ID: pagePatrolCoverage, Path: "/patrols/coverage", Key: "patrol_page.coverage_nav", Permission: access.PatrolRead,
		Roles: []access.Role{access.CommunityStaff, access.ShiftLead, access.Dispatcher, access.Leader}},
	{ID: pageRosters, Path: "/rosters", Key: "roster_page.nav", Permission: access.ParticipantRead,
		Roles: []access.Role{access.CommunityStaff, access.ShiftLead, access.Leader}},
	// The leaders' dashboard (领导驾驶舱): the indicators of the caller's units, for those who
	// steer and watch the case flow.
	{ID: pageDashboard, Path: "/dashboard", Key: "dashboard.nav", Permission: access.EvalRead,
		Roles: []access.Role{access.Leader, access.ShiftLead, access.Dispatcher}},
	// The department league table (部门考评排行): the handling units ranked, for those who steer.
	{ID: pageLeague, Path: "/league", Key: "league.nav", Permission: access.EvalRead,
		Roles: []access.Role{access.Leader, access.ShiftLead, access.Dispatcher}},
	// The person tables (赛马场 · 比学赶超): staff ranked by post, for those who lead them.
	{ID: pageRacecourse, Path: "/racecourse", Key: "racecourse.nav", Permission: access.EvalPeople},
	{ID: pageOrg, Path: "/org", Key: "web.nav.org", Permission: access.TerritoryRead},
	{ID: pageUsers, Path: "/users", Key: "web.nav.users", Permission: access.UserRead},
	{ID: pageAudit, Path: "/audit", Key: "web.nav.audit", Permission: access.AuditRead},
	// Onboarding (上线导入): the org tree and units (sys_admin), users and grants (sec_admin).
	{ID: pageOnboard, Path: "/onboard", Key: "onboard.nav", Roles: []access.Role{access.SysAdmin, access.SecAdmin}, District: true},
	// Configuration (系统配置): catalogue and time limits, routing rules, the work calendar.
	{ID: pageSettings, Path: "/settings", Key: "settings.nav", Permission: access.CategoryWrite, Roles: []access.Role{access.SysAdmin}, District: true},
	{ID: pageAPIKeys, Path: "/apikeys", Key: "web.nav.apikeys", Roles: []access.Role{access.SysAdmin}, District: true},
	{ID: pageDeliveries, Path: "/deliveries", Key: "web.nav.deliveries", Permission: access.DeliveryRead, Roles: []access.Role{access.SysAdmin}, District: true},
	// The scoring schemes (考评方案): in the menu of those who add versions; readable by everyone
	// who reads indicators (pageChecks), reached from the 赛马场 and the figures' scheme lines.
	{ID: pageSchemes, Path: "/schemes", Key: "schemes.nav", Permission: access.EvalConfigure, Roles: []access.Role{access.SysAdmin}, District: true},
	{ID: pagePassword, Path: "/me/password", Key: "web.nav.password"},
	// 我的数据: a resident's own data, its download, and deleting the account.
	{ID: pageMyData, Path: "/me/data", Key: "account.nav.my_data", Roles: []access.Role{access.Resident}},
	// The case page is reached from the lists; the report form also serves grid workers (巡查上报)
	// and the hotline desk, so its page check is wider than its menu entry.
	{ID: pageCase, Path: "/cases/", Key: "desk.case.title", Permission: access.CaseRead, Hidden: true},
	// A briefing is reached from its notification and from the indicators' pages.
	{ID: pageBriefing, Path: "/briefing", Key: "briefing.page_title", Permission: access.EvalRead, Hidden: true},
}

// pageChecks widens a page's access beyond its menu entry: who may open it.
var pageChecks = map[pageID]navEntry{
	pageReport:  {Permission: access.CaseReport},
	pageMine:    {Permission: access.CaseReport},
	pageHotline: {Roles: []access.Role{access.IntakeOperator, access.ShiftLead}},
	pageSchemes: {Roles: rolesWith(access.EvalRead, access.EvalConfigure)},
}

// rolesWith lists the roles that carry one of perms (at any reach).
func rolesWith(perms ...access.Permission) []access.Role {
	var out []access.Role
	for _, role := range access.Roles {
		for _, perm := range perms {
			if access.Allowed(role, perm) != access.None {
				out = append(out, role)
				break
			}
		}
	}
	return out
}

// may reports whether any role of p carries perm ("" means every signed-in caller may).
func may(p *access.Principal, perm access.Permission) bool {
	if perm == "" || p.System {
		return true
	}
	for _, g := range p.Grants {
		if access.Allowed(g.Role, perm) != access.None {
			return true
		}
	}
	return false
}

// holds reports whether p holds one of roles (none listed means anyone), at the district node
// when district is set.
func holds(p *access.Principal, roles []access.Role, district bool) bool {
	if len(roles) == 0 {
		return true
	}
	for _, g := range p.Grants {
		for _, r := range roles {
			if g.Role == r && (!district || atDistrict(g)) {
				return true
			}
		}
	}
	return false
}

// atDistrict reports whether g is held at the district node ("/350503/").
func atDistrict(g access.Grant) bool {
	return strings.Count(g.OrgPath, "/") == 2
}

// shows reports whether e is in p's menu.
func (e navEntry) shows(p *access.Principal) bool {
	return !e.Hidden && may(p, e.Permission) && holds(p, e.Roles, e.District)
}

// opens reports whether p may open the page id.
func opens(p *access.Principal, id pageID) bool {
	e, ok := pageChecks[id]
	if !ok {
		e = entry(id)
	}
	return may(p, e.Permission) && holds(p, e.Roles, e.District)
}

// entry returns the navigation entry of id.
func entry(id pageID) navEntry {
	for _, e := range navigation {
		if e.ID == id {
			return e
		}
	}
	panic("web: unknown page " + string(id))
}

// navItem is a link of the rendered menu.
type navItem struct {
	Path, Label string
	Active      bool
}

// menu is the navigation p may see, with active marking the current page.
func menu(p *access.Principal, active pageID, t func(string, ...any) string) []navItem {
	var items []navItem
	for _, e := range navigation {
		if e.shows(p) {
			items = append(items, navItem{Path: e.Path, Label: t(e.Key), Active: e.ID == active})
		}
	}
	return items
}

// quickLink is a shortcut on the home page.
type quickLink struct {
	Path, Title, Text string
}

// quickLinks are the home page's shortcuts for the caller's roles.
func quickLinks(p *access.Principal, t func(string, ...any) string) []quickLink {
	var links []quickLink
	add := func(path, key string) {
		links = append(links, quickLink{Path: path, Title: t(key + ".title"), Text: t(key + ".text")})
	}
	for _, c := range []struct {
		page pageID
		key  string
	}{{pageReport, "desk.home.report"}, {pageMine, "desk.home.my"}, {pageServices, "directory_page.home"}, {pageDirectory, "directory_page.editor_home"}, {pageTasks, "desk.home.tasks"},
		{pageDesk, "desk.home.desk"}, {pageHotline, "desk.home.hotline"}, {pageInbox, "desk.home.inbox"}} {
		if e := entry(c.page); e.shows(p) {
			add(e.Path, c.key)
		}
	}
	if may(p, access.TerritoryRead) {
		add("/org", "web.home.link.org")
	}
	if may(p, access.TerritoryWrite) {
		add("/org#import", "web.home.link.import")
	}
	if may(p, access.UserWrite) {
		add("/users", "web.home.link.users_manage")
	} else if may(p, access.UserRead) {
		add("/users", "web.home.link.users_read")
	}
	if may(p, access.AuditRead) {
		add("/audit", "web.home.link.audit")
	}
	if entry(pageAPIKeys).shows(p) {
		add("/apikeys", "web.home.link.apikeys")
	}
	if entry(pageDeliveries).shows(p) {
		add("/deliveries", "web.home.link.deliveries")
	}
	add("/me/password", "web.home.link.password")
	return links
}
