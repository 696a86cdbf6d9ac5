package access

import (
	"context"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Grant is one role held at one org node. OrgPath is the node's materialised path
// ("/350503/350503001/"), so "below this node" is a prefix test.
type Grant struct {
	ID       string `json:"id,omitempty"`
	Role     Role   `json:"role"`
	OrgCode  string `json:"org_code"`
	OrgPath  string `json:"-"`
	OrgName  string `json:"org_name,omitempty"`
	NodeKind string `json:"org_kind,omitempty"`
}

// Principal is the authenticated caller.
type Principal struct {
	UserID             string
	Username           string
	DisplayName        string
	Grants             []Grant
	SessionID          string
	MustChangePassword bool
	IP                 string
	// System marks the operator at the machine (CLI commands): full reach, recorded as "system".
	System bool
}

// SystemPrincipal is the caller for command-line operations run by the operator of the machine.
func SystemPrincipal(name string) *Principal {
	return &Principal{UserID: "system", Username: name, DisplayName: name, System: true,
		Grants: []Grant{{Role: "system", OrgPath: "/"}}}
}

// Has reports whether the principal holds role anywhere.
func (p *Principal) Has(role Role) bool {
	for _, g := range p.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the caller carried by ctx.
func From(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(*Principal)
	return p, ok && p != nil
}

// Scope is the part of the data a caller may touch with one permission.
type Scope struct {
	Permission Permission
	// Paths are org-path prefixes the caller reaches; a row is in scope when its path starts
	// with one of them.
	Paths []string
	// Departments are department codes whose staff the caller is (for department-scoped data).
	Departments []string
	// UserID is set when the caller reaches its own records.
	UserID string
	// Grants are the grants that gave this scope (to record which role acted, in the audit log).
	Grants []Grant
}

// Need returns the caller's scope for perm, or an error when the caller is not signed in or no
// role of theirs carries perm.
func Need(ctx context.Context, perm Permission) (Scope, error) {
	p, ok := From(ctx)
	if !ok {
		return Scope{}, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	if p.MustChangePassword {
		return Scope{}, apperr.New(apperr.Forbidden, "auth.must_change_password")
	}
	s := Scope{Permission: perm}
	if p.System {
		return Scope{Permission: perm, Paths: []string{"/"}, Grants: p.Grants}, nil
	}
	for _, g := range p.Grants {
		switch Allowed(g.Role, perm) {
		case Own:
			s.UserID = p.UserID
		case Subtree:
			s.Paths = append(s.Paths, g.OrgPath)
		case District:
			s.Paths = append(s.Paths, districtPath(g.OrgPath))
		case Dispatched:
			s.Departments = append(s.Departments, g.OrgCode)
		default:
			continue
		}
		s.Grants = append(s.Grants, g)
	}
	if len(s.Grants) == 0 {
		return Scope{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	s.Paths = compact(s.Paths)
	return s, nil
}

// NeedDistrict is Need for what belongs to the whole district (its settings, its audit chain,
// its outside deliveries): the caller's scope must cover the district, else Forbidden with the
// message key why, which says so in the caller's language.
func NeedDistrict(ctx context.Context, perm Permission, why string) (Scope, error) {
	s, err := Need(ctx, perm)
	if err != nil {
		return s, err
	}
	if !s.DistrictWide() {
		return s, apperr.New(apperr.Forbidden, why)
	}
	return s, nil
}

// Covers reports whether a row at path is in scope.
func (s Scope) Covers(path string) bool {
	for _, p := range s.Paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Primary returns the first grant that gave this scope: the role the caller acts in.
func (s Scope) Primary() Grant {
	if len(s.Grants) == 0 {
		return Grant{}
	}
	return s.Grants[0]
}

// GrantCovering returns the grant under which the caller reaches path (for audit records).
func (s Scope) GrantCovering(path string) Grant {
	for _, g := range s.Grants {
		if strings.HasPrefix(path, g.OrgPath) || strings.HasPrefix(path, districtPath(g.OrgPath)) {
			return g
		}
	}
	return s.Primary()
}

// districtPath cuts a path to its first node: "/350503/350503001/" → "/350503/".
func districtPath(path string) string {
	if i := strings.Index(path[1:], "/"); i >= 0 {
		return path[:i+2]
	}
	return path
}

// compact removes paths that another path in the list already covers.
func compact(paths []string) []string {
	var out []string
	for i, p := range paths {
		covered := false
		for j, q := range paths {
			if i != j && strings.HasPrefix(p, q) && (len(q) < len(p) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// DistrictWide reports whether the scope reaches a whole district (or everything).
func (s Scope) DistrictWide() bool {
	for _, p := range s.Paths {
		if strings.Count(p, "/") <= 2 {
			return true
		}
	}
	return false
}
