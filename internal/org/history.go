package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// change is one edit of the tree, recorded twice in its transaction: a history row (what the
// org page shows) and an audit record (the tamper-evident chain).
type change struct {
	code, path, objectType string
	action                 HistoryAction
	before, after          map[string]any
}

func summary(m map[string]any) string {
	if m == nil {
		return ""
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}

func (s *Service) record(ctx context.Context, tx *sql.Tx, scope access.Scope, now time.Time, c change) error {
	actor := access.ActorOf(ctx, scope.Primary())
	before, after := summary(c.before), summary(c.after)
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO org_history (id, node_code, action, before_summary, after_summary, actor_id, actor_name, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, db.NewID(), c.code, string(c.action), before, after, actor.ID, actor.Name, now); err != nil {
		return fmt.Errorf("record org history of %s: %w", c.code, err)
	}
	e := audit.For(actor, now, "org."+string(c.action), c.objectType, c.code)
	e.OrgPath, e.OrgCode = c.path, c.code
	e.Before, e.After = before, after
	_, err := audit.Append(ctx, s.DB, tx, e)
	return err
}

// placePath finds the path of a node, zone or grid code (history is kept for all three).
func (s *Service) placePath(ctx context.Context, code string) (string, error) {
	var path string
	if !otherCode.MatchString(code) {
		return "", apperr.New(apperr.NotFound, "org.node_not_found", code)
	}
	err := s.DB.QueryRow(ctx, `SELECT path FROM org_nodes WHERE code = $1
		UNION ALL SELECT path FROM zones WHERE code = $1
		UNION ALL SELECT path FROM grids WHERE code = $1`, code).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "org.node_not_found", code)
	}
	return path, err
}

// maxHistory bounds one history answer; a node changes a few times a year.
const maxHistory = 500

// History lists the changes of a node, zone or grid the caller may edit, newest first.
func (s *Service) History(ctx context.Context, code string) ([]HistoryEntry, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return nil, err
	}
	path, err := s.placePath(ctx, code)
	if err != nil {
		return nil, err
	}
	if !scope.Covers(path) {
		return nil, apperr.New(apperr.NotFound, "org.node_not_found", code)
	}
	rows, err := s.DB.Query(ctx, `SELECT id, node_code, action, before_summary, after_summary, actor_id, actor_name, at
		FROM org_history WHERE node_code = $1 ORDER BY at DESC, id DESC LIMIT `+strconv.Itoa(maxHistory), code)
	if err != nil {
		return nil, fmt.Errorf("org history of %s: %w", code, err)
	}
	defer rows.Close()
	out := []HistoryEntry{}
	for rows.Next() {
		var h HistoryEntry
		var action, before, after string
		if err := rows.Scan(&h.ID, &h.Code, &action, &before, &after, &h.ActorID, &h.ActorName, &h.At); err != nil {
			return nil, fmt.Errorf("org history of %s: %w", code, err)
		}
		h.Action = HistoryAction(action)
		if before != "" {
			h.Before = json.RawMessage(before)
		}
		if after != "" {
			h.After = json.RawMessage(after)
		}
		h.At = h.At.UTC()
		out = append(out, h)
	}
	return out, rows.Err()
}

// Nodes lists the nodes the caller may edit, retired ones included, with the zones below them.
func (s *Service) Nodes(ctx context.Context) ([]AdminNode, []Zone, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return nil, nil, err
	}
	cond, args := scope.PathCondition("n.path", 1)
	rows, err := s.DB.Query(ctx, `SELECT n.code, n.kind, n.name, n.name_en, COALESCE(n.parent_code, ''), n.retired_at,
		(SELECT count(*) FROM grids g WHERE substr(g.path, 1, length(n.path)) = n.path)
		FROM org_nodes n WHERE `+cond+` ORDER BY length(n.path), n.code`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list org nodes: %w", err)
	}
	defer rows.Close()
	nodes := []AdminNode{}
	for rows.Next() {
		var n AdminNode
		var kind string
		var retired sql.NullTime
		if err := rows.Scan(&n.Code, &kind, &n.Name, &n.NameEN, &n.ParentCode, &retired, &n.GridCount); err != nil {
			return nil, nil, fmt.Errorf("list org nodes: %w", err)
		}
		n.Kind = Kind(kind)
		if retired.Valid {
			at := retired.Time.UTC()
			n.RetiredAt = &at
		}
		nodes = append(nodes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	zcond, zargs := scope.PathCondition("z.path", 1)
	zrows, err := s.DB.Query(ctx, `SELECT z.code, z.name, z.name_en, z.subdistrict_code, z.lead_organisation, z.path,
		(SELECT count(*) FROM grids g WHERE g.zone_code = z.code) FROM zones z WHERE `+zcond+` ORDER BY z.code`, zargs...)
	if err != nil {
		return nil, nil, fmt.Errorf("list zones: %w", err)
	}
	defer zrows.Close()
	zones := []Zone{}
	for zrows.Next() {
		var z Zone
		if err := zrows.Scan(&z.Code, &z.Name, &z.NameEN, &z.SubdistrictCode, &z.LeadOrganisation, &z.Path, &z.GridCount); err != nil {
			return nil, nil, fmt.Errorf("list zones: %w", err)
		}
		zones = append(zones, z)
	}
	return nodes, zones, zrows.Err()
}
