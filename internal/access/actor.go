package access

import "context"

// Actor is who did something, as the audit log records it.
type Actor struct {
	ID, Name, Role, OrgCode, OrgPath, IP string
}

// ActorOf describes the caller of ctx acting under grant g (zero g: their first grant).
func ActorOf(ctx context.Context, g Grant) Actor {
	p, ok := From(ctx)
	if !ok {
		return Actor{Name: "anonymous"}
	}
	if g.Role == "" && len(p.Grants) > 0 {
		g = p.Grants[0]
	}
	return Actor{ID: p.UserID, Name: p.Username, Role: string(g.Role), OrgCode: g.OrgCode, OrgPath: g.OrgPath, IP: p.IP}
}
