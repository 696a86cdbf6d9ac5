package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Filter narrows an audit search. Zero fields do not filter.
type Filter struct {
	Actor      string // actor name (username), exact
	Action     string // exact, or a prefix ending in "." (e.g. "user.")
	ObjectType string
	ObjectID   string
	// Object is a case number or any object's ID, as people type it into the filter.
	Object    string
	Result    Result
	From, To  time.Time // half-open [From, To)
	BeforeSeq int64     // cursor: only records older than this
	Limit     int
}

// Search returns matching records newest first, limited to what the caller's scope covers.
func Search(ctx context.Context, d *db.DB, f Filter) ([]Entry, error) {
	scope, err := access.Need(ctx, access.AuditRead)
	if err != nil {
		return nil, err
	}
	where, args := scope.PathCondition("org_path", 1)
	if scope.DistrictWide() {
		// District-wide auditors also see machine-level records (CLI operations, sign-ins
		// that name no known account), which carry the root path.
		where = "(" + where + " OR org_path = '/')"
	}
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor_name = $%d", f.Actor)
	}
	if strings.HasSuffix(f.Action, ".") {
		add("substr(action, 1, "+fmt.Sprint(len(f.Action))+") = $%d", f.Action)
	} else if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if f.Object != "" {
		args = append(args, f.Object)
		n := len(args)
		conds = append(conds, fmt.Sprintf("(object_id = $%d OR object_id IN (SELECT id FROM cases WHERE number = $%d))", n, n))
	}
	if f.Result != "" {
		add("result = $%d", string(f.Result))
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC())
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	args = append(args, EffectiveLimit(f.Limit))
	q := `SELECT ` + columns + ` FROM audit_log WHERE ` + strings.Join(conds, " AND ") +
		fmt.Sprintf(` ORDER BY seq DESC LIMIT $%d`, len(args))
	rows, err := d.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit search: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("audit search: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EffectiveLimit is the page size a search uses for a requested limit (default 100, at most 500).
func EffectiveLimit(limit int) int {
	if limit <= 0 || limit > 500 {
		return 100
	}
	return limit
}
