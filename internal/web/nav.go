package web

import (
	"github.com/yiwang-gov/yiwang/internal/access"
)

// pageID names a page of the shell (used for the navigation and for access checks).
type pageID string

const (
	pageHome     pageID = "home"
	pageOrg      pageID = "org"
	pageUsers    pageID = "users"
	pageAudit    pageID = "audit"
	pagePassword pageID = "password"
)

// navEntry is one page in the navigation. A page with a permission is shown only to callers
// holding a role that carries it (access.Allowed); the API refuses the data anyway.
type navEntry struct {
	ID         pageID
	Path       string
	Key        string // catalogue key of the label
	Permission access.Permission
}

// navigation is the menu, in order.
var navigation = []navEntry{
	{pageHome, "/", "web.nav.home", ""},
	{pageOrg, "/org", "web.nav.org", access.TerritoryRead},
	{pageUsers, "/users", "web.nav.users", access.UserRead},
	{pageAudit, "/audit", "web.nav.audit", access.AuditRead},
	{pagePassword, "/me/password", "web.nav.password", ""},
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
		if may(p, e.Permission) {
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
	add("/me/password", "web.home.link.password")
	return links
}
